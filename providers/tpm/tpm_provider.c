/*
 * The tpm provider: secrets sealed by the TPM through tpm2-tss. This file is
 * its class table (secprov_provider.h) over the parts in tpm_ctx.h.
 * Storage layout, atomic replace and the sweep: docs/tpm-store.md,
 * secret_ref.h, tpm_store.h. FAPI files: fapi_setup.h.
 * FAPI only provisions the TPM (a context on the TPM, at the first open of
 * a keystore); secprov reads the keystore files itself (keystore_object.h)
 * and lists the keystore by reading its folders (tpm_store.h). The commands
 * that carry a secret go through an ESYS context of our own on our own
 * TCTI (esys_seal.h), in one salted session per handle (tpm_session.h), so
 * that no copy of a secret is freed unzeroed. Every object is bound to its
 * secret's name by its auth value (name_auth.h).
 */
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

#include "attest_mldsa.h"
#include "attest_report.h"
#include "attest_block.h"
#include "attest_activate.h"
#include "fapi_setup.h"
#include "state_files.h"
#include "tpm_offline.h"

static const secprov_provider_class tpm_class;
int tpm_import_blob(secprov_provider_ctx *ctx, int op, const char *name, const void *blob,
                    size_t blob_len, void **data, size_t *len);

static void tpm_close(secprov_provider_ctx *ctx)
{
    tpm_ctx *c = (tpm_ctx *)ctx;

    /* Closed in a forked child that never adopted the handle: the parent's
     * connection, session and lock are only forgotten (tpm_fork.c). */
    if (c->pid != getpid())
        tpm_fork_forget(c);
    /* The session's slot is freed now, not left to a recovery flush; a
     * session saved between calls (no resource manager) needs a
     * connection for that. */
    if ((c->esys.esys != NULL || c->esys.session.saved != NULL) && c->lock.fd >= 0 &&
        tpm_call_begin(c) == SECPROV_OK) {
        if (c->esys.esys == NULL) {
            c->quiet = 1;
            (void)tpm_ensure_esys(c);
            c->quiet = 0;
        }
        tpm_drop_contexts(c, c->esys.esys != NULL);
        tpm_call_end(c);
    }
    tpm_drop(c);
    tpm_lock_close(&c->lock);
    if (c->ro_pid == getpid())          /* a child leaves its parent's files */
        fapi_readonly_remove(&c->ro);
    tpm_fork_unregister(c);
    pthread_mutex_destroy(&c->mutex);
    free(c);
}

