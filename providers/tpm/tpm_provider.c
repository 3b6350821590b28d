/*
 * The tpm provider: secrets sealed by the TPM through tpm2-tss.
 * Storage layout, atomic replace and the sweep: docs/tpm-store.md,
 * secret_ref.h, tpm_store.h. FAPI files: fapi_setup.h.
 * FAPI only provisions the TPM (a context on the TPM, at the first open of
 * a keystore); secprov reads the keystore files itself (keystore_object.h)
 * and lists the keystore by reading its folders (tpm_store.h). The commands
 * that carry a secret go through an ESYS context of our own on our own
 * TCTI (esys_seal.h), in one salted session per handle (tpm_session.h), so
 * that no copy of a secret is freed unzeroed. Every object is bound to its
 * secret's name by its auth value (name_auth.h).
 *
 * Concurrency: every TPM use holds the handle's mutex (threads sharing a
 * handle) and an exclusive flock on <state_dir>/lock (processes), so that
 * processes sharing a TPM without a resource manager never interleave
 * commands. After any FAPI or ESAPI error the contexts are dropped and made
 * anew on the next call. Every call waits for the TPM at most
 * tpm.call_timeout_ms in all (tss_wait.h): a TPM that stops answering makes
 * calls fail with SECPROV_ERR_TIMEOUT, and one that answers again is used
 * again by the same handle. The ESYS context (and with it the TCTI's open
 * device) is kept while the handle is open: with /dev/tpm0, which admits one
 * opener, use one process or the kernel resource manager /dev/tpmrm0.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <tss2/tss2_fapi.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "aead.h"
#include "attest_mldsa.h"
#include "attest_report.h"
#include "esys_seal.h"
#include "fapi_readonly.h"
#include "fapi_setup.h"
#include "keystore_object.h"
#include "name_auth.h"
#include "secprov_provider.h"
#include "secret_ref.h"
#include "state_files.h"
#include "tpm_flush.h"
#include "tpm_lock.h"
#include "tpm_offline.h"
#include "tpm_probe.h"
#include "tcti_fds.h"
#include "tpm_store.h"
#include "tss_wait.h"

#define SRK_HANDLE 0x81000001u        /* the profile's persistent SRK */
#define PATH_MAX_LEN 4096

typedef struct tpm_ctx {
    secprov_provider_ctx base;      /* first: the class */
    const secprov_provider_env *env;
    pthread_mutex_t mutex;
    tpm_lock lock;
    tpm_esys esys;                  /* on its own TCTI; esys.esys NULL when not made */
    tpm_deadline deadline;          /* of the current call: see tss_wait.h */
    int slots_exhausted;            /* the last TPM error was 0x902/0x903/... */
    int reconnect;                  /* the last error was the connection's (not a timeout) */
    int quiet;                      /* failures logged at debug only (open's early ESYS) */
    int probe_first;                /* probe before the next ESYS context (after a drop) */
    int keep_session;               /* a resource manager: tpm_session.h */
    int probe_ms, call_ms;          /* tpm.probe_timeout_ms, tpm.call_timeout_ms */
    char config_path[PATH_MAX_LEN];
    char secrets_dir[PATH_MAX_LEN];
    tpm_store store;                /* references and objects: tpm_store.h */
    fapi_readonly ro;               /* a read-only state folder's FAPI config */
} tpm_ctx;

static const secprov_provider_class tpm_class;

/* ---- locking (tpm_lock.h) -------------------------------------------- */

static int lock_begin(tpm_ctx *c)
{
    char why[600];
    int rc;

    pthread_mutex_lock(&c->mutex);
    if ((rc = tpm_lock_take(&c->lock, why, sizeof why)) != SECPROV_OK) {
        pthread_mutex_unlock(&c->mutex);
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: %s", why);
        return rc;
    }
    tpm_deadline_set(&c->deadline, c->call_ms);
    return SECPROV_OK;
}

