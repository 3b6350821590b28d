/*
 * The legacy scheme's keys (docs/legacy-scheme.md): calc_hash (base64 of
 * SHA-384), the hardware hash, the per-user API key, the resource key, and
 * a key string's AES-256 key (SHA-256). OpenSSL EVP only.
 */
#include "legacy_parts.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "fingerprint.h"
#include "secprov.h"

int lg_calc_hash(const void *data, size_t len, char *out)
{
    unsigned char md[48];
    unsigned int md_len = 0;

    if (EVP_Digest(data, len, md, &md_len, EVP_sha384(), NULL) != 1 || md_len != 48)
        return SECPROV_ERR_INTERNAL;
    EVP_EncodeBlock((unsigned char *)out, md, 48);          /* 64 chars + NUL */
    sp_cleanse(md, sizeof md);
    return SECPROV_OK;
}

/* lg_calc_hash of the concatenation of parts (NULL-terminated list). */
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
    int rc = lg_calc_hash(s, len, out);
    sp_cleanse(s, len);                                     /* may hold a password */
    free(s);
    return rc;
}

int lg_hw_hash(const char *hardware, char *out)
{
    if (hardware == NULL)
        return SECPROV_ERR_INVALID_ARG;
    const char *parts[] = {LG_HW_PREFIX, hardware, LG_HW_SUFFIX, NULL};
    return hash_of(out, parts);
}

int lg_api_key(const char *email, const char *password, const char *hwh, char *out)
{
    if (email == NULL || password == NULL || hwh == NULL)
        return SECPROV_ERR_INVALID_ARG;
    const char *parts[] = {email, "-", password, "-", hwh, LG_API_KEY_SUFFIX, NULL};
    return hash_of(out, parts);
}

int lg_resource_key(char *out)
{
    return lg_calc_hash(LG_RESOURCE_SECRET, strlen(LG_RESOURCE_SECRET), out);
}

int lg_fingerprint(char *out, size_t out_len)
{
    return lg_fingerprint_collect(out, out_len);
}

int lg_aes_key_of(const void *key, size_t len, unsigned char aes[32])
{
    unsigned int n = 0;
    return EVP_Digest(key, len, aes, &n, EVP_sha256(), NULL) == 1 && n == 32
               ? SECPROV_OK : SECPROV_ERR_INTERNAL;
}

int lg_key_string_ok(const char *key)
{
    return key != NULL && key[0] != '\0';
}
