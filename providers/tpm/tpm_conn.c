/* The connection to the TPM: see tpm_ctx.h. */
#include "tpm_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss2/tss2_fapi.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "fapi_lib.h"
#include "fapi_setup.h"
#include "keystore_object.h"
#include "salt_key.h"
#include "state_files.h"
#include "tcti_fds.h"
#include "tcti_held.h"
#include "tpm_flush.h"
#include "tpm_probe.h"
#include "tpm_session.h"

/* ---- locking (tpm_lock.h) -------------------------------------------- */

int tpm_call_begin(tpm_ctx *c)
{
    char why[600];
    int rc;

    pthread_mutex_lock(&c->mutex);
    if ((c->pid != getpid() && (rc = tpm_fork_adopt(c, why, sizeof why)) != SECPROV_OK) ||
        (rc = tpm_lock_take(&c->lock, why, sizeof why)) != SECPROV_OK) {
        pthread_mutex_unlock(&c->mutex);
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: %s", why);
        return rc;
    }
    tpm_deadline_set(&c->deadline, c->set.call_ms);
    return SECPROV_OK;
}

void tpm_call_end(tpm_ctx *c)
{
    /* Without a resource manager the device is held only under the lock
     * (tcti_held.h); the session was saved by the call (tpm_session.h). */
    tcti_held_release(c->esys.tcti);
    tpm_lock_release(&c->lock);
    pthread_mutex_unlock(&c->mutex);
}

/* ---- FAPI and ESYS contexts, errors ----------------------------------- */

/* Drop the ESYS context (flushing its session when the TPM answered: then
 * answered is 1); the next ESYS context is made after a probe. FAPI is
 * used only to provision (tpm_provision()); the keystore is read by secprov
 * (keystore_object.h, tpm_store.h). */
void tpm_drop_contexts(tpm_ctx *c, int answered)
{
    tpm_esys_close(&c->esys, answered ? &c->deadline : NULL);
    c->tcti_fd_count = 0;
    c->probe_first = 1;
}

void tpm_drop(tpm_ctx *c)
{
    tpm_drop_contexts(c, 0);
}

/* The bounded first command (tpm_probe.h), within this call's deadline. */
int tpm_call_probe(tpm_ctx *c, char *why, size_t why_len)
{
    int left = tpm_deadline_left_ms(&c->deadline);

    if (left == 0) {
        snprintf(why, why_len, "no time left in this call to connect to the TPM at '%s'",
                 c->set.tcti);
        return SECPROV_ERR_TIMEOUT;
    }
    return tpm_probe(c->set.tcti, left < c->set.probe_ms ? left : c->set.probe_ms, why, why_len);
}

