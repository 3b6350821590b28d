/*
 * The attestation report, version 2 ("secprov-attest", docs/attestation.md):
 * what binds every member to the TPM's signature and to the ML-DSA-65 one.
 * Compiled into tpm.so (which writes it) and libsecprov_verify (which
 * checks it).
 *
 *  - The quote's qualifying data is SHA-256("secprov-report-v2" || the
 *    canonical bytes (canonical.h) of the report less the members in
 *    sp_report_after_quote): every member the device knows before it quotes
 *    (format, version, time, issued_at, expires_at, provider, nonce,
 *    device, ak_name, mldsa_key, and any member a later version adds).
 *  - The members in sp_report_after_quote come from the quote itself and
 *    are each checked equal to the signed TPMS_ATTEST: "quote" (the signed
 *    bytes and the signature), "pcrs" (their SHA-256 is the quote's PCR
 *    digest), "zero_pcrs" (recomputed from "pcrs"), "clock" (the quote's
 *    clockInfo), "mldsa" (the second signature).
 *  - With ML-DSA-65, the signature signs SHA3-256 of the canonical bytes of
 *    the whole report less "mldsa" (context string "secprov-report-v2").
 */
#ifndef SECPROV_FORMATS_REPORT_H
#define SECPROV_FORMATS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define REPORT_VERSION 2
#define REPORT_DOMAIN_TAG "secprov-report-v2"
#define REPORT_DIGEST_LEN 32
/* attest.lifetime_s: seconds from issued_at to expires_at. */
#define REPORT_LIFETIME_DEFAULT 300
#define REPORT_LIFETIME_MAX 86400

/* The members the qualifying data leaves out (NULL-terminated). */
extern const char *const sp_report_after_quote[];

/* SHA-256(REPORT_DOMAIN_TAG || canonical(report less sp_report_after_quote)).
 * 0, or -1 with why set. */
int sp_report_qualifying_data(json_object *report, uint8_t out[REPORT_DIGEST_LEN], char *why,
                              size_t why_len);

/* SHA3-256(canonical(report less "mldsa")): what ML-DSA-65 signs. */
int sp_report_mldsa_digest(json_object *report, uint8_t out[REPORT_DIGEST_LEN], char *why,
                           size_t why_len);

#endif
