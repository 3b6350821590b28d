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
    SECPROV_VERIFY_EXPIRED = 18,            /* now is past expires_at (beyond the skew) */
    SECPROV_VERIFY_NOT_YET_VALID = 19,      /* issued_at is ahead of now beyond the skew */
    SECPROV_VERIFY_REBOOTED = 20,           /* the TPM reset or restarted since the --since report */
    SECPROV_VERIFY_NO_EK = 21,              /* the enrollment has no EK ("ek": null): no activation */
    SECPROV_VERIFY_NOT_ACTIVATED = 22,      /* a wrong answer, or no activation record of this AK/EK */
    SECPROV_VERIFY_EK_CERTIFICATE = 23,     /* ek_ca given: no EK certificate, or one not chaining to it */
    SECPROV_VERIFY_NO_SRK = 24,             /* seal-to: the enrollment has no srk member: re-enroll */
    SECPROV_VERIFY_SRK_CERTIFY = 25,        /* seal-to: the SRK's certification by the AK does not hold */
    SECPROV_VERIFY_MALFORMED_BUNDLE = 26    /* not a runtime state bundle, or one without a TPM quote */
};

/* One line of the breakdown. */
enum secprov_verify_check {
    SECPROV_VERIFY_NOT_CHECKED = 0,
    SECPROV_VERIFY_PASS = 1,
    SECPROV_VERIFY_FAIL = 2
};

/* What each group of checks found (docs/attestation.md, "The breakdown").
 * The struct only grows: set size = sizeof(secprov_verify_breakdown)
 * before the call; the library fills only the members that fit. */
typedef struct secprov_verify_breakdown {
    size_t size;
    int signature;      /* the TPM signature, a TPM-made quote covering this report's claims */
    int ak_binding;     /* the enrollment is one key, restricted; the report names it; identity */
    int nonce;          /* the report answers the verifier's nonce */
    int freshness;      /* issued_at/expires_at against now and the skew; --since */
    int pcr_drift;      /* the expected PCR values (not checked without them) */
    int mldsa;          /* the ML-DSA-65 signature of the whole report */
    int activation;     /* the AK's credential activation (not checked in this version) */
} secprov_verify_breakdown;

/* Options of secprov_verify_report2. The struct only grows: set size =
 * sizeof(secprov_verify_options); members past size read as 0. */
typedef struct secprov_verify_options {
    size_t size;
    long long now;          /* the verifier's time, Unix seconds; 0: time(NULL) */
    long long max_skew_s;   /* tolerance of the two clocks, seconds; 0: 60 */
    const char *since;      /* a previous report (JSON) of the same AK, already verified, or NULL */
    const char *activation; /* the activation record (secprov_verify_enroll) required, or NULL */
    const char *ek_ca;      /* a PEM file of CA certificates ek.certificate must chain to, or NULL */
} secprov_verify_options;

#define SECPROV_VERIFY_DEFAULT_SKEW_S 60

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

/* secprov_verify_report with options (opt may be NULL: the defaults) and a
 * breakdown (bd may be NULL). The result is the first check that failed,
 * in the order of docs/attestation.md; bd says pass/fail/not-checked per
 * group, checks continuing past a failure where the report could be read. */
SECPROV_VERIFY_API int secprov_verify_report2(const char *report, const void *nonce,
                                              size_t nonce_len, const char *enrollment,
                                              const char *expected_pcrs,
                                              const secprov_verify_options *opt,
                                              secprov_verify_breakdown *bd, char *detail,
                                              size_t detail_len);

/* Credential activation (docs/attestation.md): a challenge for the
 * enrolled EK, bound to the AK's name computed from the enrollment's public
 * area. *credential (*credential_len bytes, tpm2-tools' credential file,
 * what the device's TPM2_ActivateCredential opens) goes to the device;
 * *state (JSON, holds the secret) stays with the verifier until the answer.
 * Both released with secprov_verify_free(). SECPROV_VERIFY_NO_EK when the
 * enrollment's "ek" is null. */
SECPROV_VERIFY_API int secprov_verify_make_credential(const char *enrollment,
                                                      unsigned char **credential,
                                                      size_t *credential_len, char **state,
                                                      char *detail, size_t detail_len);

/* The device's answer against the kept state: when it is the secret,
 * *record is the activation record (JSON) the verifier writes and keeps,
 * and passes to secprov_verify_options.activation later; else
 * SECPROV_VERIFY_NOT_ACTIVATED. */