/* A FAPI or ESAPI failure: log it decoded, drop the contexts, map it to a status. */
int tpm_failed(tpm_ctx *c, TSS2_RC rc, const char *what, const char *name)
{
    TSS2_RC base = rc & ~TSS2_RC_LAYER_MASK;
    TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;
    int status = SECPROV_ERR_TPM, level = c->quiet ? SECPROV_LOG_DEBUG : SECPROV_LOG_ERROR;

    c->slots_exhausted = tpm_rc_slots_exhausted(rc);
    /* The connection broke (a TPM restarted behind the device or socket):
     * the call is retried once on a new one, after a probe. */
    c->reconnect = layer == TSS2_TCTI_RC_LAYER && !TSS_RC_IS_TRY_AGAIN(rc);
    if (rc == TSS_RC_DEADLINE) {
        c->env->log(c->env, level, "tpm: %s '%s': the TPM did not answer within "
                    "%d ms; the connection is dropped and made anew on the next call", what,
                    name, c->set.call_ms);
        tpm_drop(c);
        return SECPROV_ERR_TIMEOUT;
    }
    if (rc == TSS_RC_SALT_KEY) {                  /* the RSA salt key's Load refused */
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: %s '%s': refusing the salt key %s/"
                    SALT_DIR "/" SALT_RSA_FILE ": this TPM does not load it under the "
                    "keystore's SRK (TPM2_Load: %s); no session is salted to it", what, name,
                    c->env->state_dir, Tss2_RC_Decode(c->esys.session.salt_rc));
        tpm_drop_contexts(c, 1);
        return SECPROV_ERR_INTEGRITY;
    }
    if (rc == TSS_RC_SRK_MISMATCH)
        status = SECPROV_ERR_KEYSTORE_MISMATCH;   /* another SRK at the keystore's handle */
    else if (rc == TSS2_FAPI_RC_KEY_NOT_FOUND &&
             tpm_persistent_present(c->esys.tcti, c->set.tcti, SRK_HANDLE,
                                    tpm_deadline_left_ms(&c->deadline)) == 0)
        status = SECPROV_ERR_KEYSTORE_MISMATCH;   /* the keystore's SRK is not in this TPM */
    else if (rc == TSS2_FAPI_RC_PATH_NOT_FOUND || rc == TSS2_FAPI_RC_KEY_NOT_FOUND)
        status = SECPROV_ERR_NOT_FOUND;
    else if (rc == TSS2_FAPI_RC_MEMORY)
        status = SECPROV_ERR_NOMEM;
    else if (layer == TSS2_TCTI_RC_LAYER || rc == TSS2_FAPI_RC_NO_TPM)
        status = SECPROV_ERR_TPM;
    else if (layer == TSS2_TPM_RC_LAYER && (base & TPM2_RC_FMT1) &&
             (base & 0xbf) == TPM2_RC_INTEGRITY)
        status = SECPROV_ERR_INTEGRITY;           /* TPM2_Load: the object's blob was altered */
    else if (layer == TSS2_TPM_RC_LAYER && (base & TPM2_RC_FMT1) &&
             ((base & 0xbf) == TPM2_RC_AUTH_FAIL || (base & 0xbf) == TPM2_RC_BAD_AUTH)) {
        status = SECPROV_ERR_INTEGRITY;           /* TPM2_Unseal: another name's object */
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: the keystore object of '%s' is bound to "
                    "another name (its auth value is not this name's)", name);
    }
    else if (layer == TSS2_TPM_RC_LAYER &&
             ((base & TPM2_RC_FMT1) ? (base & 0xbf) == TPM2_RC_HANDLE
                                     : base == TPM2_RC_REFERENCE_H0))
        status = SECPROV_ERR_KEYSTORE_MISMATCH;   /* the SRK is not in this TPM */
    c->env->log(c->env, level, "tpm: %s '%s': %s (0x%x)", what, name,
                rc == TSS_RC_SRK_MISMATCH ? "the SRK in the TPM is not the keystore's"
                                          : Tss2_RC_Decode(rc), (unsigned)rc);
    if (status == SECPROV_ERR_KEYSTORE_MISMATCH)
        c->env->log(c->env, level, "tpm: the keystore in %s does not match this "
                    "TPM (was it cleared?); the keystore is kept", c->env->state_dir);
    tpm_drop_contexts(c, layer == TSS2_TPM_RC_LAYER);
    return status;
}

/* The ESYS context for this call, on its own TCTI (after a probe when the
 * last one was dropped), with the SRK checked against the keystore's. */