static int tpm_open(secprov_provider_ctx **out, const secprov_provider_env *env,
                    char *why, size_t why_len)
{
    char keystore[PATH_MAX_LEN];
    tpm_ctx *c;
    int rc;

    *out = NULL;
    tss2_log_quiet(env->log_level <= SECPROV_LOG_DEBUG);
    if ((rc = sp_state_dir_prepare(env->state_dir, why, why_len)) != SECPROV_OK)
        return rc;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return SECPROV_ERR_NOMEM;
    c->base.klass = &tpm_class;
    c->env = env;
    c->lock.fd = c->lock.held = -1;
    pthread_mutex_init(&c->mutex, NULL);
    c->ro_pid = getpid();
    tpm_fork_register(c);

    rc = tpm_settings_read(env, &c->set, why, why_len);
    if (rc == SECPROV_OK)
        rc = fapi_files_write(env, env->state_dir, c->set.tcti, c->config_path,
                              sizeof c->config_path, why, why_len);
    if (rc == SECPROV_OK)
        rc = sp_path_join(c->secrets_dir, sizeof c->secrets_dir, env->state_dir, "secrets");
    c->store.env = env;
    c->store.secrets_dir = c->secrets_dir;
    if (rc == SECPROV_OK && (rc = sp_path_join(keystore, sizeof keystore, env->state_dir,
                                               "keystore/user")) == SECPROV_OK &&
        sp_dir_writable(keystore, NULL, 0) != SECPROV_OK)
        rc = fapi_readonly_setup(&c->ro, env->state_dir, c->set.tcti, c->config_path,
                                 sizeof c->config_path, why, why_len);
    if (rc == SECPROV_OK)
        rc = tpm_lock_open(&c->lock, env->state_dir, c->set.lock_timeout_ms, why, why_len);
    if (rc == SECPROV_OK)
        tpm_provision_preload(c);
    if (rc == SECPROV_OK && (rc = tpm_lock_take(&c->lock, why, why_len)) == SECPROV_OK) {
        pthread_mutex_lock(&c->mutex);
        tpm_deadline_set(&c->deadline, c->set.call_ms);
        rc = tpm_call_probe(c, why, why_len);           /* open reaches the TPM: one command */
        if (rc == SECPROV_ERR_BUSY)       /* /dev/tpm0 kept open by another process: */
            rc = SECPROV_ERR_UNAVAILABLE; /* a device failure, not lock contention */
        if (rc == SECPROV_OK)
            rc = tpm_provision(c, why, why_len);
        /* The ESYS context now, while open has the TPM: the first call then
         * has only its own commands to do in its time (tpm.call_timeout_ms),
         * not also the TCTI's, ESAPI's and OpenSSL's set-up. Best effort: a
         * failure (the SRK check refused, say) is the first call's to
         * report, so open still succeeds and, in auto, never falls back for
         * it. */
        if (rc == SECPROV_OK) {
            c->quiet = 1;
            (void)tpm_ensure_esys(c);
            c->quiet = 0;
        }
        tpm_call_end(c);
    }
    if (rc != SECPROV_OK) {
        tpm_close(&c->base);
        return rc;
    }
    *out = &c->base;
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

    if ((rc = tpm_ref_file(name, file, sizeof file)) != SECPROV_OK)
        return rc;
    if ((rc = tpm_check_writable(c, "seal", name)) != SECPROV_OK || (rc = tpm_call_begin(c)) != SECPROV_OK)
        return rc;
    rc = store_next_gen(&c->store, name, &gen);        /* newer than every object of name */
    for (int attempt = 0; rc == SECPROV_OK; attempt++) {
        rc = tpm_ensure_esys(c);
        if (rc == SECPROV_OK)
            rc = tpm_seal_object(c, name, data, len, gen, &image, &image_len);
        if (rc == SECPROV_OK || attempt > 0 || !tpm_recover_slots(c))
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
    tpm_call_end(c);
    free(image);                       /* header and ciphertext: nothing secret */
    return rc;
}

static int tpm_unseal(secprov_provider_ctx *ctx, const char *name, void **data, size_t *len)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    int rc = tpm_call_begin(c);

    if (rc != SECPROV_OK)
        return rc;
    for (int attempt = 0;; attempt++) {
        rc = tpm_unseal_locked(c, name, data, len);
        if (rc == SECPROV_OK || attempt > 0 || !tpm_recover_slots(c))
            break;
    }
    sp_os_error_log(c->env, "tpm", rc);
    tpm_call_end(c);
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

    if ((rc = tpm_ref_file(name, file, sizeof file)) != SECPROV_OK)
        return rc;
    if (tpm_store_has(c->env, name) == SECPROV_ERR_NOT_FOUND)
        return SECPROV_ERR_NOT_FOUND;
    if ((rc = tpm_check_writable(c, "delete", name)) != SECPROV_OK || (rc = tpm_call_begin(c)) != SECPROV_OK)
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
    tpm_call_end(c);
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
    emit("tcti", c->set.tcti, user);
    emit("state_dir", c->env->state_dir, user);
    emit("profile", PROFILE_NAME " (persistent SRK 0x81000001, noDA)", user);
    emit("attest_mldsa", attest_mldsa_state(), user);
    emit("resource_manager", c->set.keep_session ? "yes (the session stays loaded)"
                                             : "no (the session is saved between calls)", user);
    emit("salt_key", c->salt_desc[0] != '\0' ? c->salt_desc
                     : c->set.salt_key == TPM_SALT_RSA ? "rsa (set)"
                     : c->set.salt_key == TPM_SALT_ECC ? "ecc (set)" : "auto", user);
    return SECPROV_OK;
}

