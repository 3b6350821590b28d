/*
 * Seal-to blobs on the device (docs/seal-to.md, formats/sealed_blob.h):
 * TPM2_Import of the duplicate under the SRK, TPM2_Load and TPM2_Unseal of
 * the imported object, all in the handle's one salted session; then, for
 * import, the secret sealed anew as an ordinary local object of NAME
 * (TPM2_Create in the same session; the same generation, atomic replace
 * and sweep as a seal), so every later unseal costs what a local one does.
 * The imported object is never stored: TPM2_Import needs it without
 * fixedTPM/fixedParent, and the keystore refuses such objects.
 *
 * The rollback floor: <state_dir>/seal-to/NAME.version holds the highest
 * version imported for NAME (decimal text), written after the commit. A
 * local seal or delete of NAME leaves it. An older blob is refused
 * (SECPROV_ERR_ROLLBACK); the same version is accepted again.
 */
#include "tpm_ctx.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "name_auth.h"
#include "sealed_blob.h"
#include "state_files.h"

#define VERSION_DIR "seal-to"

int tpm_import_blob(secprov_provider_ctx *ctx, int op, const char *name, const void *blob,
                    size_t blob_len, void **data, size_t *len);

/* Import, Load, Unseal, FlushContext in the handle's session. */
static TSS2_RC import_once(tpm_esys *e, const sealed_blob *b, const TPM2B_AUTH *auth,
                           uint8_t out[SEALED_BLOB_DIRECT_MAX], size_t *out_len,
                           const tpm_deadline *d, const char **what)
{
    static const TPM2B_DATA no_inner_key;
    static const TPMT_SYM_DEF_OBJECT no_inner = {.algorithm = TPM2_ALG_NULL};
    static const TPM2B_AUTH empty;
    TPM2B_PRIVATE *priv = NULL;
    TPM2B_SENSITIVE_DATA *sd = NULL;
    ESYS_TR s, obj = ESYS_TR_NONE;
    TSS2_RC rc = tpm_session_begin(&e->session, e->esys, e->srk, &s, d), frc;

    *what = "importing (TPM2_Import)";
    if (rc == TSS2_RC_SUCCESS)
        ESYS_RUN(rc, e->esys, d,
                 Esys_Import_Async(e->esys, e->srk, s, ESYS_TR_NONE, ESYS_TR_NONE, &no_inner_key,
                                   &b->pub, &b->dup, &b->seed, &no_inner),
                 Esys_Import_Finish(e->esys, &priv));
    if (rc == TSS2_RC_SUCCESS) {
        *what = "loading the imported object (TPM2_Load)";
        ESYS_RUN(rc, e->esys, d,
                 Esys_Load_Async(e->esys, e->srk, s, ESYS_TR_NONE, ESYS_TR_NONE, priv, &b->pub),
                 Esys_Load_Finish(e->esys, &obj));
    }
    if (rc == TSS2_RC_SUCCESS)
        rc = Esys_TR_SetAuth(e->esys, obj, auth);
    if (rc == TSS2_RC_SUCCESS) {
        *what = "unsealing the imported object (TPM2_Unseal)";
        ESYS_RUN(rc, e->esys, d, Esys_Unseal_Async(e->esys, obj, s, ESYS_TR_NONE, ESYS_TR_NONE),
                 Esys_Unseal_Finish(e->esys, &sd));
        TSS2_SYS_CONTEXT *sys = NULL;
        const uint8_t *rp;
        size_t n;
        if (Esys_GetSysContext(e->esys, &sys) == TSS2_RC_SUCCESS &&
            Tss2_Sys_GetRpBuffer(sys, &n, &rp) == TSS2_RC_SUCCESS)
            sp_cleanse((uint8_t *)rp, n);
    }
    if (rc == TSS2_RC_SUCCESS) {
        if (sd->size == 0 || sd->size > SEALED_BLOB_DIRECT_MAX) {
            rc = TSS2_ESYS_RC_MALFORMED_RESPONSE;
        } else {
            memcpy(out, sd->buffer, sd->size);
            *out_len = sd->size;
        }
    }
    if (sd != NULL) {
        sp_cleanse(sd, sizeof *sd);
        Esys_Free(sd);
    }
    Esys_Free(priv);
    if (obj != ESYS_TR_NONE) {
        (void)Esys_TR_SetAuth(e->esys, obj, &empty);
        ESYS_RUN(frc, e->esys, d, Esys_FlushContext_Async(e->esys, obj),
                 Esys_FlushContext_Finish(e->esys));
        if (rc == TSS2_RC_SUCCESS)
            rc = frc;
    }
    return tpm_session_end(&e->session, e->esys, rc, d);
}