static void lock_end(tpm_ctx *c)
{
    tpm_lock_release(&c->lock);
    pthread_mutex_unlock(&c->mutex);
}

/* ---- FAPI and ESYS contexts, errors ----------------------------------- */

/* Drop the ESYS context (flushing its session when the TPM answered: then
 * answered is 1); the next ESYS context is made after a probe. FAPI is
 * used only to provision (provision()); the keystore is read by secprov
 * (keystore_object.h, tpm_store.h). */
static void drop_contexts(tpm_ctx *c, int answered)
{
    tpm_esys_close(&c->esys, answered ? &c->deadline : NULL);
    c->probe_first = 1;
}

static void drop_fapi(tpm_ctx *c)
{
    drop_contexts(c, 0);
}

/* The bounded first command (tpm_probe.h), within this call's deadline. */
static int probe(tpm_ctx *c, char *why, size_t why_len)
{
    int left = tpm_deadline_left_ms(&c->deadline);

    if (left == 0) {
        snprintf(why, why_len, "no time left in this call to connect to the TPM at '%s'",
                 c->env->tpm_tcti);
        return SECPROV_ERR_TIMEOUT;
    }
    return tpm_probe(c->env->tpm_tcti, left < c->probe_ms ? left : c->probe_ms, why, why_len);
}

/* A FAPI or ESAPI failure: log it decoded, drop the contexts, map it to a status. */
static int tss_failed(tpm_ctx *c, TSS2_RC rc, const char *what, const char *name)
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
                    name, c->call_ms);
        drop_fapi(c);
        return SECPROV_ERR_TIMEOUT;
    }
    if (rc == TSS_RC_SRK_MISMATCH)
        status = SECPROV_ERR_KEYSTORE_MISMATCH;   /* another SRK at the keystore's handle */
    else if (rc == TSS2_FAPI_RC_KEY_NOT_FOUND &&
             tpm_persistent_present(c->esys.tcti, c->env->tpm_tcti, SRK_HANDLE,
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
                    "TPM (was it cleared?); the keystore is kept", c->env->tpm_state_dir);
    drop_contexts(c, layer == TSS2_TPM_RC_LAYER);
    return status;
}

/* The ESYS context for this call, on its own TCTI (after a probe when the
 * last one was dropped), with the SRK checked against the keystore's. */
static int ensure_esys(tpm_ctx *c)
{
    TSS2_TCTI_CONTEXT *tcti = NULL;
    TPM2B_PUBLIC srk;
    char why[512];
    TSS2_RC rc;
    int st;

    if (c->esys.esys != NULL)
        return SECPROV_OK;
    if ((st = keystore_srk_read(c->env->tpm_state_dir, SRK_HANDLE, &srk, why, sizeof why)) !=
        SECPROV_OK) {
        if (st == SECPROV_ERR_NOT_FOUND)        /* provisioned, but no SRK entry */
            st = SECPROV_ERR_KEYSTORE_MISMATCH;
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: refusing the keystore's SRK: %s", why);
        return st;
    }
    if (c->probe_first && (st = probe(c, why, sizeof why)) != SECPROV_OK) {
        c->env->log(c->env, c->quiet ? SECPROV_LOG_DEBUG : SECPROV_LOG_ERROR, "tpm: %s", why);
        return st;
    }
    c->probe_first = 0;
    if ((rc = Tss2_TctiLdr_Initialize(c->env->tpm_tcti, &tcti)) != TSS2_RC_SUCCESS) {
        c->env->log(c->env, c->quiet ? SECPROV_LOG_DEBUG : SECPROV_LOG_ERROR,
                    "tpm: cannot open TCTI '%s': %s",
                    c->env->tpm_tcti, Tss2_RC_Decode(rc));
        c->probe_first = 1;
        return SECPROV_ERR_TPM;
    }
    tpm_tcti_cloexec(tcti);                    /* its TPM connection: not for children */
    rc = tpm_esys_open(&c->esys, tcti, SRK_HANDLE, &srk, c->keep_session, &c->deadline);
    return rc == TSS2_RC_SUCCESS ? SECPROV_OK : tss_failed(c, rc, "opening the SRK", "0x81000001");
}

