/*
 * The tpm provider: secrets sealed by the TPM through tpm2-tss.
 * Storage layout and atomic replace: secret_ref.h. FAPI files: fapi_setup.h.
 * FAPI provisions the TPM (a context on the TPM, at the first open of a
 * keystore only) and reads and lists the keystore (a context in FAPI's
 * non-TPM mode: no TPM command); the commands that carry a secret go
 * through an ESYS context of our own on our own TCTI (esys_seal.h), in one
 * salted session per handle (tpm_session.h), so that no copy of a secret is
 * freed unzeroed, and secprov writes their keystore files
 * (keystore_object.h).
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
#include "esys_seal.h"
#include "fapi_setup.h"
#include "keystore_object.h"
#include "provider_abi.h"
#include "secret_ref.h"
#include "state_files.h"
#include "tpm_flush.h"
#include "tpm_probe.h"
#include "tss_wait.h"

#define LOCK_WAIT_MS 30000
#define SRK_HANDLE 0x81000001u        /* the profile's persistent SRK */
#define PATH_MAX_LEN 4096

typedef struct tpm_ctx {
    secprov_provider_ctx base;      /* first: the class */
    const secprov_provider_env *env;
    pthread_mutex_t mutex;
    int lock_fd;
    FAPI_CONTEXT *fapi;             /* the keystore, non-TPM mode; NULL after an error */
    tpm_esys esys;                  /* on its own TCTI; esys.esys NULL when not made */
    tpm_deadline deadline;          /* of the current call: see tss_wait.h */
    int slots_exhausted;            /* the last TPM error was 0x902/0x903/... */
    int reconnect;                  /* the last error was the connection's (not a timeout) */
    int quiet;                      /* failures logged at debug only (open's early ESYS) */
    int probe_first;                /* probe before the next ESYS context (after a drop) */
    int keep_session;               /* a resource manager: tpm_session.h */
    int probe_ms, call_ms;          /* tpm.probe_timeout_ms, tpm.call_timeout_ms */
    char config_path[PATH_MAX_LEN];
    char store_path[PATH_MAX_LEN];  /* the non-TPM-mode FAPI config */
    char secrets_dir[PATH_MAX_LEN];
} tpm_ctx;

static const secprov_provider_class tpm_class;

/* ---- locking ---------------------------------------------------------- */

static int lock_begin(tpm_ctx *c)
{
    struct timespec pause = {0, 2 * 1000 * 1000};

    pthread_mutex_lock(&c->mutex);
    for (int waited = 0; flock(c->lock_fd, LOCK_EX | LOCK_NB) != 0; waited += 2) {
        if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= LOCK_WAIT_MS) {
            pthread_mutex_unlock(&c->mutex);
            c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: another process holds %s/lock "
                        "for more than %d s", c->env->tpm_state_dir, LOCK_WAIT_MS / 1000);
            return SECPROV_ERR_BUSY;
        }
        nanosleep(&pause, NULL);
    }
    tpm_deadline_set(&c->deadline, c->call_ms);
    return SECPROV_OK;
}

static void lock_end(tpm_ctx *c)
{
    flock(c->lock_fd, LOCK_UN);
    pthread_mutex_unlock(&c->mutex);
}

/* ---- FAPI and ESYS contexts, errors ----------------------------------- */

/* Drop the ESYS context (flushing its session when the TPM answered: then
 * answered is 1) and the FAPI context; the next ESYS context is made after
 * a probe. */
static void drop_contexts(tpm_ctx *c, int answered)
{
    tpm_esys_close(&c->esys, answered ? &c->deadline : NULL);
    if (c->fapi != NULL)
        Fapi_Finalize(&c->fapi);
    c->fapi = NULL;
    c->probe_first = 1;
}

static void drop_fapi(tpm_ctx *c)
{
    drop_contexts(c, 0);
}

/* The FAPI context that reads and lists the keystore: FAPI's non-TPM mode
 * (fapi_setup.h), so no TPM command and no wait. */
static int ensure_fapi(tpm_ctx *c)
{
    TSS2_RC rc;

    if (c->fapi != NULL)
        return SECPROV_OK;
    if ((rc = fapi_context_new(c->store_path, &c->deadline, &c->fapi)) == TSS2_RC_SUCCESS)
        return SECPROV_OK;
    c->fapi = NULL;
    c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: FAPI initialisation (keystore, config %s) "
                "failed: %s", c->store_path, Tss2_RC_Decode(rc));
    return rc == TSS2_FAPI_RC_MEMORY ? SECPROV_ERR_NOMEM : SECPROV_ERR_TPM;
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
    if ((st = ensure_fapi(c)) != SECPROV_OK)
        return st;
    rc = keystore_object_blobs(c->fapi, "/HS/SRK", &c->deadline, &srk, NULL);
    if (rc != TSS2_RC_SUCCESS)
        return tss_failed(c, rc, "reading the keystore's SRK", "/HS/SRK");
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