static int read_floor(tpm_ctx *c, const char *name, uint64_t *floor)
{
    char dir[PATH_MAX_LEN], file[SECPROV_NAME_MAX + 16], *text;
    size_t n;
    int rc;

    *floor = 0;
    snprintf(file, sizeof file, "%s.version", name);
    if ((rc = sp_path_join(dir, sizeof dir, c->env->state_dir, VERSION_DIR)) != SECPROV_OK)
        return rc;
    rc = sp_file_read(dir, file, 32, (void **)&text, &n);
    if (rc == SECPROV_ERR_NOT_FOUND)
        return SECPROV_OK;
    if (rc != SECPROV_OK)
        return rc;
    char buf[33];
    memcpy(buf, text, n);
    buf[n] = '\0';
    free(text);
    char *end;
    unsigned long long v = strtoull(buf, &end, 10);
    if (end == buf || (*end != '\0' && *end != '\n')) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: %s/%s is not a version number", dir, file);
        return SECPROV_ERR_INTEGRITY;
    }
    *floor = v;
    return SECPROV_OK;
}

static int write_floor(tpm_ctx *c, const char *name, uint64_t v)
{
    char dir[PATH_MAX_LEN], file[SECPROV_NAME_MAX + 16], text[32];
    int rc, n = snprintf(text, sizeof text, "%" PRIu64 "\n", v);

    snprintf(file, sizeof file, "%s.version", name);
    if ((rc = sp_dirs_make(c->env->state_dir, VERSION_DIR)) == SECPROV_OK &&
        (rc = sp_path_join(dir, sizeof dir, c->env->state_dir, VERSION_DIR)) == SECPROV_OK)
        rc = sp_file_write_atomic(dir, file, text, (size_t)n);
    return rc;
}

/* The secret of a parsed blob: into *data (env->secret_alloc). */
static int open_blob(tpm_ctx *c, const uint8_t *buf, const sealed_blob *b, void **data,
                     size_t *len)
{
    uint8_t sealed[SEALED_BLOB_DIRECT_MAX];
    size_t sealed_len = 0;
    TPM2B_NAME *srk = NULL;
    TPM2B_AUTH auth;
    const char *what = "importing";
    int rc = tpm_ensure_esys(c);

    if (rc != SECPROV_OK)
        return rc;
    TSS2_RC trc = Esys_TR_GetName(c->esys.esys, c->esys.srk, &srk);
    if (trc != TSS2_RC_SUCCESS)
        return tpm_failed(c, trc, "reading the SRK's name", b->name);
    int same = srk->size == b->srk_name.size && memcmp(srk->name, b->srk_name.name, srk->size) == 0;
    Esys_Free(srk);
    if (!same) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: the blob of '%s' is sealed to another TPM's "
                    "storage key (another device, or this one before its TPM was cleared): "
                    "re-enroll and have it sealed again", b->name);
        return SECPROV_ERR_WRONG_DEVICE;
    }
    if (name_auth(b->name, &auth) != 0)
        return SECPROV_ERR_INTERNAL;
    trc = import_once(&c->esys, b, &auth, sealed, &sealed_len, &c->deadline, &what);
    if (tpm_session_lost(trc))
        trc = import_once(&c->esys, b, &auth, sealed, &sealed_len, &c->deadline, &what);
    sp_cleanse(&auth, sizeof auth);
    if (trc != TSS2_RC_SUCCESS) {
        rc = tpm_failed(c, trc, what, b->name);
        /* The TPM refused a parameter of Import or Load, or the object's
         * auth value: the blob was altered. */
        if ((trc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER && (trc & TPM2_RC_FMT1))
            rc = SECPROV_ERR_INTEGRITY;
        sp_cleanse(sealed, sizeof sealed);
        return rc;
    }
    if (b->kind == SEALED_BLOB_DIRECT) {
        if ((*data = c->env->secret_alloc(sealed_len)) == NULL)
            rc = SECPROV_ERR_NOMEM;
        else {
            memcpy(*data, sealed, sealed_len);
            *len = sealed_len;
        }
    } else if (sealed_len != SP_GCM_KEY_LEN) {
        rc = SECPROV_ERR_INTEGRITY;
    } else if ((*data = c->env->secret_alloc(b->ct_len)) == NULL) {
        rc = SECPROV_ERR_NOMEM;
    } else if ((rc = sp_gcm_decrypt(sealed, b->nonce, buf, b->aad_len, b->ct, b->ct_len, b->tag,
                                    *data)) != SECPROV_OK) {
        c->env->secret_free(*data, b->ct_len);
        *data = NULL;
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: the envelope of the blob of '%s' failed "
                    "its integrity check (altered)", b->name);
        rc = SECPROV_ERR_INTEGRITY;
    } else {
        *len = b->ct_len;
    }
    sp_cleanse(sealed, sizeof sealed);
    return rc;
}

