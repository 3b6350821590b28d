/* The runtime state bundle's digest, HMAC and PCR shape: formats/bundle.h. */
#include "bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "canonical.h"

int sp_bundle_digest(json_object *bundle, uint8_t out[BUNDLE_DIGEST_LEN], char *why,
                     size_t why_len)
{
    static const char *const omit[] = {"attestation", "bundle_hmac", NULL};
    char *canon = NULL;
    size_t len = 0;
    unsigned int n = 0;
    int ok;
    EVP_MD_CTX *md;

    if (sp_canonical_json(bundle, omit, &canon, &len, why, why_len) != 0)
        return -1;
    md = EVP_MD_CTX_new();
    ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(md, BUNDLE_DOMAIN_TAG, strlen(BUNDLE_DOMAIN_TAG)) == 1 &&
         EVP_DigestUpdate(md, canon, len) == 1 && EVP_DigestFinal_ex(md, out, &n) == 1 &&
         n == BUNDLE_DIGEST_LEN;
    EVP_MD_CTX_free(md);
    free(canon);
    if (!ok) {
        if (why != NULL)
            snprintf(why, why_len, "bundle: SHA-256 failed");
        return -1;
    }
    return 0;
}

int sp_bundle_hmac(json_object *bundle, const unsigned char *key, size_t key_len,
                   char out[65], char *why, size_t why_len)
{
    static const char *const omit[] = {"bundle_hmac", NULL};
    unsigned char mac[32];
    unsigned int mlen = 0;
    char *canon = NULL;
    size_t clen = 0;

    if (sp_canonical_json(bundle, omit, &canon, &clen, why, why_len) != 0)
        return -1;
    if (key_len > 0x7fffffff ||
        HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)canon, clen, mac, &mlen) ==
            NULL || mlen != 32) {
        free(canon);
        if (why != NULL)
            snprintf(why, why_len, "bundle: HMAC-SHA256 failed");
        return -1;
    }
    free(canon);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    return 0;
}

json_object *sp_bundle_pcrs_of_report(json_object *report, char *why, size_t why_len)
{
    json_object *arr, *out;

    if (!json_object_object_get_ex(report, "pcrs", &arr) ||
        !json_object_is_type(arr, json_type_array)) {
        if (why != NULL)
            snprintf(why, why_len, "attestation.pcrs: missing or not an array");
        return NULL;
    }
    out = json_object_new_object();
    for (size_t i = 0; out != NULL && i < json_object_array_length(arr); i++) {
        json_object *e = json_object_array_get_idx(arr, i), *bank, *pcr, *value, *b;
        char idx[16];

        if (!json_object_object_get_ex(e, "bank", &bank) ||
            !json_object_is_type(bank, json_type_string) ||
            !json_object_object_get_ex(e, "pcr", &pcr) ||
            !json_object_is_type(pcr, json_type_int) ||
            !json_object_object_get_ex(e, "value", &value) ||
            !json_object_is_type(value, json_type_string) || json_object_get_int64(pcr) < 0 ||
            json_object_get_int64(pcr) > 23) {
            if (why != NULL)
                snprintf(why, why_len, "attestation.pcrs[%zu]: not {bank, pcr 0..23, value}", i);
            json_object_put(out);
            return NULL;
        }
        if (!json_object_object_get_ex(out, json_object_get_string(bank), &b)) {
            b = json_object_new_object();
            json_object_object_add(out, json_object_get_string(bank), b);
        }
        snprintf(idx, sizeof idx, "%d", (int)json_object_get_int64(pcr));
        json_object_object_add(b, idx, json_object_new_string(json_object_get_string(value)));
    }
    return out;
}
