/*
 * The attestation key (AK): one restricted ECC P-256 signing key per
 * keystore (template: attest_ak_template, attest_common.h), made under the
 * SRK on first use and kept as two files in <state_dir>/attest/:
 *   ak.priv  the TPM2B_PRIVATE (TPM encoding: tpm2-tools' own format)
 *   ak.pub   the TPM2B_PUBLIC  (likewise; written last, so its presence
 *            means the pair is whole)
 * Outside the secrets folder and FAPI's keystore, so the orphan sweep
 * (/HS/SRK/sp-NAME-GEN objects) and the sealed-object checks (.ref files)
 * never see it. Never replaced: an AK file that is unreadable, insecure or
 * not an AK by the template is an error, not a reason to make a new key
 * (a verifier pins the AK; a new one would break its enrollment).
 */
#ifndef SECPROV_ATTEST_KEY_H
#define SECPROV_ATTEST_KEY_H

#include <tss2/tss2_esys.h>

#include "esys_seal.h"
#include "secprov_provider.h"
#include "tss_wait.h"

#define ATTEST_DIR "attest"

/* The AK's public part, creating the key (TPM2_Create under the SRK) when
 * there is none. A SECPROV status; a TPM failure sets *trc (else 0). */
int attest_key_public(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                      TPM2B_PUBLIC *pub, TSS2_RC *trc);

/* Load the AK (made on first use) under the SRK: *ak to flush after use. */
int attest_key_load(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                    TPM2B_PUBLIC *pub, ESYS_TR *ak, TSS2_RC *trc);

#endif
