/*
 * TPM housekeeping through SAPI (bounded waits), on the provider's open TCTI
 * or, when it has none, on one opened for the call.
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

#include <tss2/tss2_tcti.h>
#include <tss2/tss2_tpm2_types.h>

/* 1 when rc says the TPM is out of session or object slots, or its oldest
 * saved session is too old (TPM_RC_CONTEXT_GAP). */
int tpm_rc_slots_exhausted(TSS2_RC rc);

/* Flush every loaded or saved session and transient object, on tcti (NULL:
 * a TCTI opened from tcti_conf for the call), waiting at most timeout_ms
 * for each answer. Returns how many were flushed, or -1. */
int tpm_flush_stale(TSS2_TCTI_CONTEXT *tcti, const char *tcti_conf, int timeout_ms);

/* Whether the persistent handle is in the TPM (tcti as above): 1, 0, or -1
 * when it could not be asked (within timeout_ms). */
int tpm_persistent_present(TSS2_TCTI_CONTEXT *tcti, const char *tcti_conf, TPM2_HANDLE handle,
                           int timeout_ms);

#endif