/* After 0x902/0x903/0x905/0x901: flush what dead processes left (we hold the
 * lock, so nothing loaded belongs to a live secprov process: tpm_flush.h);
 * 1 = retry. */
static int recover_slots(tpm_ctx *c)
{
    if (c->reconnect) {             /* or a broken connection: a new one (ensure_esys) */
        c->reconnect = 0;
        return tpm_deadline_left_ms(&c->deadline) > 0;
    }
    if (!c->slots_exhausted)
        return 0;
    c->slots_exhausted = 0;
    int n = tpm_flush_stale(c->esys.tcti, c->env->tpm_tcti, tpm_deadline_left_ms(&c->deadline));
    c->env->log(c->env, n > 0 ? SECPROV_LOG_WARNING : SECPROV_LOG_ERROR,
                "tpm: the TPM was out of session/object slots; flushed %d (left by dead "
                "processes; a live one's saved session is started anew)", n);
    return n > 0;
}

/* ---- references -------------------------------------------------------- */

static int ref_file(const char *name, char *out, size_t len)
{
    int n = snprintf(out, len, "%s" REF_SUFFIX, name);
    return n > 0 && (size_t)n < len ? SECPROV_OK : SECPROV_ERR_NAME;
}

/* ---- open/close ---------------------------------------------------------- */

static int provision(tpm_ctx *c, char *why, size_t why_len)
{
    void *marker;
    size_t len;

    if (sp_file_read(c->env->tpm_state_dir, "provisioned", 64, &marker, &len) == SECPROV_OK) {
        free(marker);
        return SECPROV_OK;
    }
    /* A FAPI context on the TPM, for this only (its Fapi_Initialize sends
     * TPM2_Startup synchronously: made right after tpm_probe() got an answer). */
    FAPI_CONTEXT *fapi = NULL;
    TSS2_RC rc = fapi_context_new(c->config_path, &c->deadline, &fapi);
    if (rc != TSS2_RC_SUCCESS) {
        snprintf(why, why_len, "FAPI initialisation failed on '%s' (config %s): %s",
                 c->env->tpm_tcti, c->config_path, Tss2_RC_Decode(rc));
        return rc == TSS_RC_DEADLINE || (rc & TSS2_RC_LAYER_MASK) == TSS2_TCTI_RC_LAYER
                   ? SECPROV_ERR_TIMEOUT : SECPROV_ERR_TPM;
    }
    /* The one unbounded wait, once per keystore and right after tpm_probe()
     * got an answer: the synchronous call. tpm2-tss 3.2.1's asynchronous
     * provisioning fails when 0x81000001 already holds the SRK (made by
     * another keystore, an earlier container's volume, or the OS): it takes
     * TR_FromTPMPublic's answer without waiting for it (TCTI TRY_AGAIN) and
     * leaves its transient keys loaded. tests/tpm/test_provision.sh. */
    rc = Fapi_Provision(fapi, NULL, NULL, NULL);
    Fapi_Finalize(&fapi);
    if (rc != TSS2_RC_SUCCESS && rc != TSS2_FAPI_RC_ALREADY_PROVISIONED) {
        snprintf(why, why_len, "FAPI provisioning failed: %s (0x%x)", Tss2_RC_Decode(rc),
                 (unsigned)rc);
        return SECPROV_ERR_TPM;
    }
    return sp_file_write_atomic(c->env->tpm_state_dir, "provisioned", "1\n", 2);
}