int tpm_ensure_esys(tpm_ctx *c)
{
    TSS2_TCTI_CONTEXT *tcti = NULL;
    TPM2B_PUBLIC srk;
    char why[512];
    TSS2_RC rc;
    int st;

    if (c->esys.esys != NULL)
        return SECPROV_OK;
    if ((st = keystore_srk_read(c->env->state_dir, SRK_HANDLE, &srk, why, sizeof why)) !=
        SECPROV_OK) {
        if (st == SECPROV_ERR_NOT_FOUND)        /* provisioned, but no SRK entry */
            st = SECPROV_ERR_KEYSTORE_MISMATCH;
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: refusing the keystore's SRK: %s", why);
        return st;
    }
    if (c->probe_first && (st = tpm_call_probe(c, why, sizeof why)) != SECPROV_OK) {
        c->env->log(c->env, c->quiet ? SECPROV_LOG_DEBUG : SECPROV_LOG_ERROR, "tpm: %s", why);
        return st;
    }
    c->probe_first = 0;
    /* Without a resource manager a device is opened per call, under the
     * lock (tcti_held.h); anything else through tpm2-tss's TCTI loader. */
    if (!c->set.keep_session && strncmp(c->set.tcti, "device:", 7) == 0)
        rc = tcti_held_new(c->set.tcti + 7, &tcti);
    else
        rc = Tss2_TctiLdr_Initialize(c->set.tcti, &tcti);
    if (rc != TSS2_RC_SUCCESS) {
        c->env->log(c->env, c->quiet ? SECPROV_LOG_DEBUG : SECPROV_LOG_ERROR,
                    "tpm: cannot open TCTI '%s': %s",
                    c->set.tcti, Tss2_RC_Decode(rc));
        c->probe_first = 1;
        return SECPROV_ERR_TPM;
    }
    tpm_tcti_cloexec(tcti);                    /* its TPM connection: not for children */
    c->tcti_fd_count = tpm_tcti_fds(tcti, c->tcti_fds, TPM_TCTI_FDS_MAX);
    /* The session saved at the end of the last call (no resource manager)
     * is loaded into this context at its first command. */
    TPMS_CONTEXT *saved = c->esys.session.saved;
    c->esys.session.saved = NULL;
    rc = tpm_esys_open(&c->esys, tcti, SRK_HANDLE, &srk, c->set.keep_session, &c->deadline);
    c->esys.session.saved = saved;
    if (rc != TSS2_RC_SUCCESS) {
        c->tcti_fd_count = 0;
        return tpm_failed(c, rc, "opening the SRK", "0x81000001");
    }
    return salt_key_prepare(c);                /* the key the session's salt goes to */
}

/* After 0x902/0x903/0x905/0x901: flush what dead processes left (we hold the
 * lock, so nothing loaded belongs to a live secprov process: tpm_flush.h);
 * 1 = retry. */
int tpm_recover_slots(tpm_ctx *c)
{
    if (c->reconnect) {             /* or a broken connection: a new one (ensure_esys) */
        c->reconnect = 0;
        return tpm_deadline_left_ms(&c->deadline) > 0;
    }
    if (!c->slots_exhausted)
        return 0;
    c->slots_exhausted = 0;
    int n = tpm_flush_stale(c->esys.tcti, c->set.tcti, tpm_deadline_left_ms(&c->deadline));
    c->env->log(c->env, n > 0 ? SECPROV_LOG_WARNING : SECPROV_LOG_ERROR,
                "tpm: the TPM was out of session/object slots; flushed %d (left by dead "
                "processes; a live one's saved session is started anew)", n);
    return n > 0;
}

/* ---- provisioning, settings ---- */

int tpm_provision(tpm_ctx *c, char *why, size_t why_len)
{
    void *marker;
    size_t len;

    if (sp_file_read(c->env->state_dir, "provisioned", 64, &marker, &len) == SECPROV_OK) {
        free(marker);
        return SECPROV_OK;
    }
    int rc = fapi_provision(c->config_path, c->set.tcti, &c->deadline, why, why_len);
    if (rc != SECPROV_OK)
        return rc;
    return sp_file_write_atomic(c->env->state_dir, "provisioned", "1\n", 2);
}

void tpm_provision_preload(const tpm_ctx *c)
{
    char ignored[256];
    void *marker;
    size_t len;

    if (sp_file_read(c->env->state_dir, "provisioned", 64, &marker, &len) == SECPROV_OK) {
        free(marker);
        return;
    }
    (void)fapi_lib_get(ignored, sizeof ignored);
}
