/*
 * secprov_verify: checks a secprov attestation report offline (no TPM): on
 * a server, from the report alone and what the verifier pinned at
 * enrollment. A library of its own, libsecprov_verify.so (OpenSSL, json-c
 * and tpm2-tss's marshalling library libtss2-mu); libsecprov does not need
 * it. Formats and checks: docs/attestation.md.
 */
#ifndef SECPROV_VERIFY_H
#define SECPROV_VERIFY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SECPROV_VERIFY_API __attribute__((visibility("default")))
#else
#define SECPROV_VERIFY_API
#endif

/* The result: 0 = the report is genuine and fresh, else the first check
 * that failed, in the order the checks are made. New values are only ever
 * appended. */
enum secprov_verify_result {
    SECPROV_VERIFY_OK = 0,
    SECPROV_VERIFY_BAD_ARGUMENT = 1,        /* NULL argument, nonce not 1..64 bytes */
    SECPROV_VERIFY_MALFORMED_ENROLLMENT = 2,/* not a secprov enrollment record (v1) */
    SECPROV_VERIFY_MLDSA_UNSUPPORTED = 3,   /* enrollment pins an ML-DSA key; this build has no ML-DSA */
    SECPROV_VERIFY_AK_ATTRIBUTES = 4,       /* the pinned key is not a restricted TPM signing key */
    SECPROV_VERIFY_MALFORMED_REPORT = 5,    /* not a secprov attestation report (v1) */
    SECPROV_VERIFY_MALFORMED_PCRS = 6,      /* the expected PCR values are malformed */
    SECPROV_VERIFY_AK_MISMATCH = 7,         /* signed by another key than the pinned one */
    SECPROV_VERIFY_NOT_A_QUOTE = 8,         /* the signed structure is not a TPM quote */
    SECPROV_VERIFY_SIGNATURE = 9,           /* the TPM signature does not verify */
    SECPROV_VERIFY_NONCE = 10,              /* the report answers another nonce */
    SECPROV_VERIFY_QUALIFYING_DATA = 11,    /* the quote does not cover this nonce and these claims */
    SECPROV_VERIFY_DEVICE_MISMATCH = 12,    /* identity fields differ from the enrollment's */
    SECPROV_VERIFY_FIELD_MISMATCH = 13,     /* a report field disagrees with the signed quote */
    SECPROV_VERIFY_PCR_DIGEST = 14,         /* the PCR values are not the ones quoted */
    SECPROV_VERIFY_PCR_VALUES = 15,         /* a PCR differs from (or lacks) its expected value */
    SECPROV_VERIFY_MLDSA_SIGNATURE = 16,    /* the ML-DSA-65 signature is missing or wrong */
    SECPROV_VERIFY_NOMEM = 17,
    SECPROV_VERIFY_NO_SRK = 18,             /* seal-to: the enrollment has no srk member: re-enroll */
    SECPROV_VERIFY_SRK_CERTIFY = 19         /* seal-to: the SRK's certification by the AK does not hold */
};

/*
 * Check report (JSON text of secprov_attest()) against the nonce the
 * verifier sent, the enrollment record it pinned (JSON text of
 * secprov_attest_enroll()) and, unless expected_pcrs is NULL, the PCR
 * values it expects (JSON {"sha256": {"7": "hex", ...}, ...}). Returns an
 * enum secprov_verify_result; detail (unless NULL) gets one line saying
 * what was wrong and where. Never crashes on malformed input.
 */
SECPROV_VERIFY_API int secprov_verify_report(const char *report, const void *nonce,
                                             size_t nonce_len, const char *enrollment,
                                             const char *expected_pcrs, char *detail,
                                             size_t detail_len);

/* A stable short name of a result: "ok", "signature", "nonce", ... (the
 * names in docs/attestation.md); "unknown" for other values. */
SECPROV_VERIFY_API const char *secprov_verify_reason(int result);

/* 1 when this build checks ML-DSA-65 signatures (OpenSSL >= 3.5), else 0. */
SECPROV_VERIFY_API int secprov_verify_has_mldsa(void);

/*
 * Seal-to (docs/seal-to.md): seal len (1 byte .. 16 MiB) bytes of data for
 * the secret NAME at version (>= 1) to the TPM of the device whose
 * enrollment record (JSON text) is given: its SRK, whose certification by
 * the enrolled attestation key is checked first. No TPM is used. *blob
 * (free with secprov_verify_free) is the blob `secprov import` takes
 * (formats/sealed_blob.h). Returns an enum secprov_verify_result; detail
 * says what was wrong (a record without srk: re-enroll).
 */
SECPROV_VERIFY_API int secprov_verify_seal_to(const char *enrollment, const char *name,
                                              unsigned long long version, const void *data,
                                              size_t len, unsigned char **blob, size_t *blob_len,
                                              char *detail, size_t detail_len);
SECPROV_VERIFY_API void secprov_verify_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
