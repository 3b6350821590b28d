/*
 * TPM housekeeping through the FAPI context's own TCTI (SAPI, bounded waits).
 *
 * Recovery from what dead processes leave in a TPM with no resource manager
 * (/dev/tpm0, swtpm): sessions and transient objects of a process killed in
 * the middle of a command stay loaded until the TPM runs out of slots
 * (TPM_RC_SESSION_MEMORY 0x903, TPM_RC_OBJECT_MEMORY 0x902). Every secprov
 * process uses the TPM only while it holds the provider's lock, so while we
 * hold it anything loaded belongs to nobody alive: flush it all.
 */
#ifndef SECPROV_TPM_FLUSH_H
#define SECPROV_TPM_FLUSH_H

#include <tss2/tss2_fapi.h>

/* 1 when rc says the TPM is out of session or object slots. */
int tpm_rc_slots_exhausted(TSS2_RC rc);

/* Flush every loaded or saved session and transient object, through the
 * FAPI context's own TCTI, waiting at most timeout_ms for each answer.
 * Returns how many were flushed, or -1. */
int tpm_flush_stale(FAPI_CONTEXT *fapi, int timeout_ms);

/* Whether the persistent handle is in the TPM: 1, 0, or -1 when it could not
 * be asked (within timeout_ms). */
int tpm_persistent_present(FAPI_CONTEXT *fapi, TPM2_HANDLE handle, int timeout_ms);

#endif
