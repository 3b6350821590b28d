/*
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
 * FAPI context's own TCTI. Returns how many were flushed, or -1. */
int tpm_flush_stale(FAPI_CONTEXT *fapi);

#endif
