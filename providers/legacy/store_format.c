/* The legacy store's file format: see store_format.h. */
#include "store_format.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "secprov.h"

static const uint8_t magic[4] = {'S', 'P', 'L', 'S'};
#define VERSION 1
#define SALT_OFF 8
#define NONCE_OFF 24
#define TAG_OFF 36
#define KDF_INFO "secprov legacy store v1"

static int derive_key(const char *fingerprint, const uint8_t *salt, uint8_t key[SP_GCM_KEY_LEN])
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    size_t klen = SP_GCM_KEY_LEN;
    int ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt, 16) == 1 &&
             EVP_PKEY_CTX_set1_hkdf_key(ctx, (const unsigned char *)fingerprint,
                                        (int)strlen(fingerprint)) == 1 &&
             EVP_PKEY_CTX_add1_hkdf_info(ctx, (const unsigned char *)KDF_INFO,
                                         (int)strlen(KDF_INFO)) == 1 &&
             EVP_PKEY_derive(ctx, key, &klen) == 1 && klen == SP_GCM_KEY_LEN;
    EVP_PKEY_CTX_free(ctx);
    return ok ? SECPROV_OK : SECPROV_ERR_INTERNAL;
}

/* AAD: the header up to the tag, then the name. */
static uint8_t *make_aad(const uint8_t *header, const char *name, size_t *aad_len)
{
    size_t nlen = strlen(name);
    uint8_t *aad = malloc(TAG_OFF + nlen);

    if (aad != NULL) {
        memcpy(aad, header, TAG_OFF);
        memcpy(aad + TAG_OFF, name, nlen);
        *aad_len = TAG_OFF + nlen;
    }
    return aad;
}

int lg_store_pack(const char *fingerprint, const char *name, const void *data, size_t len,
                  uint8_t **out, size_t *out_len)
{
    uint8_t key[SP_GCM_KEY_LEN], *file, *aad;
    size_t aad_len;
    int rc;

    *out = NULL;
    file = calloc(1, LG_STORE_HEADER + len);
    if (file == NULL)
        return SECPROV_ERR_NOMEM;
    memcpy(file, magic, 4);
    file[4] = VERSION;
    if ((rc = sp_random(file + SALT_OFF, 16 + SP_GCM_IV_LEN)) != SECPROV_OK ||
        (rc = derive_key(fingerprint, file + SALT_OFF, key)) != SECPROV_OK) {
        free(file);
        return rc;
    }
    aad = make_aad(file, name, &aad_len);
    rc = aad == NULL ? SECPROV_ERR_NOMEM
                     : sp_gcm_encrypt(key, file + NONCE_OFF, aad, aad_len, data, len,
                                      file + LG_STORE_HEADER, file + TAG_OFF);
    sp_cleanse(key, sizeof key);
    free(aad);
    if (rc != SECPROV_OK) {
        free(file);
        return rc;
    }
    *out = file;
    *out_len = LG_STORE_HEADER + len;
    return SECPROV_OK;
}

int lg_store_unpack(const char *fingerprint, const char *name, const uint8_t *file, size_t len,
                    void *(*alloc)(size_t), void (*release)(void *, size_t),
                    void **out, size_t *out_len)
{
    uint8_t key[SP_GCM_KEY_LEN], *aad;
    size_t aad_len, n;
    void *pt;
    int rc;

    *out = NULL;
    *out_len = 0;
    if (len <= LG_STORE_HEADER || memcmp(file, magic, 4) != 0 || file[4] != VERSION ||
        file[5] != 0 || file[6] != 0 || file[7] != 0)
        return SECPROV_ERR_INTEGRITY;
    n = len - LG_STORE_HEADER;
    pt = alloc(n);
    if (pt == NULL)
        return SECPROV_ERR_NOMEM;
    if ((rc = derive_key(fingerprint, file + SALT_OFF, key)) != SECPROV_OK) {
        release(pt, n);
        return rc;
    }
    aad = make_aad(file, name, &aad_len);
    rc = aad == NULL ? SECPROV_ERR_NOMEM
                     : sp_gcm_decrypt(key, file + NONCE_OFF, aad, aad_len,
                                      file + LG_STORE_HEADER, n, file + TAG_OFF, pt);
    sp_cleanse(key, sizeof key);
    free(aad);
    if (rc != SECPROV_OK) {
        release(pt, n);
        return rc;
    }
    *out = pt;
    *out_len = n;
    return SECPROV_OK;
}
