/*
 * The legacy scheme's cipher on buffers (docs/legacy-scheme.md):
 * AES-256-CBC, PKCS#7, IV || ciphertext. The output is allocated with the
 * caller's allocator (the core's secret memory): plaintext is written only
 * there, never to a buffer of this file's own. OpenSSL EVP only.
 */
#include "legacy_parts.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "aead.h"
#include "secprov.h"

#define STEP ((size_t)1 << 20)           /* bytes per EVP call (an int) */

EVP_CIPHER_CTX *lg_cbc_start(const unsigned char aes[32], const unsigned char iv[16], int enc)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx != NULL && EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes, iv, enc) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

static int args_ok(const char *key, const void *in, size_t len, secprov_legacy_alloc_fn alloc,
                   secprov_legacy_release_fn release, void **out, size_t *out_len)
{
    return lg_key_string_ok(key) && alloc != NULL && release != NULL && out != NULL &&
           out_len != NULL && (in != NULL || len == 0);
}

/* in (len bytes) encrypted with aes from iv into ct (room for all of it
 * and the last block): the bytes written, or -1. */
static long long cbc_encrypt(const unsigned char aes[32], const unsigned char iv[16],
                             const unsigned char *in, size_t len, unsigned char *ct)
{
    EVP_CIPHER_CTX *ctx = lg_cbc_start(aes, iv, 1);
    size_t done = 0, written = 0;
    int outl = 0, ok = ctx != NULL;

    while (ok && done < len) {
        size_t n = len - done < STEP ? len - done : STEP;
        ok = EVP_EncryptUpdate(ctx, ct + written, &outl, in + done, (int)n) == 1;
        done += n;
        written += (size_t)outl;
    }
    if (ok && (ok = EVP_EncryptFinal_ex(ctx, ct + written, &outl) == 1))
        written += (size_t)outl;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? (long long)written : -1;
}

int lg_encrypt(const char *key, const uint8_t *iv, const void *in, size_t len,
               secprov_legacy_alloc_fn alloc, secprov_legacy_release_fn release,
               void **out, size_t *out_len)
{
    unsigned char aes[32], *buf;
    size_t cap;
    int rc;

    if (!args_ok(key, in, len, alloc, release, out, out_len))
        return SECPROV_ERR_INVALID_ARG;
    *out = NULL;
    if (len > SIZE_MAX - 2 * LG_IV_LEN)
        return SECPROV_ERR_TOO_LARGE;
    cap = LG_IV_LEN + 16 * (len / 16 + 1);
    if ((buf = alloc(cap)) == NULL)
        return SECPROV_ERR_NOMEM;
    if (iv != NULL)
        memcpy(buf, iv, LG_IV_LEN);
    rc = iv != NULL ? SECPROV_OK : sp_random(buf, LG_IV_LEN);
    if (rc == SECPROV_OK && (rc = lg_aes_key_of(key, strlen(key), aes)) == SECPROV_OK) {
        long long n = cbc_encrypt(aes, buf, in, len, buf + LG_IV_LEN);
        rc = n == (long long)(cap - LG_IV_LEN) ? SECPROV_OK : SECPROV_ERR_INTERNAL;
    }
    sp_cleanse(aes, sizeof aes);
    if (rc != SECPROV_OK) {
        release(buf, cap);
        return rc;
    }
    *out = buf;
    *out_len = cap;
    return SECPROV_OK;
}

int lg_decrypt(const char *key, const void *in, size_t len,
               secprov_legacy_alloc_fn alloc, secprov_legacy_release_fn release,
               void **out, size_t *out_len)
{
    unsigned char aes[32], *pt = NULL;
    int outl1 = 0, outl2 = 0, rc = SECPROV_OK;
    EVP_CIPHER_CTX *ctx = NULL;

    if (!args_ok(key, in, len, alloc, release, out, out_len))
        return SECPROV_ERR_INVALID_ARG;
    *out = NULL;
    *out_len = 0;
    if (len < 32 || len % 16 != 0)
        return SECPROV_ERR_FORMAT;
    if (len - 16 > INT_MAX)
        return SECPROV_ERR_TOO_LARGE;
    /* len: EVP_DecryptUpdate's room (its input and a block); the
     * plaintext is shorter, and *out_len says by how much. */
    if ((pt = alloc(len)) == NULL)
        return SECPROV_ERR_NOMEM;
    if ((rc = lg_aes_key_of(key, strlen(key), aes)) == SECPROV_OK) {
        ctx = lg_cbc_start(aes, in, 0);
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
        release(pt, len);
        return rc;
    }
    *out = pt;
    *out_len = (size_t)outl1 + (size_t)outl2;
    return SECPROV_OK;
}