/* The tpm.* settings this provider reads beyond ABI 1's (secprov_provider.h). */
static void tpm_settings(tpm_ctx *c, const secprov_provider_env *env)
{
    int rm = SECPROV_ENV_HAS(env, tpm_resource_manager) ? env->tpm_resource_manager
                                                        : SECPROV_TPM_RM_AUTO;
    const char *dev = strncmp(env->tpm_tcti, "device:", 7) == 0 ? env->tpm_tcti + 7 : NULL;
    const char *base = dev != NULL && strrchr(dev, '/') != NULL ? strrchr(dev, '/') + 1 : dev;

    if (rm == SECPROV_TPM_RM_AUTO)     /* by name: the kernel's /dev/tpmrm<N>, or tabrmd */
        rm = strncmp(env->tpm_tcti, "tabrmd", 6) == 0 ||
                     (base != NULL && strncmp(base, "tpmrm", 5) == 0)
                 ? SECPROV_TPM_RM_YES : SECPROV_TPM_RM_NO;
    c->keep_session = rm == SECPROV_TPM_RM_YES;
    c->probe_ms = SECPROV_ENV_HAS(env, tpm_probe_timeout_ms) && env->tpm_probe_timeout_ms > 0
                      ? env->tpm_probe_timeout_ms : PROBE_TIMEOUT_MS;
    c->call_ms = SECPROV_ENV_HAS(env, tpm_call_timeout_ms) && env->tpm_call_timeout_ms > 0
                     ? env->tpm_call_timeout_ms : TPM_CALL_TIMEOUT_MS;
}

static void tpm_close(secprov_provider_ctx *ctx)
{
    tpm_ctx *c = (tpm_ctx *)ctx;

    /* The session's slot is freed now, not left to a recovery flush. */
    if (c->esys.esys != NULL && c->lock.fd >= 0 && lock_begin(c) == SECPROV_OK) {
        drop_contexts(c, 1);
        lock_end(c);
    }
    drop_fapi(c);
    tpm_lock_close(&c->lock);
    fapi_readonly_remove(&c->ro);
    pthread_mutex_destroy(&c->mutex);
    free(c);
}

static int tpm_open(secprov_provider_ctx **out, const secprov_provider_env *env,
                    char *why, size_t why_len)
{
    int timeout = SECPROV_ENV_HAS(env, tpm_lock_timeout_ms) ? env->tpm_lock_timeout_ms
                                                             : SECPROV_ENV_LOCK_TIMEOUT_MS_DEFAULT;
    char keystore[PATH_MAX_LEN];
    tpm_ctx *c;
    int rc;

    *out = NULL;
    tss2_log_quiet(env->log_level <= SECPROV_LOG_DEBUG);
    if ((rc = sp_state_dir_prepare(env->tpm_state_dir, why, why_len)) != SECPROV_OK)
        return rc;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return SECPROV_ERR_NOMEM;
    c->base.klass = &tpm_class;
    c->env = env;
    c->lock.fd = c->lock.held = -1;
    pthread_mutex_init(&c->mutex, NULL);
    tpm_settings(c, env);

    rc = fapi_files_write(env, env->tpm_state_dir, env->tpm_tcti, c->config_path,
                          sizeof c->config_path, why, why_len);
    if (rc == SECPROV_OK)
        rc = sp_path_join(c->secrets_dir, sizeof c->secrets_dir, env->tpm_state_dir, "secrets");
    c->store.env = env;
    c->store.secrets_dir = c->secrets_dir;
    if (rc == SECPROV_OK && (rc = sp_path_join(keystore, sizeof keystore, env->tpm_state_dir,
                                               "keystore/user")) == SECPROV_OK &&
        sp_dir_writable(keystore, NULL, 0) != SECPROV_OK)
        rc = fapi_readonly_setup(&c->ro, env->tpm_state_dir, env->tpm_tcti, c->config_path,
                                 sizeof c->config_path, why, why_len);
    if (rc == SECPROV_OK)
        rc = tpm_lock_open(&c->lock, env->tpm_state_dir, timeout, why, why_len);
    if (rc == SECPROV_OK && (rc = tpm_lock_take(&c->lock, why, why_len)) == SECPROV_OK) {
        pthread_mutex_lock(&c->mutex);
        tpm_deadline_set(&c->deadline, c->call_ms);
        rc = probe(c, why, why_len);           /* open reaches the TPM: one command */
        if (rc == SECPROV_ERR_BUSY)       /* /dev/tpm0 kept open by another process: */
            rc = SECPROV_ERR_UNAVAILABLE; /* a device failure, not lock contention */
        if (rc == SECPROV_OK)
            rc = provision(c, why, why_len);
        /* The ESYS context now, while open has the TPM: the first call then
         * has only its own commands to do in its time (tpm.call_timeout_ms),
         * not also the TCTI's, ESAPI's and OpenSSL's set-up. Best effort: a
         * failure (the SRK check refused, say) is the first call's to
         * report, so open still succeeds and, in auto, never falls back for
         * it. */
        if (rc == SECPROV_OK) {
            c->quiet = 1;
            (void)ensure_esys(c);
            c->quiet = 0;
        }
        lock_end(c);
    }
    if (rc != SECPROV_OK) {
        tpm_close(&c->base);
        return rc;
    }
    *out = &c->base;
    return SECPROV_OK;
}