/* Fapi_Delete, which FAPI's non-TPM mode refuses (TSS2_FAPI_RC_NO_TPM): on a
 * FAPI context on the TPM made for it, after the ESYS context's TCTI is
 * closed (/dev/tpm0 admits one opener). Rare: only for an object that
 * keystore_object_remove() did not find where FAPI's layout puts it. */
static TSS2_RC fapi_delete_on_tpm(tpm_ctx *c, const char *path)
{
    FAPI_CONTEXT *fapi = NULL;
    char why[512];
    TSS2_RC rc;

    drop_contexts(c, 1);
    if (probe(c, why, sizeof why) != SECPROV_OK) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: %s", why);
        return TSS_RC_DEADLINE;
    }
    if ((rc = fapi_context_new(c->config_path, &c->deadline, &fapi)) != TSS2_RC_SUCCESS)
        return rc;
    FAPI_RUN(rc, fapi, &c->deadline, Fapi_Delete_Async(fapi, path), Fapi_Delete_Finish(fapi));
    Fapi_Finalize(&fapi);
    return rc;
}

/* ---- references -------------------------------------------------------- */

static int ref_file(const char *name, char *out, size_t len)
{
    int n = snprintf(out, len, "%s" REF_SUFFIX, name);
    return n > 0 && (size_t)n < len ? SECPROV_OK : SECPROV_ERR_NAME;
}

/* Read and parse NAME's reference; *image must be freed by the caller. */
static int ref_load(tpm_ctx *c, const char *name, uint8_t **image, size_t *len, secret_ref *ref)
{
    char file[SECPROV_NAME_MAX + 8];
    int rc = ref_file(name, file, sizeof file);

    *image = NULL;
    if (rc == SECPROV_OK)
        rc = sp_file_read(c->secrets_dir, file, SECPROV_SECRET_MAX + REF_ENV_HEADER,
                          (void **)image, len);
    if (rc == SECPROV_ERR_TOO_LARGE)
        rc = SECPROV_ERR_INTEGRITY;
    if (rc == SECPROV_ERR_PERMISSION)
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: refusing %s/%s: not a private regular "
                    "file of this user", c->secrets_dir, file);
    if (rc == SECPROV_OK && (rc = ref_parse(*image, *len, ref)) != SECPROV_OK)
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: %s/%s is malformed", c->secrets_dir, file);
    if (rc != SECPROV_OK) {
        free(*image);
        *image = NULL;
    }
    return rc;
}

static void delete_object(tpm_ctx *c, const char *name, uint64_t gen)
{
    char path[256];

    if (ref_object_path(path, sizeof path, name, gen) != SECPROV_OK)
        return;
    if (keystore_object_remove(c->env->tpm_state_dir, path) == 0)
        return;
    TSS2_RC rc = fapi_delete_on_tpm(c, path);          /* the layout was not as expected */
    if (rc != TSS2_RC_SUCCESS && rc != TSS2_FAPI_RC_PATH_NOT_FOUND)
        tss_failed(c, rc, "Fapi_Delete", path);
}

/* Delete objects no reference names: left by a crash mid-seal or mid-delete.
 * Called with the lock held. */
static void sweep_orphans(tpm_ctx *c)
{
    char *list = NULL, *save = NULL;

    if (ensure_fapi(c) != SECPROV_OK)
        return;
    TSS2_RC rc;
    FAPI_RUN(rc, c->fapi, &c->deadline, Fapi_List_Async(c->fapi, "/HS/SRK"),
             Fapi_List_Finish(c->fapi, &list));
    if (rc != TSS2_RC_SUCCESS) {
        if (rc != TSS2_FAPI_RC_PATH_NOT_FOUND)
            tss_failed(c, rc, "Fapi_List", "/HS/SRK");
        return;
    }
    for (char *p = strtok_r(list, ":", &save); p != NULL; p = strtok_r(NULL, ":", &save)) {
        char name[SECPROV_NAME_MAX + 1];
        uint64_t gen;
        uint8_t *image;
        size_t len;
        secret_ref ref;
        if (ref_parse_object_path(p, name, sizeof name, &gen) != 0)
            continue;
        int st = ref_load(c, name, &image, &len, &ref);
        free(image);
        /* Only an object no reference can name is an orphan: a reference
         * that is refused (planted, wrong mode) or unreadable keeps it. */
        if ((st == SECPROV_OK && ref.gen == gen) || (st != SECPROV_OK && st != SECPROV_ERR_NOT_FOUND))
            continue;
        c->env->log(c->env, SECPROV_LOG_DEBUG, "tpm: removing orphaned object of '%s'", name);
        delete_object(c, name, gen);
    }
    Fapi_Free(list);
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

/* The tpm.* settings this provider reads beyond ABI 1's (provider_abi.h). */
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
    if (c->esys.esys != NULL && c->lock_fd >= 0 && lock_begin(c) == SECPROV_OK) {
        drop_contexts(c, 1);
        lock_end(c);
    }
    drop_fapi(c);
    if (c->lock_fd >= 0)
        close(c->lock_fd);
    pthread_mutex_destroy(&c->mutex);
    free(c);
}

