/*
 * The tpm provider's attest slot (secprov_provider.h): the enrollment record
 * and the quote report, as JSON (json-c). Formats: docs/attestation.md.
 * Called with the provider's lock held and its ESYS context made.
 */
#ifndef SECPROV_ATTEST_REPORT_H
#define SECPROV_ATTEST_REPORT_H

#include <tss2/tss2_esys.h>
#include <tss2/tss2_fapi.h>

#include "esys_seal.h"
#include "secprov_provider.h"
#include "tss_wait.h"

/* A SECPROV status; on a TPM or FAPI failure also *trc (else 0) for the
 * provider to log and drop its contexts; *what names the step. */
int tpm_attest_run(tpm_esys *e, const secprov_provider_env *env,
                   const tpm_deadline *d, int op, const void *nonce, size_t nonce_len,
                   char **json, TSS2_RC *trc, const char **what);

#endif
