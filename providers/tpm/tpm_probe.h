/* Before a FAPI context is made (whose TPM2_Startup waits without a limit):
 *  - "device:PATH": the device is opened once to name why it cannot be
 *    (EBUSY: another process holds /dev/tpm0; permissions), with no TPM
 *    command: tpm2-tss's device TCTI sends one itself when FAPI opens it and
 *    fails if no answer comes within 1 s, which is the bounded probe;
 *  - other TCTIs (swtpm:, mssim: in tests): TPM2_GetRandom through its own
 *    TCTI context, waited for at most timeout_ms where the TCTI can wait
 *    with a limit (tpm2-tss's socket TCTIs cannot). */
#ifndef SECPROV_TPM_PROBE_H
#define SECPROV_TPM_PROBE_H

#include <stddef.h>

#define PROBE_TIMEOUT_MS 3000

int tpm_probe(const char *tcti, int timeout_ms, char *why, size_t why_len);

#endif
