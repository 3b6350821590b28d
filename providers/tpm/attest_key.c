/* The attestation key, made once: see attest_key.h. */
#include "attest_key.h"

#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_mu.h>

#include "attest_common.h"
#include "state_files.h"

#define AK_FILE_MAX 4096

static int attest_dir(const secprov_provider_env *env, char *out, size_t len)
{
    int rc = sp_dirs_make(env->state_dir, ATTEST_DIR);
    return rc == SECPROV_OK ? sp_path_join(out, len, env->state_dir, ATTEST_DIR) : rc;
}

/* Read one marshalled blob: SECPROV_ERR_NOT_FOUND when absent. */
static int read_blob(const secprov_provider_env *env, const char *dir, const char *file,
                     TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv)
{
    void *data;
    size_t len, off = 0;
    int rc = sp_file_read(dir, file, AK_FILE_MAX, &data, &len);
    TSS2_RC trc;

    if (rc == SECPROV_ERR_NOT_FOUND)
        return rc;
    if (rc != SECPROV_OK) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: cannot use the attestation key file %s/%s: %s",
                 dir, file, env->status_text(rc));
        return rc == SECPROV_ERR_TOO_LARGE ? SECPROV_ERR_INTEGRITY : rc;
    }
    if (pub != NULL)
        memset(pub, 0, sizeof *pub);           /* tpm2-tss refuses a non-zero size */
    else
        memset(priv, 0, sizeof *priv);
    trc = pub != NULL ? Tss2_MU_TPM2B_PUBLIC_Unmarshal(data, len, &off, pub)
                      : Tss2_MU_TPM2B_PRIVATE_Unmarshal(data, len, &off, priv);
    free(data);
    if (trc != TSS2_RC_SUCCESS || off != len) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: the attestation key file %s/%s is malformed "
                 "(it is kept; move it away to make a new key, then enroll again)", dir, file);
        return SECPROV_ERR_INTEGRITY;
    }
    return SECPROV_OK;
}

static int write_pair(const char *dir, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv)
{
    uint8_t buf[sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE)];
    size_t len = 0;
    int rc;

    if (Tss2_MU_TPM2B_PRIVATE_Marshal(priv, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
        return SECPROV_ERR_INTERNAL;
    if ((rc = sp_file_write_atomic(dir, "ak.priv", buf, len)) != SECPROV_OK)
        return rc;
    len = 0;
    if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
        return SECPROV_ERR_INTERNAL;
    return sp_file_write_atomic(dir, "ak.pub", buf, len);     /* commit */
}

static int create_key(tpm_esys *e, const secprov_provider_env *env, const char *dir,
                      const tpm_deadline *d, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, TSS2_RC *trc)
{
    static const TPM2B_SENSITIVE_CREATE no_auth;
    static const TPM2B_DATA no_outside_info;
    static const TPML_PCR_SELECTION no_pcrs;
    TPM2B_PUBLIC *out_pub = NULL;
    TPM2B_PRIVATE *out_priv = NULL;
    int rc;

    ESYS_RUN(*trc, e->esys, d,
             Esys_Create_Async(e->esys, e->srk, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                               &no_auth, &attest_ak_template, &no_outside_info, &no_pcrs),
             Esys_Create_Finish(e->esys, &out_priv, &out_pub, NULL, NULL, NULL));
    if (*trc != TSS2_RC_SUCCESS)
        return SECPROV_ERR_TPM;
    *pub = *out_pub;
    *priv = *out_priv;
    Esys_Free(out_pub);
    Esys_Free(out_priv);
    if ((rc = write_pair(dir, pub, priv)) != SECPROV_OK) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: cannot write the attestation key to %s: %s",
                 dir, env->status_text(rc));
        return rc;
    }
    env->log(env, SECPROV_LOG_INFO, "tpm: made the attestation key in %s", dir);
    return SECPROV_OK;
}

static int key_pair(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                    TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, TSS2_RC *trc)
{
    char dir[4096];
    const char *why;
    int rc;

    *trc = TSS2_RC_SUCCESS;
    if ((rc = attest_dir(env, dir, sizeof dir)) != SECPROV_OK) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: cannot make %s/%s: %s", env->state_dir,
                 ATTEST_DIR, env->status_text(rc));
        return rc;
    }
    sp_temp_sweep(dir);                 /* left by a process killed mid-write */
    rc = read_blob(env, dir, "ak.pub", pub, NULL);
    if (rc == SECPROV_ERR_NOT_FOUND)
        return create_key(e, env, dir, d, pub, priv, trc);
    if (rc == SECPROV_OK && (rc = read_blob(env, dir, "ak.priv", NULL, priv)) == SECPROV_ERR_NOT_FOUND) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: %s/ak.pub has no ak.priv beside it", dir);
        rc = SECPROV_ERR_INTEGRITY;
    }
    if (rc != SECPROV_OK)
        return rc;
    why = attest_ak_refusal(&pub->publicArea);
    if (why == NULL && pub->publicArea.objectAttributes !=
                           attest_ak_template.publicArea.objectAttributes)
        why = "its attributes are not the attestation key template's";
    if (why != NULL) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: refusing the attestation key in %s: %s "
                 "(the file is kept)", dir, why);
        return SECPROV_ERR_INTEGRITY;
    }
    return SECPROV_OK;
}

int attest_key_public(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                      TPM2B_PUBLIC *pub, TSS2_RC *trc)
{
    TPM2B_PRIVATE priv;
    return key_pair(e, env, d, pub, &priv, trc);
}

int attest_key_load(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                    TPM2B_PUBLIC *pub, ESYS_TR *ak, TSS2_RC *trc)
{
    TPM2B_PRIVATE priv;
    int rc = key_pair(e, env, d, pub, &priv, trc);

    *ak = ESYS_TR_NONE;
    if (rc != SECPROV_OK)
        return rc;
    ESYS_RUN(*trc, e->esys, d,
             Esys_Load_Async(e->esys, e->srk, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                             &priv, pub),
             Esys_Load_Finish(e->esys, ak));
    if (*trc != TSS2_RC_SUCCESS) {
        *ak = ESYS_TR_NONE;
        return SECPROV_ERR_TPM;
    }
    return SECPROV_OK;
}