static int tpm_open(secprov_provider_ctx **out, const secprov_provider_env *env,
                    char *why, size_t why_len)
{
    char lock_path[PATH_MAX_LEN];
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
    c->lock_fd = -1;
    pthread_mutex_init(&c->mutex, NULL);
    tpm_settings(c, env);

    rc = fapi_files_write(env, env->tpm_state_dir, env->tpm_tcti, c->config_path,
                          c->store_path, sizeof c->config_path, why, why_len);
    if (rc == SECPROV_OK)
        rc = sp_path_join(c->secrets_dir, sizeof c->secrets_dir, env->tpm_state_dir, "secrets");
    if (rc == SECPROV_OK && (rc = sp_path_join(lock_path, sizeof lock_path, env->tpm_state_dir,
                                               "lock")) == SECPROV_OK) {
        c->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (c->lock_fd < 0) {
            snprintf(why, why_len, "cannot open %s: %s", lock_path, strerror(errno));
            rc = SECPROV_ERR_IO;
        }
    }
    if (rc == SECPROV_OK && (rc = lock_begin(c)) == SECPROV_OK) {
        rc = probe(c, why, why_len);           /* open reaches the TPM: one command */
        if (rc == SECPROV_OK)
            rc = provision(c, why, why_len);
        if (rc == SECPROV_OK)
            sweep_orphans(c);
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
    sp_temp_sweep(c->secrets_dir);
    *out = &c->base;
    return SECPROV_OK;
}

/* ---- seal/unseal/delete/list -------------------------------------------- */

static int new_gen(uint64_t *gen)
{
    int rc;
    do
        rc = sp_random(gen, sizeof *gen);
    while (rc == SECPROV_OK && *gen == 0);
    return rc;
}

/* Build the reference image for data sealed (directly or by data key) at gen. */
static int seal_object(tpm_ctx *c, const char *name, const void *data, size_t len,
                       uint64_t gen, uint8_t **image, size_t *image_len)
{
    char path[256], aad[REF_HEADER + SECPROV_NAME_MAX];
    uint8_t key[SP_GCM_KEY_LEN], *img;
    int envelope = len > DIRECT_MAX, rc;
    size_t nlen = strlen(name);

    *image = NULL;
    if ((rc = ref_object_path(path, sizeof path, name, gen)) != SECPROV_OK)
        return rc;
    *image_len = envelope ? REF_ENV_HEADER + len : REF_HEADER;
    img = calloc(1, *image_len);
    if (img == NULL)
        return SECPROV_ERR_NOMEM;
    ref_header(img, envelope ? REF_ENVELOPE : REF_DIRECT, gen);
    if (envelope && (rc = sp_random(key, sizeof key)) != SECPROV_OK) {
        free(img);
        return rc;
    }
    TPM2B_PUBLIC pub;
    TPM2B_PRIVATE priv;
    TSS2_RC trc = tpm_esys_seal(&c->esys, envelope ? key : data, envelope ? sizeof key : len,
                                &pub, &priv, &c->deadline);
    if (trc != TSS2_RC_SUCCESS) {
        sp_cleanse(key, sizeof key);
        free(img);
        return tss_failed(c, trc, "sealing (TPM2_Create)", name);
    }
    if ((rc = keystore_object_write(c->env->tpm_state_dir, path, &pub, &priv)) != SECPROV_OK) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: cannot write the keystore object of "
                    "'%s': %s", name, c->env->status_text(rc));
        sp_cleanse(key, sizeof key);
        free(img);
        (void)keystore_object_remove(c->env->tpm_state_dir, path);
        return rc;
    }
    if (envelope) {
        memcpy(aad, img, REF_HEADER);
        memcpy(aad + REF_HEADER, name, nlen);
        rc = sp_random(img + REF_HEADER, SP_GCM_IV_LEN);
        if (rc == SECPROV_OK)
            rc = sp_gcm_encrypt(key, img + REF_HEADER, aad, REF_HEADER + nlen, data, len,
                                img + REF_ENV_HEADER, img + REF_HEADER + SP_GCM_IV_LEN);
        sp_cleanse(key, sizeof key);
        if (rc != SECPROV_OK) {
            free(img);
            delete_object(c, name, gen);
            return rc;
        }
    }
    *image = img;
    return SECPROV_OK;
}

