/*
 * The legacy scheme's streams (docs/legacy-scheme.md), with bounded memory
 * (1 MiB buffers, zeroed after each use): encrypt and decrypt between file
 * descriptors, the big/small split of a resource, the join (small's bytes
 * before big's fd) and container archives (a raw-byte key).
 */
#include "legacy_parts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aead.h"
#include "state_files.h"
#include "secprov.h"

#define CHUNK ((size_t)1 << 20)          /* stream buffers: 1 MiB each */

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

/* Where output goes: sink(user, bytes) -> a status. */
typedef int (*sink_fn)(void *user, const unsigned char *p, size_t len);

static int write_all(int fd, const unsigned char *p, size_t len)
{
    return sp_write_all(fd, p, len) == 0 ? SECPROV_OK : SECPROV_ERR_IO;
}

static int sink_fd(void *user, const unsigned char *p, size_t len)
{
    return write_all(*(int *)user, p, len);
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

/* All of src through ctx (either direction) to sink, chunk by chunk, both
 * buffers zeroed after each chunk (one holds plaintext); *total counts the
 * bytes read. The caller finishes ctx. */
static int cbc_pump(EVP_CIPHER_CTX *ctx, struct source *src, sink_fn sink, void *user,
                    uint64_t *total)
{
    unsigned char *in = malloc(CHUNK), *out = malloc(CHUNK + 16);
    ssize_t n = 0;
    int outl = 0, rc = in == NULL || out == NULL ? SECPROV_ERR_NOMEM : SECPROV_OK;

    while (rc == SECPROV_OK && (n = source_read(src, in, CHUNK)) > 0) {
        *total += (uint64_t)n;
        if (EVP_CipherUpdate(ctx, out, &outl, in, (int)n) != 1)
            rc = SECPROV_ERR_INTERNAL;
        else
            rc = sink(user, out, (size_t)outl);
        sp_cleanse(in, (size_t)n);
        sp_cleanse(out, (size_t)outl);
    }
    if (rc == SECPROV_OK && n < 0)
        rc = SECPROV_ERR_IO;
    free(in);
    free(out);
    return rc;
}

/* Stream-decrypt src to out_fd with the given AES key. Strict: fewer than
 * 32 bytes or not whole blocks -> FORMAT; bad padding -> PADDING. */
static int decrypt_stream(const unsigned char aes[32], struct source *src, int out_fd)
{
    unsigned char iv[LG_IV_LEN], last[32];
    uint64_t total = 0;
    int outl = 0, rc;
    EVP_CIPHER_CTX *ctx;

    ssize_t n = source_read(src, iv, sizeof iv);
    if (n < 0)
        return SECPROV_ERR_IO;
    if (n < (ssize_t)sizeof iv)
        return SECPROV_ERR_FORMAT;
    if ((ctx = lg_cbc_start(aes, iv, 0)) == NULL)
        return SECPROV_ERR_INTERNAL;
    rc = cbc_pump(ctx, src, sink_fd, &out_fd, &total);
    if (rc == SECPROV_OK && (total < 16 || total % 16 != 0))
        rc = SECPROV_ERR_FORMAT;
    if (rc == SECPROV_OK) {
        if (EVP_DecryptFinal_ex(ctx, last, &outl) != 1)
            rc = SECPROV_ERR_PADDING;          /* wrong key or corrupted */
        else
            rc = write_all(out_fd, last, (size_t)outl);
    }
    sp_cleanse(last, sizeof last);
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

/* Stream-encrypt src; the output (IV || ct) goes to sink(bytes) callbacks. */
static int encrypt_stream(const unsigned char aes[32], const uint8_t *given_iv,
                          struct source *src, sink_fn sink, void *user)
{
    unsigned char iv[LG_IV_LEN], last[32];
    uint64_t total = 0;
    int outl = 0, rc;
    EVP_CIPHER_CTX *ctx;

    if (given_iv != NULL)
        memcpy(iv, given_iv, sizeof iv);
    else if ((rc = sp_random(iv, sizeof iv)) != SECPROV_OK)
        return rc;
    if ((rc = sink(user, iv, sizeof iv)) != SECPROV_OK)
        return rc;
    if ((ctx = lg_cbc_start(aes, iv, 1)) == NULL)
        return SECPROV_ERR_INTERNAL;
    rc = cbc_pump(ctx, src, sink, user, &total);
    if (rc == SECPROV_OK)
        rc = EVP_EncryptFinal_ex(ctx, last, &outl) == 1 ? sink(user, last, (size_t)outl)
                                                          : SECPROV_ERR_INTERNAL;
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

/* The AES key of key (len bytes), then decrypt src to out_fd. */
static int decrypt_with(const void *key, size_t len, struct source *src, int out_fd)
{
    unsigned char aes[32];
    int rc = lg_aes_key_of(key, len, aes);

    if (rc == SECPROV_OK)
        rc = decrypt_stream(aes, src, out_fd);
    sp_cleanse(aes, sizeof aes);
    return rc;
}

/* The AES key of key (len bytes), then encrypt src to sink. */
static int encrypt_with(const void *key, size_t len, const uint8_t *iv, struct source *src,
                        sink_fn sink, void *user)
{
    unsigned char aes[32];
    int rc = lg_aes_key_of(key, len, aes);

    if (rc == SECPROV_OK)
        rc = encrypt_stream(aes, iv, src, sink, user);
    sp_cleanse(aes, sizeof aes);
    return rc;
}

int lg_encrypt_fd(const char *key, const uint8_t *iv, int in_fd, int out_fd)
{
    struct source src = {NULL, 0, in_fd};

    if (!lg_key_string_ok(key))
        return SECPROV_ERR_INVALID_ARG;
    return encrypt_with(key, strlen(key), iv, &src, sink_fd, &out_fd);
}

int lg_decrypt_fd(const char *key, const void *prefix, size_t prefix_len, int in_fd, int out_fd)
{
    struct source src = {prefix, prefix_len, in_fd};

    if (!lg_key_string_ok(key) || (prefix == NULL && prefix_len > 0))
        return SECPROV_ERR_INVALID_ARG;
    return decrypt_with(key, strlen(key), &src, out_fd);
}

uint64_t lg_small_len(uint64_t blob_len)
{
    uint64_t ratio = blob_len * LG_SMALL_RATIO_NUM / LG_SMALL_RATIO_DEN;
    return ratio < LG_SMALL_MAX ? ratio : LG_SMALL_MAX;
}

int lg_split_fd(const uint8_t *iv, int in_fd, uint64_t size, int small_fd, int big_fd)
{
    char key[LG_KEY_LEN + 1];
    uint64_t blob = 16 + 16 * (size / 16 + 1);
    struct sink_split s = {small_fd, big_fd, lg_small_len(blob)};
    struct source src = {NULL, 0, in_fd};
    int rc = lg_resource_key(key);

    if (rc == SECPROV_OK)
        rc = encrypt_with(key, LG_KEY_LEN, iv, &src, sink_split, &s);
    sp_cleanse(key, sizeof key);
    return rc;
}

int lg_archive_decrypt_fd(const void *fragment, size_t len, int in_fd, int out_fd)
{
    struct source src = {NULL, 0, in_fd};

    if (fragment == NULL || len == 0)
        return SECPROV_ERR_INVALID_ARG;
    return decrypt_with(fragment, len, &src, out_fd);
}
