/* The legacy scheme, byte for byte: see legacy_scheme.h. OpenSSL EVP only. */
#include "legacy_scheme.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aead.h"
#include "fingerprint.h"
#include "state_files.h"
#include "secprov.h"

#define CHUNK ((size_t)1 << 20)          /* stream buffers: 1 MiB each */

/* ---- hashing and keys --------------------------------------------------- */

static int calc_hash(const void *data, size_t len, char *out)
{
    unsigned char md[48];
    unsigned int md_len = 0;

    if (EVP_Digest(data, len, md, &md_len, EVP_sha384(), NULL) != 1 || md_len != 48)
        return SECPROV_ERR_INTERNAL;
    EVP_EncodeBlock((unsigned char *)out, md, 48);          /* 64 chars + NUL */
    sp_cleanse(md, sizeof md);
    return SECPROV_OK;
}

/* calc_hash of the concatenation of parts (NULL-terminated list). */
static int hash_of(char *out, const char *const *parts)
{
    size_t len = 0;
    for (const char *const *p = parts; *p != NULL; p++)
        len += strlen(*p);
    char *s = malloc(len + 1);
    if (s == NULL)
        return SECPROV_ERR_NOMEM;
    s[0] = '\0';
    for (const char *const *p = parts; *p != NULL; p++)
        strcat(s, *p);
    int rc = calc_hash(s, len, out);
    sp_cleanse(s, len);                                     /* may hold a password */
    free(s);
    return rc;
}

static int hw_hash(const char *hardware, char *out)
{
    if (hardware == NULL)
        return SECPROV_ERR_INVALID_ARG;
    const char *parts[] = {LG_HW_PREFIX, hardware, LG_HW_SUFFIX, NULL};
    return hash_of(out, parts);
}

static int api_key(const char *email, const char *password, const char *hwh, char *out)
{
    if (email == NULL || password == NULL || hwh == NULL)
        return SECPROV_ERR_INVALID_ARG;
    const char *parts[] = {email, "-", password, "-", hwh, LG_API_KEY_SUFFIX, NULL};
    return hash_of(out, parts);
}

static int resource_key(char *out)
{
    return calc_hash(LG_RESOURCE_SECRET, strlen(LG_RESOURCE_SECRET), out);
}

static int fingerprint(char *out, size_t out_len)
{
    return lg_fingerprint_collect(out, out_len);
}

/* AES key = SHA-256 of the key string (or of raw fragment bytes). */
static int aes_key_of(const void *key, size_t len, unsigned char aes[32])
{
    unsigned int n = 0;
    return EVP_Digest(key, len, aes, &n, EVP_sha256(), NULL) == 1 && n == 32
               ? SECPROV_OK : SECPROV_ERR_INTERNAL;
}

/* ---- I/O helpers ------------------------------------------------------- */

static int write_all(int fd, const unsigned char *p, size_t len)
{
    return sp_write_all(fd, p, len) == 0 ? SECPROV_OK : SECPROV_ERR_IO;
}

/* A source: prefix bytes first, then a file descriptor. */
struct source {
    const unsigned char *prefix;
    size_t prefix_len;
    int fd;
};

