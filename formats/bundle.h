/*
 * The runtime attestor's state bundle ("secprov-bundle-v1",
 * docs/attestor.md#the-bundle): what the device's attestor writes and a
 * remote party checks offline. Compiled into secprov-attestor (which
 * writes it) and libsecprov_verify (which checks it).
 *
 *  - The TPM: the bundle's "attestation" member is a secprov attestation
 *    report (formats/report.h) whose nonce is the bundle digest:
 *    SHA-256(BUNDLE_DOMAIN_TAG || the canonical bytes (canonical.h) of the
 *    bundle less its top-level members "attestation" and "bundle_hmac").
 *    Every other member (state, failures, PCR values, the audit head, the
 *    verifier's nonce ...) is therefore covered by the AK's quote, and by
 *    the report's ML-DSA-65 signature where the device has one.
 *  - "boot_measurements.pcrs" ({bank: {index: hex}}) must equal the PCRs
 *    the report quotes (the verifier checks it).
 *  - "bundle_hmac": HMAC-SHA256 with a key the device's local consumers
 *    share, over the canonical bytes of the bundle less "bundle_hmac" only
 *    (so it covers the attestation too).
 */
#ifndef SECPROV_FORMATS_BUNDLE_H
#define SECPROV_FORMATS_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define BUNDLE_FORMAT "secprov-bundle-v1"
#define BUNDLE_DOMAIN_TAG "secprov-bundle-v1"
#define BUNDLE_DIGEST_LEN 32

/* SHA-256(BUNDLE_DOMAIN_TAG || canonical(bundle less attestation and
 * bundle_hmac)): the nonce of the bundle's report. 0, or -1 with why. */
int sp_bundle_digest(json_object *bundle, uint8_t out[BUNDLE_DIGEST_LEN], char *why,
                     size_t why_len);

/* HMAC-SHA256(key, canonical(bundle less bundle_hmac)) as 64 lower-case hex
 * digits and a NUL. 0, or -1 with why. */
int sp_bundle_hmac(json_object *bundle, const unsigned char *key, size_t key_len,
                   char out[65], char *why, size_t why_len);

/* A report's "pcrs" array ([{"bank","pcr","value"}]) as the bundle's
 * {bank: {"index": hex}} object (new reference), or NULL with why. */
json_object *sp_bundle_pcrs_of_report(json_object *report, char *why, size_t why_len);

#endif
