/*
 * The tpm provider's attest_activate slot (secprov_provider.h): the
 * device's half of credential activation (docs/attestation.md,
 * "Credential activation"). The challenge (formats/credential.h) made by
 * secprov_verify_make_credential() for the enrolled EK and AK name is
 * opened with TPM2_ActivateCredential: the AK (attest_key.h, loaded under
 * the SRK) as the activated object, the EK (the keystore's, made again
 * with TPM2_CreatePrimary from its template in the endorsement hierarchy,
 * its name checked against the keystore's) as the key, its authorization
 * a policy session with TPM2_PolicySecret(endorsement) as tpm2-tools does.
 * The answer (the 32-byte secret) goes back to the verifier's
 * secprov_verify_enroll(). Every handle is flushed on every path, so it
 * runs on a TPM without a resource manager.
 */
#ifndef SECPROV_ATTEST_ACTIVATE_H
#define SECPROV_ATTEST_ACTIVATE_H

#include <stddef.h>

#include "esys_seal.h"
#include "secprov_provider.h"
#include "tss_wait.h"

/* A SECPROV status; answer (cap bytes) gets *answer_len bytes on success.
 * A TPM failure sets *trc and *what (the step). No EK in the keystore:
 * SECPROV_ERR_NOT_FOUND (logged: the enrollment's ek is null). */
int tpm_attest_activate_run(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                            const void *challenge, size_t len, void *answer, size_t cap,
                            size_t *answer_len, TSS2_RC *trc, const char **what);

#endif