/* ---- seal/unseal/delete/list -------------------------------------------- */

/* seal and delete write the references and the keystore: on a read-only
 * state folder they fail before touching the TPM, naming the folder. */
static int check_writable(tpm_ctx *c, const char *what, const char *name)
{
    char keystore[PATH_MAX_LEN], why[PATH_MAX_LEN + 100];
    int rc = sp_dir_writable(c->secrets_dir, why, sizeof why);

    if (rc == SECPROV_OK &&
        (rc = sp_path_join(keystore, sizeof keystore, c->env->tpm_state_dir,
                           "keystore/user")) == SECPROV_OK)
        rc = sp_dir_writable(keystore, why, sizeof why);
    if (rc != SECPROV_OK)
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: cannot %s '%s': %s", what, name, why);
    return rc;
}

/* Build the (version 2) reference image for data sealed, directly or by
 * data key, into a new object at gen. */
static int seal_object(tpm_ctx *c, const char *name, const void *data, size_t len,
                       ref_gen gen, uint8_t **image, size_t *image_len)
{
    char path[256];
    uint8_t key[SP_GCM_KEY_LEN], aad[REF_HEADER + SECPROV_NAME_MAX], *img;
    int envelope = len > DIRECT_MAX, rc;

    *image = NULL;
    if ((rc = ref_object_path(path, sizeof path, name, gen)) != SECPROV_OK)
        return rc;
    *image_len = ref2_len(envelope ? REF_ENVELOPE : REF_DIRECT, len);
    img = calloc(1, *image_len);
    if (img == NULL)
        return SECPROV_ERR_NOMEM;
    ref2_header(img, envelope ? REF_ENVELOPE : REF_DIRECT, gen.value);
    if (envelope && (rc = sp_random(key, sizeof key)) != SECPROV_OK) {
        free(img);
        return rc;
    }
    TPM2B_PUBLIC pub;
    TPM2B_PRIVATE priv;
    TPM2B_AUTH auth;
    if (name_auth(name, &auth) != 0) {
        sp_cleanse(key, sizeof key);
        free(img);
        return SECPROV_ERR_INTERNAL;
    }
    TSS2_RC trc = tpm_esys_seal(&c->esys, envelope ? key : data, envelope ? sizeof key : len,
                                &auth, &pub, &priv, &c->deadline);
    sp_cleanse(&auth, sizeof auth);
    if (trc != TSS2_RC_SUCCESS) {
        sp_cleanse(key, sizeof key);
        free(img);
        return tss_failed(c, trc, "sealing (TPM2_Create)", name);
    }
    if ((rc = keystore_object_write(c->env->tpm_state_dir, path, &pub, &priv, 1)) != SECPROV_OK) {
        char who[128];
        snprintf(who, sizeof who, "tpm: cannot write the keystore object of '%s'", name);
        if (!sp_os_error_log(c->env, who, rc))     /* with the path and errno when it has them */
            c->env->log(c->env, SECPROV_LOG_ERROR, "%s: %s", who, c->env->status_text(rc));
        sp_cleanse(key, sizeof key);
        free(img);
        (void)keystore_object_remove(c->env->tpm_state_dir, path);
        return rc;
    }
    if (envelope) {
        size_t aad_len = ref_aad(img, name, aad, sizeof aad);
        rc = sp_random(REF2_NONCE(img), SP_GCM_IV_LEN);
        if (rc == SECPROV_OK)
            rc = sp_gcm_encrypt(key, REF2_NONCE(img), aad, aad_len, data, len, REF2_CT(img),
                                REF2_TAG(img));
        sp_cleanse(key, sizeof key);
    }
    if (rc == SECPROV_OK)
        rc = ref2_finish(img, *image_len, name);
    if (rc != SECPROV_OK) {
        free(img);
        store_remove_object(&c->store, name, gen);
        return rc;
    }
    *image = img;
    return SECPROV_OK;
}

