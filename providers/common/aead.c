/*
 * AES-256-GCM and randomness through OpenSSL EVP: see aead.h.
 */
#include "aead.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "secprov.h"

/* EVP takes int lengths: feed large buffers in chunks. */
#define CHUNK ((size_t)1 << 30)

int sp_random(void *buf, size_t len)
{
    unsigned char *p = buf;

    while (len > 0) {
        size_t n = len > CHUNK ? CHUNK : len;
        if (RAND_bytes(p, (int)n) != 1)
            return SECPROV_ERR_INTERNAL;
        p += n;
        len -= n;
    }
    return SECPROV_OK;
}

void sp_cleanse(void *p, size_t len)
{
    if (p != NULL && len > 0)
        OPENSSL_cleanse(p, len);
}

static EVP_CIPHER_CTX *gcm_start(const uint8_t *key, const uint8_t *iv, int enc,
                                 const void *aad, size_t aad_len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl;

    if (ctx == NULL)
        return NULL;
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SP_GCM_IV_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) != 1 ||
        aad_len > INT_MAX ||
        (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len) != 1)) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int gcm_update(EVP_CIPHER_CTX *ctx, const unsigned char *in, size_t len, unsigned char *out)
{
    while (len > 0) {
        size_t n = len > CHUNK ? CHUNK : len;
        int outl = 0;
        if (EVP_CipherUpdate(ctx, out, &outl, in, (int)n) != 1 || (size_t)outl != n)
            return -1;
        in += n;
        out += n;
        len -= n;
    }
    return 0;
}

int sp_gcm_encrypt(const uint8_t key[SP_GCM_KEY_LEN], const uint8_t iv[SP_GCM_IV_LEN],
                   const void *aad, size_t aad_len,
                   const void *pt, size_t len, void *ct, uint8_t tag[SP_GCM_TAG_LEN])
{
    EVP_CIPHER_CTX *ctx = gcm_start(key, iv, 1, aad, aad_len);
    unsigned char end[16];
    int outl = 0, rc = SECPROV_ERR_INTERNAL;

    if (ctx == NULL)
        return SECPROV_ERR_INTERNAL;
    if (gcm_update(ctx, pt, len, ct) == 0 &&
        EVP_CipherFinal_ex(ctx, end, &outl) == 1 && outl == 0 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SP_GCM_TAG_LEN, tag) == 1)
        rc = SECPROV_OK;
    EVP_CIPHER_CTX_free(ctx);            /* cleanses the key schedule */
    if (rc != SECPROV_OK)
        sp_cleanse(ct, len);
    return rc;
}

int sp_gcm_decrypt(const uint8_t key[SP_GCM_KEY_LEN], const uint8_t iv[SP_GCM_IV_LEN],
                   const void *aad, size_t aad_len,
                   const void *ct, size_t len, const uint8_t tag[SP_GCM_TAG_LEN], void *pt)
{
    EVP_CIPHER_CTX *ctx = gcm_start(key, iv, 0, aad, aad_len);
    unsigned char end[16];
    uint8_t tag_copy[SP_GCM_TAG_LEN];
    int outl = 0, rc;

    if (ctx == NULL)
        return SECPROV_ERR_INTERNAL;
    for (size_t i = 0; i < SP_GCM_TAG_LEN; i++)
        tag_copy[i] = tag[i];
    if (gcm_update(ctx, ct, len, pt) != 0 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SP_GCM_TAG_LEN, tag_copy) != 1)
        rc = SECPROV_ERR_INTERNAL;
    else if (EVP_CipherFinal_ex(ctx, end, &outl) != 1)
        rc = SECPROV_ERR_INTEGRITY;      /* tag mismatch: tampered, or wrong key/AAD */
    else
        rc = SECPROV_OK;
    EVP_CIPHER_CTX_free(ctx);
    if (rc != SECPROV_OK)
        sp_cleanse(pt, len);
    return rc;
}