static int tpm_seal(secprov_provider_ctx *ctx, const char *name, const void *data, size_t len)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    char file[SECPROV_NAME_MAX + 8];
    uint8_t *image = NULL, *old_image;
    size_t image_len = 0, old_len;
    secret_ref old;
    uint64_t gen;
    int rc;

    if ((rc = ref_file(name, file, sizeof file)) != SECPROV_OK || (rc = new_gen(&gen)) != SECPROV_OK)
        return rc;
    if ((rc = lock_begin(c)) != SECPROV_OK)
        return rc;
    int had_old = ref_load(c, name, &old_image, &old_len, &old) == SECPROV_OK;
    free(old_image);
    for (int attempt = 0;; attempt++) {
        rc = ensure_esys(c);
        if (rc == SECPROV_OK)
            rc = seal_object(c, name, data, len, gen, &image, &image_len);
        if (rc == SECPROV_OK || attempt > 0 || !recover_slots(c))
            break;
    }
    if (rc == SECPROV_OK) {
        rc = sp_file_write_atomic(c->secrets_dir, file, image, image_len);   /* commit */
        if (rc != SECPROV_OK)
            delete_object(c, name, gen);
        else if (had_old)
            delete_object(c, name, old.gen);
        sp_temp_sweep(c->secrets_dir);
    }
    lock_end(c);
    free(image);                       /* header and ciphertext: nothing secret */
    return rc;
}

static int unseal_locked(tpm_ctx *c, const char *name, void **data, size_t *len)
{
    char path[256], aad[REF_HEADER + SECPROV_NAME_MAX];
    uint8_t *image, sealed[DIRECT_MAX];
    size_t image_len, sealed_len = 0, nlen = strlen(name);
    TPM2B_PUBLIC pub;
    TPM2B_PRIVATE priv;
    secret_ref ref;
    int rc;

    if ((rc = ref_load(c, name, &image, &image_len, &ref)) != SECPROV_OK)
        return rc;
    rc = ref_object_path(path, sizeof path, name, ref.gen);
    if (rc == SECPROV_OK)
        rc = ensure_esys(c);
    if (rc == SECPROV_OK) {
        TSS2_RC trc = keystore_object_blobs(c->fapi, path, &c->deadline, &pub, &priv);
        if (trc != TSS2_RC_SUCCESS) {
            rc = tss_failed(c, trc, "reading the keystore object", name);
            if (rc == SECPROV_ERR_NOT_FOUND) {  /* the reference names a missing object */
                c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: the keystore object of '%s' "
                            "is missing", name);
                rc = SECPROV_ERR_INTEGRITY;
            }
        } else if ((trc = tpm_esys_unseal(&c->esys, &pub, &priv, sealed, &sealed_len,
                                          &c->deadline)) != TSS2_RC_SUCCESS) {
            rc = tss_failed(c, trc, "unsealing (TPM2_Load, TPM2_Unseal)", name);
        }
    }
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
            memcpy(aad, image, REF_HEADER);
            memcpy(aad + REF_HEADER, name, nlen);
            rc = sp_gcm_decrypt(sealed, ref.nonce, aad, REF_HEADER + nlen, ref.ct, ref.ct_len,
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

    if ((rc = ref_file(name, file, sizeof file)) != SECPROV_OK || (rc = lock_begin(c)) != SECPROV_OK)
        return rc;
    rc = ref_load(c, name, &image, &len, &ref);
    free(image);
    if (rc == SECPROV_OK || rc == SECPROV_ERR_INTEGRITY) {
        int parsed = rc == SECPROV_OK;
        rc = sp_file_remove(c->secrets_dir, file);       /* commit */
        if (rc == SECPROV_OK && parsed)
            delete_object(c, name, ref.gen);
        else if (rc == SECPROV_OK)
            sweep_orphans(c);
    }
    lock_end(c);
    return rc;
}

static int tpm_list(secprov_provider_ctx *ctx, char ***names, size_t *count)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    return sp_dir_list(c->secrets_dir, REF_SUFFIX, names, count);
}

static int tpm_info(const secprov_provider_ctx *ctx, secprov_info_fn emit, void *user)
{
    const tpm_ctx *c = (const tpm_ctx *)ctx;
    emit("fapi_config", c->config_path, user);
    emit("tcti", c->env->tpm_tcti, user);
    emit("state_dir", c->env->tpm_state_dir, user);
    emit("profile", PROFILE_NAME " (persistent SRK 0x81000001, noDA)", user);
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
    rc = ref_load(c, name, &image, &len, &ref);
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
};

SECPROV_API const secprov_provider_class *secprov_provider_entry(void)
{
    return &tpm_class;
}
