/*
 * What the device (tpm.so) and the verifier (libsecprov_verify) must compute
 * alike: the quote's qualifying data, the attestation key's template and
 * the checks of its attributes, a key's TPM name and its OpenSSL form, PCR
 * bank names, and the hex and base64 text of the JSON documents. Compiled
 * into both; links OpenSSL and libtss2-mu only. docs/attestation.md.
 */
#ifndef SECPROV_ATTEST_COMMON_H
#define SECPROV_ATTEST_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <tss2/tss2_tpm2_types.h>

/* ML-DSA-65 (FIPS 204) is in OpenSSL's EVP from 3.5 on (Debian 13); built
 * against an older OpenSSL (Debian 12, JetPack 6) it is left out. */
#if OPENSSL_VERSION_NUMBER >= 0x30500000L
#define ATTEST_HAVE_MLDSA 1
#else
#define ATTEST_HAVE_MLDSA 0
#endif
#define ATTEST_MLDSA_ALG "ML-DSA-65"
#define ATTEST_MLDSA_PUB_LEN 1952
#define ATTEST_MLDSA_SIG_LEN 3309
#define ATTEST_MLDSA_SEED_LEN 32
/* The ML-DSA context string (FIPS 204 ctx) of a report's second signature,
 * which signs the SHA3-256 digest of the whole report's canonical bytes
 * (formats/report.h). */
#define ATTEST_MLDSA_CONTEXT "secprov-report-v2"

#define ATTEST_FORMAT "secprov-attest"
#define ENROLL_FORMAT "secprov-enrollment"
/* Version 2 of the report and of the enrollment record (formats/report.h,
 * formats/enrollment.h); the v1 qualifying data below is kept for reading
 * its documentation only. */
#define ATTEST_VERSION 2
#define ENROLL_VERSION_MIN 1
/* The domain tag that starts the qualifying data's input (no NUL). */
#define ATTEST_DOMAIN_TAG "secprov-attest-v1"
#define ATTEST_QD_LEN 32
#define ATTEST_PCRS_MAX 8           /* one TPM2_PCR_Read answers at most 8 */

/* The identity fields a report claims and an enrollment pins. */
typedef struct attest_device {
    char machine_id[128];           /* /etc/machine-id, "" when absent */
    char serial[128];               /* device-tree serial-number (Jetson), "" when absent */
} attest_device;

/* SHA-256 over the canonical encoding (all integers big-endian):
 *   "secprov-attest-v1" || u16 version || u8 nonce_len || nonce
 *   || u16 n || TPML_PCR_SELECTION (TPM encoding, n bytes)
 *   || u16 n || machine_id || u16 n || serial || u16 n || ML-DSA public key
 * 0 on success. */
int attest_qualifying_data(const uint8_t *nonce, size_t nonce_len,
                           const TPML_PCR_SELECTION *sel, const attest_device *dev,
                           const uint8_t *mldsa_pub, size_t mldsa_len,
                           uint8_t out[ATTEST_QD_LEN]);

/* The attestation key's template: ECC P-256, ECDSA-SHA256, sign,
 * restricted, fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth,
 * noDA. */
extern const TPM2B_PUBLIC attest_ak_template;

/* NULL when pub is a key that only signs what the TPM itself made
 * (restricted, fixedTPM, ... as the template, not decrypt), else what is
 * wrong with it. */
const char *attest_ak_refusal(const TPMT_PUBLIC *pub);

/* The TPM name (nameAlg || H(TPMT_PUBLIC)) of pub: 0 on success. */
int attest_public_name(const TPMT_PUBLIC *pub, TPM2B_NAME *name);

/* pub's ECC point as an OpenSSL key (NULL if not an ECC P-256 key). */
EVP_PKEY *attest_ecc_pkey(const TPMT_PUBLIC *pub);

/* "sha1", "sha256", "sha384", "sha512" <-> TPM2_ALG_*: 0 / NULL if unknown. */
TPMI_ALG_HASH attest_bank_alg(const char *name);
const char *attest_bank_name(TPMI_ALG_HASH alg);
size_t attest_bank_size(TPMI_ALG_HASH alg);   /* digest length, 0 if unknown */
const EVP_MD *attest_bank_md(TPMI_ALG_HASH alg);

#if ATTEST_HAVE_MLDSA
/* The parameters of every secprov ML-DSA signature, made and checked: its
 * context string ATTEST_MLDSA_CONTEXT (and the end), into p[2]. */
void attest_mldsa_sig_params(OSSL_PARAM p[2]);
#endif

/* 1 when sig is a valid ML-DSA-65 signature (context ATTEST_MLDSA_CONTEXT)
 * of msg by the raw public key pub; 0 otherwise and when not built. */
int attest_mldsa_verify(const uint8_t *pub, size_t pub_len, const uint8_t *msg, size_t msg_len,
                        const uint8_t *sig, size_t sig_len);

/* Text encodings. The encoders return malloc'd NUL-terminated text (NULL on
 * no memory); the decoders return 0 with a malloc'd *out, -1 on bad text
 * (also an empty one). */
char *attest_hex(const uint8_t *p, size_t n);
int attest_unhex(const char *s, uint8_t **out, size_t *n);
char *attest_b64(const uint8_t *p, size_t n);
int attest_unb64(const char *s, uint8_t **out, size_t *n);

#endif
