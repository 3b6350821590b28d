/*
 * The enrollment record's "srk" member (docs/seal-to.md): the device's
 * storage root key, certified by its attestation key, so that a server
 * that trusts the enrollment (the AK) knows the SRK lives in the same TPM:
 *   "srk": {"public": b64 TPM2B_PUBLIC, "name": hex TPM name,
 *           "certify": {"attest": b64 TPM2B_ATTEST's TPMS_ATTEST bytes,
 *                       "signature": b64 TPMT_SIGNATURE}}
 * The device writes it (attest_report.c, TPM2_Certify of the SRK by the
 * AK); seal-to (verify/seal_to.c) checks it with srk_certify_check before
 * it wraps anything to that key. A record without it (enrollment v1, or
 * made by an older secprov) is refused for seal-to: re-enroll.
 */
#ifndef SECPROV_FORMATS_SRK_H
#define SECPROV_FORMATS_SRK_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#define SRK_MEMBER "srk"

/* The member's JSON (NULL on no memory). */
json_object *srk_json(const TPM2B_PUBLIC *srk, const TPM2B_ATTEST *attest,
                      const TPMT_SIGNATURE *sig);

/* NULL when srk is a key seal-to can wrap to (ECC NIST P-256, restricted
 * decrypt, fixedTPM, fixedParent, AES-128/256-CFB, SHA-256 name), else
 * what is wrong. */
const char *srk_refusal(const TPMT_PUBLIC *srk);

/* The TPM name of srk (nameAlg || SHA-256(TPMT_PUBLIC)): 0 on success. */
int srk_name(const TPMT_PUBLIC *srk, TPM2B_NAME *name);

/* 0 when attest (the TPMS_ATTEST bytes) is a TPM-made (TPM_GENERATED)
 * TPM_ST_ATTEST_CERTIFY whose certified name is srk's, and sig is an
 * ECDSA-SHA256 signature of those bytes by ak; else -1 with why. */
int srk_certify_check(const TPM2B_PUBLIC *srk, const uint8_t *attest, size_t attest_len,
                      const TPMT_SIGNATURE *sig, EVP_PKEY *ak, char *why, size_t why_len);

#endif
