/*
 * The tpm provider's attest_block slot (secprov_provider.h): the
 * per-response tpm_attestation block (formats/block.h), a TPM2_Quote of
 * attest.pcrs by the device's persistent AK (attest_key.h) with qualifying
 * data SHA-256(payload_id)[:16]. One Quote and one PCR read: no key is made
 * per request (the AK is made once, on first use), unless ephemeral
 * (--ephemeral-aik): then a fresh key certified by the AK quotes, and is
 * flushed. docs/attestation.md.
 */
#ifndef SECPROV_ATTEST_BLOCK_H
#define SECPROV_ATTEST_BLOCK_H

#include <stddef.h>

#include "esys_seal.h"
#include "secprov_provider.h"
#include "tss_wait.h"

/* A SECPROV status; *json malloc'd on success. A TPM failure sets *trc and
 * *what (the step). */
int tpm_attest_block_run(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                         const void *payload_id, size_t len, int ephemeral, char **json,
                         TSS2_RC *trc, const char **what);

#endif
