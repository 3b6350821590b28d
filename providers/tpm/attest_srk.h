/*
 * The enrollment's "srk" member (formats/srk.h): the SRK's public area and
 * its TPM2_Certify by the attestation key, so that a seal-to server knows
 * the key it wraps to lives in the TPM that holds the AK (docs/seal-to.md).
 */
#ifndef SECPROV_ATTEST_SRK_H
#define SECPROV_ATTEST_SRK_H

#include <json-c/json.h>

#include "esys_seal.h"
#include "secprov_provider.h"
#include "tss_wait.h"

/* The member, or NULL with a status in *rc (a TPM failure sets *trc). */
json_object *attest_srk_json(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                             int *rc, TSS2_RC *trc);

#endif
