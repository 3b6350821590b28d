/* secprov_verify_bundle(): see secprov_verify.h and docs/attestor.md#the-bundle.
 * The bundle's report is checked by secprov_verify_report2 with the bundle
 * digest (formats/bundle.h) as its nonce and the bundle's own PCR values as
 * the expected ones, so the quote covers every member of the bundle and
 * the PCR values the bundle states are the ones quoted. */
#include "secprov_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "verify_json.h"

/* The bundle itself, or the attestor's answer {"state": ..., "bundle": {...}}. */
static json_object *bundle_of(json_object *doc)
{
    json_object *inner;

    if (!json_object_object_get_ex(doc, "format", NULL) &&
        json_object_object_get_ex(doc, "bundle", &inner) &&
        json_object_is_type(inner, json_type_object))
        return inner;
    return doc;
}

static int nonce_matches(json_object *b, const unsigned char *nonce, size_t len, vj_err *e)
{
    json_object *n;
    char hex[2 * SECPROV_VERIFY_BUNDLE_NONCE_MAX + 1];

    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", nonce[i]);
    if (!json_object_object_get_ex(b, "nonce", &n) || !json_object_is_type(n, json_type_string))
        return vj_fail(e, "bundle.nonce: none (the bundle was not made for a verifier's nonce: "
                          "ask GET /api/v1/attest?nonce=HEX)");
    if (strcmp(json_object_get_string(n), hex) != 0)
        return vj_fail(e, "bundle.nonce: %.80s, not the verifier's %s", json_object_get_string(n),
                       hex);
    return 0;
}

int secprov_verify_bundle(const char *bundle_text, const void *nonce, size_t nonce_len,
                          const char *enrollment, const char *expected_pcrs,
                          const secprov_verify_options *opt, secprov_verify_breakdown *bd,
                          char *detail, size_t detail_len)
{
    vj_err e = {detail, detail_len};
    json_object *doc, *b, *format, *att, *boot, *pcrs;
    uint8_t digest[BUNDLE_DIGEST_LEN];
    char why[300];
    int rc;

    vj_fail(&e, "ok");
    if (bundle_text == NULL || enrollment == NULL || (nonce == NULL) != (nonce_len == 0) ||
        nonce_len > SECPROV_VERIFY_BUNDLE_NONCE_MAX) {
        vj_fail(&e, "a NULL bundle or enrollment, or a nonce not 1 to %d bytes",
                SECPROV_VERIFY_BUNDLE_NONCE_MAX);
        return SECPROV_VERIFY_BAD_ARGUMENT;
    }
    if ((doc = vj_parse(bundle_text, "bundle", &e)) == NULL)
        return SECPROV_VERIFY_MALFORMED_BUNDLE;
    b = bundle_of(doc);
    rc = SECPROV_VERIFY_MALFORMED_BUNDLE;
    if (!json_object_object_get_ex(b, "format", &format) ||
        !json_object_is_type(format, json_type_string) ||
        strcmp(json_object_get_string(format), BUNDLE_FORMAT) != 0) {
        vj_fail(&e, "bundle.format: not \"%s\"", BUNDLE_FORMAT);
    } else if (!json_object_object_get_ex(b, "attestation", &att) ||
               !json_object_is_type(att, json_type_object)) {
        vj_fail(&e, "bundle.attestation: no TPM quote (the device had no usable TPM: only the "
                    "bundle's HMAC protects it, for local consumers)");
    } else if (!json_object_object_get_ex(b, "boot_measurements", &boot) ||
               !json_object_object_get_ex(boot, "pcrs", &pcrs) ||
               !json_object_is_type(pcrs, json_type_object)) {
        vj_fail(&e, "bundle.boot_measurements.pcrs: missing or not an object");
    } else if (sp_bundle_digest(b, digest, why, sizeof why) != 0) {
        vj_fail(&e, "%s", why);
    } else if (nonce != NULL && nonce_matches(b, nonce, nonce_len, &e) != 0) {
        rc = SECPROV_VERIFY_NONCE;
    } else {
        char *report = strdup(json_object_to_json_string_ext(att, JSON_C_TO_STRING_PLAIN |
                                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
        char *stated = strdup(json_object_to_json_string_ext(pcrs, JSON_C_TO_STRING_PLAIN));

        if (report == NULL || stated == NULL) {
            rc = SECPROV_VERIFY_NOMEM;
        } else {
            /* the quote covers the bundle; the PCRs stated are the ones quoted */
            rc = secprov_verify_report2(report, digest, sizeof digest, enrollment, stated, opt,
                                        bd, detail, detail_len);
            if (rc == SECPROV_VERIFY_OK && expected_pcrs != NULL)
                rc = secprov_verify_report2(report, digest, sizeof digest, enrollment,
                                            expected_pcrs, opt, bd, detail, detail_len);
            if (rc == SECPROV_VERIFY_NONCE)
                vj_fail(&e, "bundle: changed after the TPM signed it (the quote's nonce is not "
                            "this bundle's digest: a member other than attestation and "
                            "bundle_hmac differs)");
            else if (rc != SECPROV_VERIFY_OK && detail != NULL && detail_len > 0) {
                char inner[512];
                snprintf(inner, sizeof inner, "%s", detail);
                vj_fail(&e, "bundle.attestation: %s", inner);
            }
        }
        free(report);
        free(stated);
    }
    json_object_put(doc);
    return rc;
}