static int tpm_seal(secprov_provider_ctx *ctx, const char *name, const void *data, size_t len)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    char file[SECPROV_NAME_MAX + 8];
    uint8_t *image = NULL;
    size_t image_len = 0;
    ref_gen gen;
    int rc;

    if ((rc = ref_file(name, file, sizeof file)) != SECPROV_OK)
        return rc;
    if ((rc = check_writable(c, "seal", name)) != SECPROV_OK || (rc = lock_begin(c)) != SECPROV_OK)
        return rc;
    rc = store_next_gen(&c->store, name, &gen);        /* newer than every object of name */
    for (int attempt = 0; rc == SECPROV_OK; attempt++) {
        rc = ensure_esys(c);
        if (rc == SECPROV_OK)
            rc = seal_object(c, name, data, len, gen, &image, &image_len);
        if (rc == SECPROV_OK || attempt > 0 || !recover_slots(c))
            break;
        rc = SECPROV_OK;                               /* slots recovered: once more */
    }
    if (rc == SECPROV_OK) {
        rc = sp_file_write_atomic(c->secrets_dir, file, image, image_len);   /* commit */
        if (rc != SECPROV_OK) {
            sp_os_error_log(c->env, "tpm", rc);      /* before the removal's own calls */
            store_remove_object(&c->store, name, gen);
        } else {
            store_sweep(&c->store);                    /* the old object, and others superseded */
        }
        sp_temp_sweep(c->secrets_dir);
    }
    sp_os_error_log(c->env, "tpm", rc);
    lock_end(c);
    free(image);                       /* header and ciphertext: nothing secret */
    return rc;
}

/* Read and check NAME's keystore object at path, then load and unseal it
 * with NAME's auth value (the empty one for an object sealed before name
 * binding: "with_auth" NO). */
static int unseal_object(tpm_ctx *c, const char *name, const char *path,
                         uint8_t sealed[DIRECT_MAX], size_t *sealed_len)
{
    char why[512];
    keystore_entry e;
    TPM2B_AUTH auth = {.size = 0};
    int rc = keystore_object_read(c->env->tpm_state_dir, path, &e, why, sizeof why);

    if (rc != SECPROV_OK) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: refusing the keystore object of '%s': %s",
                    name, why);
        return rc == SECPROV_ERR_NOT_FOUND ? SECPROV_ERR_INTEGRITY : rc;   /* ref names a missing object */
    }
    if (e.with_auth && name_auth(name, &auth) != 0)
        return SECPROV_ERR_INTERNAL;
    TSS2_RC trc = tpm_esys_unseal(&c->esys, &e.pub, &e.priv, e.with_auth ? &auth : NULL, sealed,
                                  sealed_len, &c->deadline);
    sp_cleanse(&auth, sizeof auth);
    if (trc == TSS2_RC_SUCCESS)
        return SECPROV_OK;
    rc = tss_failed(c, trc, "unsealing (TPM2_Load, TPM2_Unseal)", name);
    /* A parameter the TPM refuses can only be TPM2_Load's inPrivate or
     * inPublic (TPM2_Unseal has none): the stored blobs are bad. */
    if ((trc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER && (trc & TPM2_RC_FMT1) && (trc & TPM2_RC_P))
        rc = SECPROV_ERR_INTEGRITY;
    return rc;
}