/* Store the secret as NAME: the seal path of tpm_provider.c (new
 * generation, commit the reference, sweep). */
static int store_secret(tpm_ctx *c, const char *name, const void *data, size_t len)
{
    char file[SECPROV_NAME_MAX + 8];
    uint8_t *image = NULL;
    size_t image_len = 0;
    ref_gen gen;
    int rc = tpm_ref_file(name, file, sizeof file);

    if (rc == SECPROV_OK)
        rc = store_next_gen(&c->store, name, &gen);
    if (rc == SECPROV_OK)
        rc = tpm_seal_object(c, name, data, len, gen, &image, &image_len);
    if (rc == SECPROV_OK) {
        rc = sp_file_write_atomic(c->secrets_dir, file, image, image_len);   /* commit */
        if (rc != SECPROV_OK)
            store_remove_object(&c->store, name, gen);
        else
            store_sweep(&c->store);
        sp_temp_sweep(c->secrets_dir);
    }
    free(image);
    return rc;
}

int tpm_import_blob(secprov_provider_ctx *ctx, int op, const char *name, const void *blob,
                    size_t blob_len, void **data, size_t *len)
{
    tpm_ctx *c = (tpm_ctx *)ctx;
    sealed_blob b;
    char why[256];
    void *secret = NULL;
    size_t secret_len = 0;
    uint64_t floor = 0;
    int rc, p = sealed_blob_parse(blob, blob_len, &b, why, sizeof why);

    if (p != 0) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: refusing the seal-to blob: %s", why);
        return p == -2 ? SECPROV_ERR_INTEGRITY : SECPROV_ERR_FORMAT;
    }
    if (op == SECPROV_BLOB_OP_IMPORT && strcmp(b.name, name) != 0) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: the blob is sealed for '%s', not for '%s'",
                    b.name, name);
        return SECPROV_ERR_WRONG_NAME;
    }
    if (op == SECPROV_BLOB_OP_IMPORT && (rc = tpm_check_writable(c, "import", name)) != SECPROV_OK)
        return rc;
    if ((rc = tpm_call_begin(c)) != SECPROV_OK)
        return rc;
    if (op == SECPROV_BLOB_OP_IMPORT && (rc = read_floor(c, name, &floor)) == SECPROV_OK &&
        b.version < floor) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: the blob of '%s' is version %" PRIu64
                    ", older than version %" PRIu64 " imported before: refused (rollback)",
                    name, b.version, floor);
        rc = SECPROV_ERR_ROLLBACK;
    }
    for (int attempt = 0; rc == SECPROV_OK; attempt++) {
        rc = open_blob(c, blob, &b, &secret, &secret_len);
        if (rc == SECPROV_OK || attempt > 0 || !tpm_recover_slots(c))
            break;
        rc = SECPROV_OK;
    }
    if (rc == SECPROV_OK && op == SECPROV_BLOB_OP_IMPORT) {
        rc = store_secret(c, name, secret, secret_len);
        if (rc == SECPROV_OK && b.version > floor && (rc = write_floor(c, name, b.version)) != SECPROV_OK)
            c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: '%s' is imported, but its version %"
                        PRIu64 " could not be recorded", name, b.version);
        c->env->secret_free(secret, secret_len);
    } else if (rc == SECPROV_OK) {
        *data = secret;
        *len = secret_len;
    }
    sp_os_error_log(c->env, "tpm", rc);
    tpm_call_end(c);
    return rc;
}
