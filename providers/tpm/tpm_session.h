/*
 * The handle's one salted session (issue 16): started once per handle (one
 * ECDH with the SRK), not once per call, and kept with its parameter
 * encryption (AES-128-CFB both ways) for every command that carries a
 * secret.
 *
 * Where it lives between calls depends on what is in front of the TPM:
 *  - a resource manager (/dev/tpmrm0, tabrmd: tpm.resource_manager): kept
 *    loaded; the manager swaps it out between commands and flushes it when
 *    the connection closes, also when the process dies;
 *  - none (/dev/tpm0, swtpm's sockets): saved (TPM2_ContextSave) at the end
 *    of every call and loaded (TPM2_ContextLoad) at the start of the next,
 *    both under the provider's lock. So outside the lock no live secprov
 *    process has a session or object loaded, and the recovery flush of
 *    tpm_flush.h stays exact for loaded sessions and objects; a saved
 *    session costs an active-session slot only, which that recovery also
 *    frees (tpm_rc_slots_exhausted).
 * Either way a session can vanish under an open handle (the TPM restarted,
 * or another process's recovery flushed it): tpm_session_lost() says so
 * from the answer, and the caller starts a new one and retries once.
 */
#ifndef SECPROV_TPM_SESSION_H
#define SECPROV_TPM_SESSION_H

#include <tss2/tss2_esys.h>

#include "tss_wait.h"

/*
 * The salt (tpm.salt_key, salt_key.h): encrypted to the SRK (ECDH, the
 * default), or with salt_rsa to an RSA-2048 restricted decryption key under
 * the SRK, whose blobs (read from its file and checked against its template
 * before: salt_key.c) are loaded with TPM2_Load right before the
 * StartAuthSession and flushed right after it. That Load is the check of
 * the key against the keystore's record: ESAPI encrypts the salt to the
 * public area of the file, and the TPM loads it only with the private part
 * made for it under this SRK. A refused Load starts no session:
 * TSS_RC_SALT_KEY, the TPM's answer in salt_rc.
 */
typedef struct tpm_session {
    ESYS_TR handle;             /* loaded: its ESYS_TR, else ESYS_TR_NONE */
    TPMS_CONTEXT *saved;        /* saved between calls (no resource manager), else NULL */
    int keep_loaded;            /* 1: a resource manager is in front of the TPM */
    int salt_rsa;               /* 1: salted to salt_pub (loaded under the SRK), 0: the SRK */
    TPM2B_PUBLIC salt_pub;
    TPM2B_PRIVATE salt_priv;
    TSS2_RC salt_rc;            /* after TSS_RC_SALT_KEY: the TPM's answer to its Load */
} tpm_session;

/* Make the session usable for one call: load it, or start it (salted with
 * srk, or the RSA key under it) when there is none or it was lost. *s is
 * its ESYS_TR. */
TSS2_RC tpm_session_begin(tpm_session *t, ESYS_CONTEXT *esys, ESYS_TR srk, ESYS_TR *s,
                          const tpm_deadline *d);

/* End of the call whose result was rc: without a resource manager, save the
 * session (a session the answer says is lost is only forgotten). Returns rc,
 * or the save's failure. */
TSS2_RC tpm_session_end(tpm_session *t, ESYS_CONTEXT *esys, TSS2_RC rc, const tpm_deadline *d);

/* 1 when rc says the call's session is no longer the one the TPM holds:
 * not loaded (TPM_RC_REFERENCE_S0..S6), or a session error of the TPM
 * (format 1 with TPM_RC_S: e.g. an HMAC under a handle another session now
 * has), or a response whose HMAC ESAPI refused. */
int tpm_session_lost(TSS2_RC rc);

/* Flush the session from the TPM, loaded or saved (at close), and forget it. */
void tpm_session_flush(tpm_session *t, ESYS_CONTEXT *esys, const tpm_deadline *d);

/* Forget the session without a TPM command (the TPM cannot be reached). */
void tpm_session_forget(tpm_session *t, ESYS_CONTEXT *esys);

#endif