static int tpm_locate(secprov_provider_ctx *ctx, const char *name, char *out, size_t out_len)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    uint8_t *image;
    size_t len;
    secret_ref ref;
    int rc = tpm_call_begin(c);

    if (rc != SECPROV_OK)
        return rc;
    rc = store_ref_load(&c->store, name, &image, &len, &ref);
    free(image);
    tpm_call_end(c);
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
    int rc = tpm_call_begin(c);

    if (rc != SECPROV_OK)
        return rc;
    rc = store_gc(&c->store, dry_run, emit, user);
    tpm_call_end(c);
    return rc;
}

/* The attest slot: docs/attestation.md, attest_report.h. */
static int tpm_attest(secprov_provider_ctx *ctx, int op, const void *nonce, size_t nonce_len,
                      char **json)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    const char *what = "attest";
    TSS2_RC trc = TSS2_RC_SUCCESS;
    int rc = tpm_call_begin(c);

    if (rc != SECPROV_OK)
        return rc;
    for (int attempt = 0;; attempt++) {
        if ((rc = tpm_ensure_esys(c)) == SECPROV_OK) {
            rc = tpm_attest_run(&c->esys, c->env, &c->deadline, op, nonce, nonce_len,
                                json, &trc, &what);
            if (trc != TSS2_RC_SUCCESS)
                rc = tpm_failed(c, trc, what, "attestation key");
        }
        if (rc == SECPROV_OK || attempt > 0 || !tpm_recover_slots(c))
            break;
    }
    tpm_call_end(c);
    return rc;
}

/* The attest_block slot: docs/attestation.md, attest_block.h. */
static int tpm_attest_block(secprov_provider_ctx *ctx, const void *payload_id, size_t len,
                            int flags, char **json)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    const char *what = "attest block";
    TSS2_RC trc = TSS2_RC_SUCCESS;
    int rc;

    if ((flags & ~SECPROV_ATTEST_BLOCK_EPHEMERAL_AIK) != 0)
        return SECPROV_ERR_INVALID_ARG;
    if ((rc = tpm_call_begin(c)) != SECPROV_OK)
        return rc;
    for (int attempt = 0;; attempt++) {
        if ((rc = tpm_ensure_esys(c)) == SECPROV_OK) {
            rc = tpm_attest_block_run(&c->esys, c->env, &c->deadline, payload_id, len,
                                      (flags & SECPROV_ATTEST_BLOCK_EPHEMERAL_AIK) != 0, json,
                                      &trc, &what);
            if (trc != TSS2_RC_SUCCESS)
                rc = tpm_failed(c, trc, what, "attestation key");
        }
        if (rc == SECPROV_OK || attempt > 0 || !tpm_recover_slots(c))
            break;
    }
    tpm_call_end(c);
    return rc;
}

/* The attest_activate slot: docs/attestation.md, attest_activate.h. */
static int tpm_attest_activate(secprov_provider_ctx *ctx, const void *challenge, size_t len,
                               void *answer, size_t cap, size_t *answer_len)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    const char *what = "attest activate";
    TSS2_RC trc = TSS2_RC_SUCCESS;
    int rc = tpm_call_begin(c);

    if (rc != SECPROV_OK)
        return rc;
    for (int attempt = 0;; attempt++) {
        if ((rc = tpm_ensure_esys(c)) == SECPROV_OK) {
            rc = tpm_attest_activate_run(&c->esys, c->env, &c->deadline, challenge, len, answer,
                                         cap, answer_len, &trc, &what);
            if (trc != TSS2_RC_SUCCESS)
                rc = tpm_failed(c, trc, what, "attestation key");
        }
        if (rc == SECPROV_OK || attempt > 0 || !tpm_recover_slots(c))
            break;
    }
    tpm_call_end(c);
    return rc;
}

static const secprov_provider_class tpm_class = {
    .abi_version = SECPROV_PROVIDER_ABI_VERSION,
    .size = sizeof(secprov_provider_class),
    .name = "tpm",
    .config_keys = tpm_config_keys,
    .config_check = tpm_config_check,
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
    .attest_block = tpm_attest_block,
    .attest_activate = tpm_attest_activate,
    .import_blob = tpm_import_blob,     /* seal-to: tpm_import.c */
};

SECPROV_API const secprov_provider_class *secprov_provider_entry(void)
{
    return &tpm_class;
}
