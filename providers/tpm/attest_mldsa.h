/*
 * The device's ML-DSA-65 key, for the report's post-quantum second
 * signature (only when built against OpenSSL >= 3.5: ATTEST_HAVE_MLDSA).
 * Made once, beside the AK in <state_dir>/attest/:
 *   mldsa.sealed  the 32-byte ML-DSA seed (FIPS 204 xi, the whole private
 *                 key) sealed by the TPM under the SRK: TPM2B_PRIVATE then
 *                 TPM2B_PUBLIC of the sealed object (TPM encodings)
 *   mldsa.pub     the raw public key (1952 bytes); written last, so its
 *                 presence means the pair is whole
 * To sign, the seed is unsealed (TPM2_Load, TPM2_Unseal in a salted,
 * encrypted session: esys_seal.h) into memory that is zeroed right after the
 * key is derived from it; the key itself lives only in OpenSSL for the
 * one signature. Like the AK, never replaced on error.
 */
#ifndef SECPROV_ATTEST_MLDSA_H
#define SECPROV_ATTEST_MLDSA_H

#include <stddef.h>
#include <stdint.h>

#include "esys_seal.h"
#include "secprov_provider.h"
#include "tss_wait.h"

/* The raw public key (*pub malloc'd), made on first use; *pub NULL and
 * SECPROV_OK when built without ML-DSA. A TPM failure sets *trc. */
int attest_mldsa_public(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                        uint8_t **pub, size_t *pub_len, TSS2_RC *trc);

/* Sign msg with the key whose public part is pub: *sig malloc'd. */
int attest_mldsa_sign(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                      const uint8_t *pub, size_t pub_len, const uint8_t *msg, size_t msg_len,
                      uint8_t **sig, size_t *sig_len, TSS2_RC *trc);

/* For `secprov info`: "ML-DSA-65 (OpenSSL 3.5.x)" or why it is left out. */
const char *attest_mldsa_state(void);

#endif
