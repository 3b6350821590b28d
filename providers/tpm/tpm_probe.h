/* One bounded TPM command before FAPI is trusted with the device: a TPM
 * that is absent, broken or wedged fails here within PROBE_TIMEOUT_MS
 * instead of hanging FAPI (whose TCTI waits without a limit). */
#ifndef SECPROV_TPM_PROBE_H
#define SECPROV_TPM_PROBE_H

#include <stddef.h>

#define PROBE_TIMEOUT_MS 3000

/* TPM2_GetRandom through its own TCTI context, waiting at most timeout_ms. */
int tpm_probe(const char *tcti, int timeout_ms, char *why, size_t why_len);

#endif
