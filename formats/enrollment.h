/*
 * The strict reader of an enrollment record ("secprov-enrollment", the
 * record `secprov attest enroll` prints; docs/attestation.md), used by the
 * verifier (libsecprov_verify) and by whatever seals or challenges for an
 * enrolled device. A record is one key per member: `ak.name`, `ak.pem` and
 * `ak.public` must name the same key (the name is computed from the public
 * area, the PEM's key compared with its point), the same for `ek.*` (and
 * `ek.certificate`'s key); a record where two fields say the same thing
 * differently is refused, naming the field.
 */
#ifndef SECPROV_FORMATS_ENROLLMENT_H
#define SECPROV_FORMATS_ENROLLMENT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest_common.h"
#include "verify_json.h"

typedef struct sp_enrollment {
    int version;
    TPM2B_PUBLIC ak;
    TPM2B_NAME ak_name;                   /* computed from ak, equal to ak.name */
    attest_device dev;
    int has_ek;                           /* 0 when "ek" is null */
    TPM2B_PUBLIC ek;
    TPM2B_NAME ek_name;                   /* computed from ek, equal to ek.name */
    char *ek_certificate;                 /* PEM, NULL when null; its key is ek's */
    uint8_t mldsa[ATTEST_MLDSA_PUB_LEN];  /* the pinned ML-DSA-65 key, when mldsa_len */
    size_t mldsa_len;
    json_object *srk;                     /* the optional "srk" object (seal-to-device), or NULL */
} sp_enrollment;

/* Read text into *en (zeroed first). Returns a secprov_verify_result:
 * SECPROV_VERIFY_OK, SECPROV_VERIFY_MALFORMED_ENROLLMENT (e names the field)
 * or SECPROV_VERIFY_MLDSA_UNSUPPORTED. Release with sp_enrollment_free(),
 * also after a failure. */
int sp_enrollment_read(const char *text, sp_enrollment *en, vj_err *e);
void sp_enrollment_free(sp_enrollment *en);

/* pub's key as an OpenSSL key: ECC P-256 or RSA (NULL otherwise). */
EVP_PKEY *sp_public_pkey(const TPMT_PUBLIC *pub);

#endif
