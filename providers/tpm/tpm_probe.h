/* Before secprov opens a TCTI or a FAPI context on the TPM (Fapi_Initialize's
 * TPM2_Startup waits without a limit), one TPM2_GetRandom whose answer is
 * awaited at most timeout_ms (tpm.probe_timeout_ms):
 *  - "device:PATH": written to the device directly (no TCTI), which also
 *    names why a device cannot be used (EBUSY: another process holds
 *    /dev/tpm0; permissions; not a character device) and drops a late
 *    answer a terminal-attached TPM may still hold;
 *  - other TCTIs (swtpm:, mssim: in tests): through its own TCTI context
 *    (tpm2-tss's socket TCTIs wait without a limit whatever the timeout). */
#ifndef SECPROV_TPM_PROBE_H
#define SECPROV_TPM_PROBE_H

#include <stddef.h>

#define PROBE_TIMEOUT_MS 3000     /* tpm.probe_timeout_ms unset (tpm_settings.h) */

int tpm_probe(const char *tcti, int timeout_ms, char *why, size_t why_len);

#endif
