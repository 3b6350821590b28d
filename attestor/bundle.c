/* The runtime state bundle's HMAC: HMAC-SHA256 with the key file's bytes
 * over the canonical form (formats/canonical.h) of the bundle less its
 * top-level "bundle_hmac" member. */
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>

#include "attestor.h"
#include "canonical.h"

int at_bundle_hmac(json_object *bundle, const unsigned char *key, size_t key_len, char out[65],
                   char *why, size_t why_len)
{
    static const char *const omit[] = {"bundle_hmac", NULL};
    unsigned char mac[32];
    unsigned int mlen = 0;
    char *canon = NULL;
    size_t clen = 0;

    if (sp_canonical_json(bundle, omit, &canon, &clen, why, why_len) != 0)
        return -1;
    if (HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)canon, clen, mac, &mlen) ==
        NULL || mlen != 32) {
        free(canon);
        snprintf(why, why_len, "HMAC-SHA256 failed");
        return -1;
    }
    free(canon);
    at_hex(mac, 32, out);
    return 0;
}
