/*
 * A TCTI on a TPM character device without a resource manager ("device:PATH"
 * with tpm.resource_manager no: /dev/tpm0, which the kernel lets one process
 * open at a time) that holds the device only while the provider's lock is
 * held, so that processes sharing the state folder (forked children among
 * them) take turns at it instead of the first opener keeping it (issue 22,
 * docs/fork.md).
 *
 * The device is opened at the first command after tcti_held_release() and
 * closed by the next tcti_held_release() (tpm_call_end, under the lock).
 * The ESYS context on it lives on across calls: its SRK object and saved
 * session (tpm_session.h) stay, so a call sends exactly the commands it did
 * with the device kept open (tests/tpm/test_commands.sh).
 *
 * Why not tpm2-tss's device TCTI, opened per call: its Tss2_Tcti_Device_Init
 * sends a TPM2_GetRandom of its own to probe the device (one more command
 * per call) and waits for it a fixed second whatever the call's deadline (a
 * wedged TPM then fails as an I/O error, not SECPROV_ERR_TIMEOUT), and a new
 * ESYS context per call costs a TPM2_ReadPublic of the SRK; through the TCTI
 * loader it is also a dlopen per call, during which a fork() may leave the
 * child with the loader's lock held. This one is what the kernel's device
 * asks for and no more: a command written whole, its response read whole
 * (as large as its header says), each wait bounded by the receive timeout
 * ESYS_RUN gives it (tss_wait.h).
 */
#ifndef SECPROV_TCTI_HELD_H
#define SECPROV_TCTI_HELD_H

#include <tss2/tss2_tcti.h>

/* A TCTI on the device at path (nothing is opened yet): *out, or an error
 * (TSS2_TCTI_RC_MEMORY, TSS2_TCTI_RC_BAD_VALUE for a path too long). */
TSS2_RC tcti_held_new(const char *path, TSS2_TCTI_CONTEXT **out);

/* 1 when t was made by tcti_held_new. */
int tcti_held_is(const TSS2_TCTI_CONTEXT *t);

/* Close the device (the end of a call; a forked child's copy of the fd):
 * the next command opens it again. An unanswered command is given up. */
void tcti_held_release(TSS2_TCTI_CONTEXT *t);

/* Release and free *t; *t = NULL. */
void tcti_held_free(TSS2_TCTI_CONTEXT **t);

#endif