static int unseal_locked(tpm_ctx *c, const char *name, void **data, size_t *len)
{
    char path[256];
    uint8_t *image, sealed[DIRECT_MAX], aad[REF_HEADER + SECPROV_NAME_MAX];
    size_t image_len, sealed_len = 0;
    secret_ref ref;
    int rc;

    if ((rc = store_ref_load(&c->store, name, &image, &image_len, &ref)) != SECPROV_OK)
        return rc;
    rc = ref_object_path(path, sizeof path, name, ref.gen);
    if (rc == SECPROV_OK)
        rc = ensure_esys(c);
    if (rc == SECPROV_OK)
        rc = unseal_object(c, name, path, sealed, &sealed_len);
    if (rc == SECPROV_OK && ref.kind == REF_DIRECT) {
        if (sealed_len == 0 || sealed_len > DIRECT_MAX || (*data = c->env->secret_alloc(sealed_len)) == NULL)
            rc = sealed_len == 0 || sealed_len > DIRECT_MAX ? SECPROV_ERR_INTEGRITY : SECPROV_ERR_NOMEM;
        else {
            memcpy(*data, sealed, sealed_len);
            *len = sealed_len;
        }
    } else if (rc == SECPROV_OK) {
        if (sealed_len != SP_GCM_KEY_LEN)
            rc = SECPROV_ERR_INTEGRITY;
        else if ((*data = c->env->secret_alloc(ref.ct_len)) == NULL)
            rc = SECPROV_ERR_NOMEM;
        else {
            size_t aad_len = ref_aad(image, name, aad, sizeof aad);
            rc = sp_gcm_decrypt(sealed, ref.nonce, aad, aad_len, ref.ct, ref.ct_len,
                                ref.tag, *data);
            if (rc == SECPROV_OK) {
                *len = ref.ct_len;
            } else {
                c->env->secret_free(*data, ref.ct_len);
                *data = NULL;
                c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: the envelope of '%s' failed its "
                            "integrity check", name);
            }
        }
    }
    sp_cleanse(sealed, sizeof sealed);
    free(image);
    return rc;
}

static int tpm_unseal(secprov_provider_ctx *ctx, const char *name, void **data, size_t *len)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    int rc = lock_begin(c);

    if (rc != SECPROV_OK)
        return rc;
    for (int attempt = 0;; attempt++) {
        rc = unseal_locked(c, name, data, len);
        if (rc == SECPROV_OK || attempt > 0 || !recover_slots(c))
            break;
    }
    sp_os_error_log(c->env, "tpm", rc);
    lock_end(c);
    return rc;
}

static int tpm_remove(secprov_provider_ctx *ctx, const char *name)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    char file[SECPROV_NAME_MAX + 8];
    uint8_t *image;
    size_t len;
    secret_ref ref;
    int rc;

    if ((rc = ref_file(name, file, sizeof file)) != SECPROV_OK)
        return rc;
    if (tpm_store_has(c->env, name) == SECPROV_ERR_NOT_FOUND)
        return SECPROV_ERR_NOT_FOUND;
    if ((rc = check_writable(c, "delete", name)) != SECPROV_OK || (rc = lock_begin(c)) != SECPROV_OK)
        return rc;
    rc = store_ref_load(&c->store, name, &image, &len, &ref);
    free(image);
    if (rc == SECPROV_OK || rc == SECPROV_ERR_INTEGRITY) {
        int parsed = rc == SECPROV_OK;
        rc = sp_file_remove(c->secrets_dir, file);       /* commit */
        /* The committed object and older ones go; with a reference that
         * did not verify, nothing is known: its objects stay leftovers. */
        if (rc == SECPROV_OK && parsed)
            store_forget(&c->store, name, ref.gen);
        if (rc == SECPROV_OK) {
            store_sweep(&c->store);
            sp_temp_sweep(c->secrets_dir);
        }
    }
    sp_os_error_log(c->env, "tpm", rc);
    lock_end(c);
    return rc;
}

