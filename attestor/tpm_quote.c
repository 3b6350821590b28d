/* The daemon's TPM (docs/attestor.md#the-tpm): through libsecprov's public
 * API, opened for one attestation and closed after it, so that on a TPM
 * without a resource manager (/dev/tpm0, one opener) the daemon never
 * holds the device between attestations; the quote's self-check through
 * libsecprov_verify against the daemon's own enrollment record. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attestor.h"
#include "secprov.h"
#include "secprov_verify.h"

static void quiet_log(int level, const char *message, void *user)
{
    at_tpm *t = user;

    /* the handle's warnings and errors (a fallback's reason) go to the
     * daemon's stderr, and the first into why */
    if (level < SECPROV_LOG_WARNING)
        return;
    fprintf(stderr, "secprov-attestor: secprov: %s\n", message);
    if (t->why[0] == '\0')
        snprintf(t->why, sizeof t->why, "%s", message);
}

int at_tpm_open(at_daemon *d, at_tpm *t)
{
    secprov_options o = SECPROV_OPTIONS_INIT;
    int rc;

    memset(t, 0, sizeof *t);
    o.config_path = d->config_path;
    o.log_fn = quiet_log;
    o.log_user = t;
    if ((rc = secprov_open(&t->sp, &o)) != SECPROV_OK) {
        if (t->why[0] == '\0')
            snprintf(t->why, sizeof t->why, "secprov_open failed (%d)", rc);
        t->sp = NULL;
        return -1;
    }
    if (strcmp(secprov_provider_name(t->sp), "tpm") != 0) {
        snprintf(t->why, sizeof t->why, "no usable TPM: the %s provider serves%s%s",
                 secprov_provider_name(t->sp), secprov_fell_back(t->sp) ? ": " : "",
                 secprov_fell_back(t->sp) && secprov_fallback_reason(t->sp) != NULL
                     ? secprov_fallback_reason(t->sp) : "");
        secprov_close(t->sp);
        t->sp = NULL;
        return -1;
    }
    t->available = 1;
    return 0;
}

void at_tpm_close(at_tpm *t)
{
    if (t->sp != NULL)
        secprov_close(t->sp);
    t->sp = NULL;
}

int at_tpm_quote(at_daemon *d, at_tpm *t, const unsigned char *nonce, size_t len,
                 json_object **report, int *verified, char *why, size_t why_len)
{
    char *text = NULL, detail[512];
    int rc;

    *report = NULL;
    *verified = 0;
    if ((rc = secprov_attest(t->sp, nonce, len, SECPROV_ATTEST_REQUIRE_TPM, &text)) !=
        SECPROV_OK) {
        snprintf(why, why_len, "the TPM quote failed (%d)%s%s", rc, t->why[0] ? ": " : "",
                 t->why);
        return -1;
    }
    if ((*report = json_tokener_parse(text)) == NULL) {
        secprov_attest_free(text);
        snprintf(why, why_len, "the TPM quote's report is not JSON");
        return -1;
    }
    if (d->enrollment == NULL && secprov_attest_enroll(t->sp, 0, &d->enrollment) != SECPROV_OK) {
        d->enrollment = NULL;
        secprov_attest_free(text);
        snprintf(why, why_len, "the attestation key's enrollment record cannot be read");
        return 0;
    }
    rc = secprov_verify_report(text, nonce, len, d->enrollment, NULL, detail, sizeof detail);
    secprov_attest_free(text);
    if (rc != SECPROV_VERIFY_OK) {
        snprintf(why, why_len, "the TPM quote does not verify (%s): %s",
                 secprov_verify_reason(rc), detail);
        /* the AK may have been replaced: read the record again next time */
        secprov_attest_free(d->enrollment);
        d->enrollment = NULL;
        return 0;
    }
    *verified = 1;
    return 0;
}
