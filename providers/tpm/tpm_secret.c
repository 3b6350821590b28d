/* A secret in and out of the TPM: see tpm_ctx.h and secret_ref.h. */
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

#include "aead.h"
#include "keystore_object.h"
#include "name_auth.h"
#include "secret_ref.h"
#include "state_files.h"

int tpm_ref_file(const char *name, char *out, size_t len)
{
    int n = snprintf(out, len, "%s" REF_SUFFIX, name);
    return n > 0 && (size_t)n < len ? SECPROV_OK : SECPROV_ERR_NAME;
}

/* seal and delete write the references and the keystore: on a read-only
 * state folder they fail before touching the TPM, naming the folder. */
int tpm_check_writable(tpm_ctx *c, const char *what, const char *name)
{
    char keystore[PATH_MAX_LEN], why[PATH_MAX_LEN + 100];
    int rc = sp_dir_writable(c->secrets_dir, why, sizeof why);

    if (rc == SECPROV_OK &&
        (rc = sp_path_join(keystore, sizeof keystore, c->env->state_dir,
                           "keystore/user")) == SECPROV_OK)
        rc = sp_dir_writable(keystore, why, sizeof why);
    if (rc != SECPROV_OK)
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: cannot %s '%s': %s", what, name, why);
    return rc;
}

/* Build the (version 2) reference image for data sealed, directly or by
 * data key, into a new object at gen. */
int tpm_seal_object(tpm_ctx *c, const char *name, const void *data, size_t len,
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
        return tpm_failed(c, trc, "sealing (TPM2_Create)", name);
    }
    if ((rc = keystore_object_write(c->env->state_dir, path, &pub, &priv, 1)) != SECPROV_OK) {
        char who[128];
        snprintf(who, sizeof who, "tpm: cannot write the keystore object of '%s'", name);
        if (!sp_os_error_log(c->env, who, rc))     /* with the path and errno when it has them */
            c->env->log(c->env, SECPROV_LOG_ERROR, "%s: %s", who, c->env->status_text(rc));
        sp_cleanse(key, sizeof key);
        free(img);
        (void)keystore_object_remove(c->env->state_dir, path);
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

/* Read and check NAME's keystore object at path, then load and unseal it
 * with NAME's auth value (the empty one for an object sealed before name
 * binding: "with_auth" NO). */
static int unseal_object(tpm_ctx *c, const char *name, const char *path,
                         uint8_t sealed[DIRECT_MAX], size_t *sealed_len)
{
    char why[512];
    keystore_entry e;
    TPM2B_AUTH auth = {.size = 0};
    int rc = keystore_object_read(c->env->state_dir, path, &e, why, sizeof why);

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
    rc = tpm_failed(c, trc, "unsealing (TPM2_Load, TPM2_Unseal)", name);
    /* A parameter the TPM refuses can only be TPM2_Load's inPrivate or
     * inPublic (TPM2_Unseal has none): the stored blobs are bad. */
    if ((trc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER && (trc & TPM2_RC_FMT1) && (trc & TPM2_RC_P))
        rc = SECPROV_ERR_INTEGRITY;
    return rc;
}

int tpm_unseal_locked(tpm_ctx *c, const char *name, void **data, size_t *len)
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
        rc = tpm_ensure_esys(c);
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