/* Read up to len bytes (fewer only at the end); -1 on error. */
static ssize_t source_read(struct source *s, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len && s->prefix_len > 0) {
        size_t n = s->prefix_len < len - got ? s->prefix_len : len - got;
        memcpy(buf + got, s->prefix, n);
        s->prefix += n;
        s->prefix_len -= n;
        got += n;
    }
    while (got < len && s->fd >= 0) {
        ssize_t n = read(s->fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* ---- the cipher ------------------------------------------------------- */

static EVP_CIPHER_CTX *cbc_start(const unsigned char aes[32], const unsigned char iv[16], int enc)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx != NULL && EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes, iv, enc) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* Stream-decrypt src to out_fd with the given AES key. Strict: fewer than
 * 32 bytes or not whole blocks -> FORMAT; bad padding -> PADDING. */
static int decrypt_stream(const unsigned char aes[32], struct source *src, int out_fd)
{
    unsigned char iv[LG_IV_LEN], *in = NULL, *out = NULL;
    uint64_t total = 0;
    int outl, rc = SECPROV_OK;
    EVP_CIPHER_CTX *ctx = NULL;

    ssize_t n = source_read(src, iv, sizeof iv);
    if (n < 0)
        return SECPROV_ERR_IO;
    if (n < (ssize_t)sizeof iv)
        return SECPROV_ERR_FORMAT;
    in = malloc(CHUNK);
    out = malloc(CHUNK + 16);
    ctx = cbc_start(aes, iv, 0);
    if (in == NULL || out == NULL || ctx == NULL)
        rc = in == NULL || out == NULL ? SECPROV_ERR_NOMEM : SECPROV_ERR_INTERNAL;
    while (rc == SECPROV_OK && (n = source_read(src, in, CHUNK)) > 0) {
        total += (uint64_t)n;
        if (EVP_DecryptUpdate(ctx, out, &outl, in, (int)n) != 1)
            rc = SECPROV_ERR_INTERNAL;
        else
            rc = write_all(out_fd, out, (size_t)outl);
        sp_cleanse(out, (size_t)outl);
    }
    if (rc == SECPROV_OK && n < 0)
        rc = SECPROV_ERR_IO;
    if (rc == SECPROV_OK && (total < 16 || total % 16 != 0))
        rc = SECPROV_ERR_FORMAT;
    if (rc == SECPROV_OK) {
        if (EVP_DecryptFinal_ex(ctx, out, &outl) != 1)
            rc = SECPROV_ERR_PADDING;          /* wrong key or corrupted */
        else
            rc = write_all(out_fd, out, (size_t)outl);
        sp_cleanse(out, 16);
    }
    EVP_CIPHER_CTX_free(ctx);
    if (out != NULL)
        sp_cleanse(out, CHUNK + 16);
    free(in);
    free(out);
    return rc;
}

/* Stream-encrypt src; the output (IV || ct) goes to sink(bytes) callbacks. */
typedef int (*sink_fn)(void *user, const unsigned char *p, size_t len);

static int encrypt_stream(const unsigned char aes[32], const uint8_t *given_iv,
                          struct source *src, sink_fn sink, void *user)
{
    unsigned char iv[LG_IV_LEN], *in = NULL, *out = NULL;
    int outl, rc;
    ssize_t n = 0;
    EVP_CIPHER_CTX *ctx;

    if (given_iv != NULL)
        memcpy(iv, given_iv, sizeof iv);
    else if ((rc = sp_random(iv, sizeof iv)) != SECPROV_OK)
        return rc;
    if ((rc = sink(user, iv, sizeof iv)) != SECPROV_OK)
        return rc;
    in = malloc(CHUNK);
    out = malloc(CHUNK + 16);
    ctx = cbc_start(aes, iv, 1);
    if (in == NULL || out == NULL || ctx == NULL)
        rc = in == NULL || out == NULL ? SECPROV_ERR_NOMEM : SECPROV_ERR_INTERNAL;
    while (rc == SECPROV_OK && (n = source_read(src, in, CHUNK)) > 0) {
        if (EVP_EncryptUpdate(ctx, out, &outl, in, (int)n) != 1)
            rc = SECPROV_ERR_INTERNAL;
        else
            rc = sink(user, out, (size_t)outl);
        sp_cleanse(in, (size_t)n);
    }
    if (rc == SECPROV_OK && n < 0)
        rc = SECPROV_ERR_IO;
    if (rc == SECPROV_OK)
        rc = EVP_EncryptFinal_ex(ctx, out, &outl) == 1 ? sink(user, out, (size_t)outl)
                                                         : SECPROV_ERR_INTERNAL;
    EVP_CIPHER_CTX_free(ctx);
    free(in);
    free(out);
    return rc;
}

static int sink_fd(void *user, const unsigned char *p, size_t len)
{
    return write_all(*(int *)user, p, len);
}

struct sink_buf {
    unsigned char *buf;
    size_t len, cap;
};

static int sink_mem(void *user, const unsigned char *p, size_t len)
{
    struct sink_buf *b = user;
    if (len > b->cap - b->len)
        return SECPROV_ERR_INTERNAL;
    memcpy(b->buf + b->len, p, len);
    b->len += len;
    return SECPROV_OK;
}

/* The first `small` bytes to one fd, the rest to another. */
struct sink_split {
    int small_fd, big_fd;
    uint64_t small_left;
};

static int sink_split(void *user, const unsigned char *p, size_t len)
{
    struct sink_split *s = user;
    size_t first = s->small_left < len ? (size_t)s->small_left : len;
    int rc = write_all(s->small_fd, p, first);
    s->small_left -= first;
    return rc == SECPROV_OK ? write_all(s->big_fd, p + first, len - first) : rc;
}

static int key_string_ok(const char *key)
{
    return key != NULL && key[0] != '\0';
}

static int encrypt(const char *key, const uint8_t *iv, const void *in, size_t len,
                   void **out, size_t *out_len)
{
    unsigned char aes[32];
    struct sink_buf b = {NULL, 0, 16 + 16 * (len / 16 + 1)};
    struct source src = {in, len, -1};
    int rc;

    if (!key_string_ok(key) || out == NULL || out_len == NULL || (in == NULL && len > 0))
        return SECPROV_ERR_INVALID_ARG;
    *out = NULL;
    if ((b.buf = malloc(b.cap)) == NULL)
        return SECPROV_ERR_NOMEM;
    if ((rc = aes_key_of(key, strlen(key), aes)) == SECPROV_OK)
        rc = encrypt_stream(aes, iv, &src, sink_mem, &b);
    sp_cleanse(aes, sizeof aes);
    if (rc != SECPROV_OK || b.len != b.cap) {
        free(b.buf);
        return rc != SECPROV_OK ? rc : SECPROV_ERR_INTERNAL;
    }
    *out = b.buf;
    *out_len = b.len;
    return SECPROV_OK;
}

static int decrypt(const char *key, const void *in, size_t len, void **out, size_t *out_len)
{
    unsigned char aes[32], *pt = NULL;
    int outl1 = 0, outl2 = 0, rc = SECPROV_OK;
    EVP_CIPHER_CTX *ctx = NULL;

    if (!key_string_ok(key) || out == NULL || out_len == NULL || (in == NULL && len > 0))
        return SECPROV_ERR_INVALID_ARG;
    *out = NULL;
    *out_len = 0;
    if (len < 32 || len % 16 != 0)
        return SECPROV_ERR_FORMAT;
    if (len - 16 > INT_MAX)
        return SECPROV_ERR_TOO_LARGE;
    if ((pt = malloc(len)) == NULL)
        return SECPROV_ERR_NOMEM;
    if ((rc = aes_key_of(key, strlen(key), aes)) == SECPROV_OK) {
        ctx = cbc_start(aes, in, 0);
        if (ctx == NULL ||
            EVP_DecryptUpdate(ctx, pt, &outl1, (const unsigned char *)in + 16, (int)(len - 16)) != 1)
            rc = SECPROV_ERR_INTERNAL;
        else if (EVP_DecryptFinal_ex(ctx, pt + outl1, &outl2) != 1)
            rc = SECPROV_ERR_PADDING;
    }
    EVP_CIPHER_CTX_free(ctx);
    sp_cleanse(aes, sizeof aes);
    if (rc != SECPROV_OK) {
        sp_cleanse(pt, len);
        free(pt);
        return rc;
    }
    *out = pt;
    *out_len = (size_t)outl1 + (size_t)outl2;
    return SECPROV_OK;
}

static int encrypt_fd(const char *key, const uint8_t *iv, int in_fd, int out_fd)
{
    unsigned char aes[32];
    struct source src = {NULL, 0, in_fd};
    int rc;

    if (!key_string_ok(key))
        return SECPROV_ERR_INVALID_ARG;
    if ((rc = aes_key_of(key, strlen(key), aes)) == SECPROV_OK)
        rc = encrypt_stream(aes, iv, &src, sink_fd, &out_fd);
    sp_cleanse(aes, sizeof aes);
    return rc;
}

static int decrypt_fd(const char *key, const void *prefix, size_t prefix_len, int in_fd, int out_fd)
{
    unsigned char aes[32];
    struct source src = {prefix, prefix_len, in_fd};
    int rc;

    if (!key_string_ok(key) || (prefix == NULL && prefix_len > 0))
        return SECPROV_ERR_INVALID_ARG;
    if ((rc = aes_key_of(key, strlen(key), aes)) == SECPROV_OK)
        rc = decrypt_stream(aes, &src, out_fd);
    sp_cleanse(aes, sizeof aes);
    return rc;
}

static uint64_t small_len(uint64_t blob_len)
{
    uint64_t ratio = blob_len * LG_SMALL_RATIO_NUM / LG_SMALL_RATIO_DEN;
    return ratio < LG_SMALL_MAX ? ratio : LG_SMALL_MAX;
}

static int split_fd(const uint8_t *iv, int in_fd, uint64_t size, int small_fd, int big_fd)
{
    char key[LG_KEY_LEN + 1];
    unsigned char aes[32];
    uint64_t blob = 16 + 16 * (size / 16 + 1);
    struct sink_split s = {small_fd, big_fd, small_len(blob)};
    struct source src = {NULL, 0, in_fd};
    int rc = resource_key(key);

    if (rc == SECPROV_OK && (rc = aes_key_of(key, LG_KEY_LEN, aes)) == SECPROV_OK)
        rc = encrypt_stream(aes, iv, &src, sink_split, &s);
    sp_cleanse(key, sizeof key);
    sp_cleanse(aes, sizeof aes);
    return rc;
}

static int archive_decrypt_fd(const void *fragment, size_t len, int in_fd, int out_fd)
{
    unsigned char aes[32];
    struct source src = {NULL, 0, in_fd};
    int rc;

    if (fragment == NULL || len == 0)
        return SECPROV_ERR_INVALID_ARG;
    if ((rc = aes_key_of(fragment, len, aes)) == SECPROV_OK)
        rc = decrypt_stream(aes, &src, out_fd);
    sp_cleanse(aes, sizeof aes);
    return rc;
}

static const lg_scheme_ops ops = {
    .size = sizeof(lg_scheme_ops),
    .calc_hash = calc_hash,
    .fingerprint = fingerprint,
    .hw_hash = hw_hash,
    .api_key = api_key,
    .resource_key = resource_key,
    .encrypt = encrypt,
    .decrypt = decrypt,
    .encrypt_fd = encrypt_fd,
    .decrypt_fd = decrypt_fd,
    .split_fd = split_fd,
    .small_len = small_len,
    .archive_decrypt_fd = archive_decrypt_fd,
};

const lg_scheme_ops *lg_scheme(void)
{
    return &ops;
}