SECPROV_VERIFY_API int secprov_verify_enroll(const char *enrollment, const char *state,
                                             const void *answer, size_t answer_len,
                                             char **record, char *detail, size_t detail_len);

/*
 * Check a per-response tpm_attestation block (JSON text of
 * secprov_attest_block()) for the payload id the service answered
 * (1..4096 bytes; its SHA-256's first 16 bytes must be the quote's
 * qualifying data): the quote is signed by the block's own AIK, that key is
 * a restricted TPM signing key, the quote covers pcr_banks and pcr_values.
 * Unless enrollment is NULL, the AIK must be the enrolled attestation key
 * (without it, the block proves only that the key inside it signed it:
 * not which device). Unless expected_pcrs is NULL, every PCR it names must
 * have its value ({"sha256": {"7": "hex"}}; every drifted PCR is named in
 * detail). A block {"is_available": false} is refused (malformed_report).
 * Returns an enum secprov_verify_result, detail as secprov_verify_report.
 */
SECPROV_VERIFY_API int secprov_verify_block(const char *block, const void *payload_id,
                                            size_t len, const char *enrollment,
                                            const char *expected_pcrs, char *detail,
                                            size_t detail_len);

/*
 * Check a runtime state bundle (docs/attestor.md#the-bundle: the JSON of
 * secprov-attestor's GET /api/v1/attest, the bundle or the whole answer)
 * offline: its "attestation" is a report (checked as secprov_verify_report2
 * checks one, with opt and bd) whose nonce is the bundle's digest
 * (formats/bundle.h), signed by the enrolled AK, and the PCR values the
 * bundle states are the ones quoted. nonce (1 to
 * SECPROV_VERIFY_BUNDLE_NONCE_MAX bytes, or NULL and 0): the verifier's
 * nonce the bundle must carry (GET /api/v1/attest?nonce=HEX); without it
 * the bundle proves only what the device said when it made it (its report
 * expires as any report does). Unless expected_pcrs is NULL, every PCR it
 * names must have its value. A bundle without a TPM quote is
 * SECPROV_VERIFY_MALFORMED_BUNDLE. Returns an enum secprov_verify_result,
 * detail as secprov_verify_report.
 */
#define SECPROV_VERIFY_BUNDLE_NONCE_MAX 64
SECPROV_VERIFY_API int secprov_verify_bundle(const char *bundle, const void *nonce,
                                             size_t nonce_len, const char *enrollment,
                                             const char *expected_pcrs,
                                             const secprov_verify_options *opt,
                                             secprov_verify_breakdown *bd, char *detail,
                                             size_t detail_len);

SECPROV_VERIFY_API void secprov_verify_free(void *p);

/* A stable short name of a result: "ok", "signature", "nonce", ... (the
 * names in docs/attestation.md); "unknown" for other values. */
SECPROV_VERIFY_API const char *secprov_verify_reason(int result);

/* 1 when this build checks ML-DSA-65 signatures (OpenSSL >= 3.5), else 0. */
SECPROV_VERIFY_API int secprov_verify_has_mldsa(void);

/*
 * Seal-to (docs/seal-to.md): seal len (1 byte .. 16 MiB) bytes of data for
 * the secret NAME at version (>= 1) to the TPM of the device whose
 * enrollment record (JSON text) is given: its SRK, whose certification by
 * the enrolled attestation key is checked first (the record read as
 * secprov_verify_report reads it: one key per member). options may be
 * NULL; of its members seal-to uses activation (the activation record of
 * this enrollment's AK and EK required: SECPROV_VERIFY_NOT_ACTIVATED
 * otherwise) and ek_ca, as secprov_verify_report2 does. A server should
 * require the activation record: without it the SRK is only as trusted as
 * the enrollment's AK. No TPM is used. *blob (free with
 * secprov_verify_free) is the blob `secprov import` takes
 * (formats/sealed_blob.h). Returns an enum secprov_verify_result; detail
 * says what was wrong (a record without srk: re-enroll).
 */
SECPROV_VERIFY_API int secprov_verify_seal_to(const char *enrollment,
                                              const secprov_verify_options *options,
                                              const char *name, unsigned long long version,
                                              const void *data, size_t len, unsigned char **blob,
                                              size_t *blob_len, char *detail, size_t detail_len);

#ifdef __cplusplus
}
#endif
#endif
