/* The handle's one salted session: see tpm_session.h. */
#include "tpm_session.h"

#include <string.h>

#include <tss2/tss2_sys.h>

#include "aead.h"

#define SESSION_ATTRS \
    (TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT | TPMA_SESSION_CONTINUESESSION)

/* TPM2_StartAuthSession: HMAC, salted by ECDH with the SRK (its key checked
 * against the keystore's before: esys_seal.h) or to the RSA salt key
 * (loaded for it, flushed after it: tpm_session.h), AES-128-CFB both ways. */
static TSS2_RC start(tpm_session *t, ESYS_CONTEXT *esys, ESYS_TR srk, const tpm_deadline *d)
{
    static const TPMT_SYM_DEF aes128cfb = {
        .algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB};
    ESYS_TR key = srk, loaded = ESYS_TR_NONE;
    TSS2_RC rc, frc;

    t->handle = ESYS_TR_NONE;
    if (t->salt_rsa) {
        ESYS_RUN(rc, esys, d,
                 Esys_Load_Async(esys, srk, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                 &t->salt_priv, &t->salt_pub),
                 Esys_Load_Finish(esys, &loaded));
        if (rc != TSS2_RC_SUCCESS) {
            if ((rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER &&
                rc != TSS2_ESYS_RC_MALFORMED_RESPONSE)
                return rc;              /* no answer: the caller drops the context */
            t->salt_rc = rc;            /* the TPM (or ESAPI's name check) refused the key */
            return TSS_RC_SALT_KEY;
        }
        key = loaded;
    }
    ESYS_RUN(rc, esys, d,
             Esys_StartAuthSession_Async(esys, key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                         ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &aes128cfb,
                                         TPM2_ALG_SHA256),
             Esys_StartAuthSession_Finish(esys, &t->handle));
    if (rc != TSS2_RC_SUCCESS)
        t->handle = ESYS_TR_NONE;
    if (loaded != ESYS_TR_NONE) {
        ESYS_RUN(frc, esys, d, Esys_FlushContext_Async(esys, loaded),
                 Esys_FlushContext_Finish(esys));
        if (rc == TSS2_RC_SUCCESS && frc != TSS2_RC_SUCCESS)
            rc = frc;                   /* the session is forgotten by tpm_session_end */
    }
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    return Esys_TRSess_SetAttributes(esys, t->handle, SESSION_ATTRS, 0xff);
}

/* ESAPI's saved context holds the session's key in clear beside the TPM's
 * blob: zeroed before it is freed. */
static void free_saved(tpm_session *t)
{
    if (t->saved != NULL)
        sp_cleanse(t->saved, sizeof *t->saved);
    Esys_Free(t->saved);
    t->saved = NULL;
}

void tpm_session_forget(tpm_session *t, ESYS_CONTEXT *esys)
{
    if (t->handle != ESYS_TR_NONE && esys != NULL)
        (void)Esys_TR_Close(esys, &t->handle);       /* ESAPI's record only */
    t->handle = ESYS_TR_NONE;
    free_saved(t);
}

TSS2_RC tpm_session_begin(tpm_session *t, ESYS_CONTEXT *esys, ESYS_TR srk, ESYS_TR *s,
                          const tpm_deadline *d)
{
    TSS2_RC rc;

    if (t->handle == ESYS_TR_NONE && t->saved != NULL) {
        ESYS_RUN(rc, esys, d, Esys_ContextLoad_Async(esys, t->saved),
                 Esys_ContextLoad_Finish(esys, &t->handle));
        if (rc == TSS2_RC_SUCCESS)
            rc = Esys_TRSess_SetAttributes(esys, t->handle, SESSION_ATTRS, 0xff);
        if (rc != TSS2_RC_SUCCESS && (rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER) {
            *s = ESYS_TR_NONE;
            return rc;                  /* no answer: the caller drops the context */
        }
        if (rc != TSS2_RC_SUCCESS)      /* flushed by another process's recovery, or */
            t->handle = ESYS_TR_NONE;   /* the TPM restarted: a new one */
        free_saved(t);
    }
    rc = t->handle != ESYS_TR_NONE ? TSS2_RC_SUCCESS : start(t, esys, srk, d);
    *s = t->handle;
    return rc;
}

TSS2_RC tpm_session_end(tpm_session *t, ESYS_CONTEXT *esys, TSS2_RC rc, const tpm_deadline *d)
{
    TSS2_RC src;

    if (t->handle == ESYS_TR_NONE)
        return rc;
    if (tpm_session_lost(rc) || rc == TSS_RC_DEADLINE ||
        (rc & TSS2_RC_LAYER_MASK) == TSS2_TCTI_RC_LAYER) {
        tpm_session_forget(t, esys);    /* lost, or no answer: the caller drops the context */
        return rc;
    }
    if (t->keep_loaded)
        return rc;
    ESYS_RUN(src, esys, d, Esys_ContextSave_Async(esys, t->handle),
             Esys_ContextSave_Finish(esys, &t->saved));
    if (src == TSS2_RC_SUCCESS) {
        t->handle = ESYS_TR_NONE;     /* ESAPI dropped the record of a saved session */
        return rc;
    }
    t->saved = NULL;
    tpm_session_flush(t, esys, d);    /* never leave it loaded outside the lock */
    return rc != TSS2_RC_SUCCESS ? rc : src;
}

void tpm_session_flush(tpm_session *t, ESYS_CONTEXT *esys, const tpm_deadline *d)
{
    TSS2_RC rc;

    if (esys == NULL) {
        tpm_session_forget(t, NULL);
        return;
    }
    if (t->handle == ESYS_TR_NONE && t->saved != NULL) {
        /* A saved session is flushed by its handle, with no need to load
         * it: through ESAPI's own SAPI context, which is idle here. */
        TSS2_SYS_CONTEXT *sys = NULL;
        int left = tpm_deadline_left_ms(d);
        if (left > 0 && Esys_GetSysContext(esys, &sys) == TSS2_RC_SUCCESS &&
            Tss2_Sys_FlushContext_Prepare(sys, t->saved->savedHandle) == TSS2_RC_SUCCESS &&
            Tss2_Sys_ExecuteAsync(sys) == TSS2_RC_SUCCESS)
            (void)Tss2_Sys_ExecuteFinish(sys, left);
    } else if (t->handle != ESYS_TR_NONE) {
        ESYS_RUN(rc, esys, d, Esys_FlushContext_Async(esys, t->handle),
                 Esys_FlushContext_Finish(esys));
        if (rc == TSS2_RC_SUCCESS)
            t->handle = ESYS_TR_NONE;     /* ESAPI dropped its record */
    }
    tpm_session_forget(t, esys);
}

int tpm_session_lost(TSS2_RC rc)
{
    TSS2_RC base = rc & ~TSS2_RC_LAYER_MASK;

    if ((rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER)
        return rc == TSS2_ESYS_RC_RSP_AUTH_FAILED;
    if (base & TPM2_RC_FMT1)
        return (base & TPM2_RC_S) != 0;
    return base >= TPM2_RC_REFERENCE_S0 && base <= TPM2_RC_REFERENCE_S0 + 6;
}