static int tpm_list(secprov_provider_ctx *ctx, char ***names, size_t *count)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    int rc = sp_dir_list(c->secrets_dir, REF_SUFFIX, names, count);

    sp_os_error_log(c->env, "tpm", rc);
    return rc;
}

static int tpm_info(const secprov_provider_ctx *ctx, secprov_info_fn emit, void *user)
{
    const tpm_ctx *c = (const tpm_ctx *)ctx;
    emit("fapi_config", c->config_path, user);
    emit("tcti", c->env->tpm_tcti, user);
    emit("state_dir", c->env->tpm_state_dir, user);
    emit("profile", PROFILE_NAME " (persistent SRK 0x81000001, noDA)", user);
    emit("attest_mldsa", attest_mldsa_state(), user);
    emit("resource_manager", c->keep_session ? "yes (the session stays loaded)"
                                             : "no (the session is saved between calls)", user);
    return SECPROV_OK;
}

static int tpm_locate(secprov_provider_ctx *ctx, const char *name, char *out, size_t out_len)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    uint8_t *image;
    size_t len;
    secret_ref ref;
    int rc = lock_begin(c);

    if (rc != SECPROV_OK)
        return rc;
    rc = store_ref_load(&c->store, name, &image, &len, &ref);
    free(image);
    lock_end(c);
    if (rc != SECPROV_OK)
        return rc;
    char path[256];
    if ((rc = ref_object_path(path, sizeof path, name, ref.gen)) != SECPROV_OK)
        return rc;
    int n = snprintf(out, out_len, "fapi:%s%s", path,
                     ref.kind == REF_ENVELOPE ? " (data key of an envelope)" : "");
    return n > 0 && (size_t)n < out_len ? SECPROV_OK : SECPROV_ERR_TOO_LARGE;
}

static int tpm_gc(secprov_provider_ctx *ctx, int dry_run, secprov_gc_fn emit, void *user)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    int rc = lock_begin(c);

    if (rc != SECPROV_OK)
        return rc;
    rc = store_gc(&c->store, dry_run, emit, user);
    lock_end(c);
    return rc;
}

/* The attest slot: docs/attestation.md, attest_report.h. */
static int tpm_attest(secprov_provider_ctx *ctx, int op, const void *nonce, size_t nonce_len,
                      char **json)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    const char *what = "attest";
    TSS2_RC trc = TSS2_RC_SUCCESS;
    int rc = lock_begin(c);

    if (rc != SECPROV_OK)
        return rc;
    for (int attempt = 0;; attempt++) {
        if ((rc = ensure_esys(c)) == SECPROV_OK) {
            rc = tpm_attest_run(&c->esys, c->env, &c->deadline, op, nonce, nonce_len,
                                json, &trc, &what);
            if (trc != TSS2_RC_SUCCESS)
                rc = tss_failed(c, trc, what, "attestation key");
        }
        if (rc == SECPROV_OK || attempt > 0 || !recover_slots(c))
            break;
    }
    lock_end(c);
    return rc;
}

static const secprov_provider_class tpm_class = {
    .abi_version = SECPROV_PROVIDER_ABI_VERSION,
    .size = sizeof(secprov_provider_class),
    .name = "tpm",
    .open = tpm_open,
    .close = tpm_close,
    .seal = tpm_seal,
    .unseal = tpm_unseal,
    .remove = tpm_remove,
    .list = tpm_list,
    .info = tpm_info,
    .extension = NULL,
    .locate = tpm_locate,
    .gc = tpm_gc,
    .store_has = tpm_store_has,
    .store_names = tpm_store_names,
    .attest = tpm_attest,
};

SECPROV_API const secprov_provider_class *secprov_provider_entry(void)
{
    return &tpm_class;
}
