/* The device's half of credential activation: see attest_activate.h. */
#include "attest_activate.h"

#include <string.h>

#include <openssl/crypto.h>

#include "attest_common.h"
#include "attest_key.h"
#include "credential.h"
#include "keystore_object.h"

static TSS2_RC flush(tpm_esys *e, const tpm_deadline *d, ESYS_TR h)
{
    TSS2_RC rc;

    if (h == ESYS_TR_NONE)
        return TSS2_RC_SUCCESS;
    ESYS_RUN(rc, e->esys, d, Esys_FlushContext_Async(e->esys, h),
             Esys_FlushContext_Finish(e->esys));
    return rc;
}

/* The keystore's EK made again (TPM2_CreatePrimary, endorsement hierarchy)
 * from its template: the keystore's public area with the unique field the
 * TCG EK templates give (zeros of the key's size). *ek to flush. */
static int make_ek(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                   ESYS_TR *ek, TSS2_RC *trc, const char **what)
{
    TPM2B_SENSITIVE_CREATE sens = {.size = 0};
    TPM2B_DATA outside = {.size = 0};
    TPML_PCR_SELECTION none = {.count = 0};
    TPM2B_PUBLIC stored, tmpl, *pub = NULL;
    TPM2B_NAME want, got;
    char cert[8192], why[512];

    if (keystore_ek_read(env->state_dir, &stored, cert, sizeof cert, why, sizeof why) !=
        SECPROV_OK) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: cannot activate: the keystore has no EK (%s); "
                 "this device's enrollment record has \"ek\": null and cannot be activated",
                 why);
        return SECPROV_ERR_NOT_FOUND;
    }
    tmpl = stored;
    if (tmpl.publicArea.type == TPM2_ALG_ECC) {
        memset(&tmpl.publicArea.unique.ecc, 0, sizeof tmpl.publicArea.unique.ecc);
        tmpl.publicArea.unique.ecc.x.size = 32;
        tmpl.publicArea.unique.ecc.y.size = 32;
    } else if (tmpl.publicArea.type == TPM2_ALG_RSA) {
        memset(&tmpl.publicArea.unique.rsa, 0, sizeof tmpl.publicArea.unique.rsa);
        tmpl.publicArea.unique.rsa.size = tmpl.publicArea.parameters.rsaDetail.keyBits / 8;
    } else {
        env->log(env, SECPROV_LOG_ERROR, "tpm: cannot activate: the keystore's EK is neither "
                 "ECC nor RSA");
        return SECPROV_ERR_UNSUPPORTED;
    }
    *what = "making the EK again (TPM2_CreatePrimary, endorsement hierarchy)";
    ESYS_RUN(*trc, e->esys, d,
             Esys_CreatePrimary_Async(e->esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD,
                                      ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl, &outside, &none),
             Esys_CreatePrimary_Finish(e->esys, ek, &pub, NULL, NULL, NULL));
    if (*trc != TSS2_RC_SUCCESS) {
        *ek = ESYS_TR_NONE;
        return SECPROV_ERR_TPM;
    }
    int same = attest_public_name(&stored.publicArea, &want) == 0 &&
               attest_public_name(&pub->publicArea, &got) == 0 && want.size == got.size &&
               memcmp(want.name, got.name, want.size) == 0;
    Esys_Free(pub);
    if (!same) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: cannot activate: the EK this TPM derives from the "
                 "keystore's template is not the keystore's EK (another TPM, or a cleared "
                 "endorsement seed?)");
        return SECPROV_ERR_KEYSTORE_MISMATCH;
    }
    return SECPROV_OK;
}

/* A policy session satisfied by TPM2_PolicySecret(endorsement): the EK's
 * authorization (TCG EK credential profile, policy A). *s to flush. */
static int ek_policy_session(tpm_esys *e, const tpm_deadline *d, ESYS_TR *s, TSS2_RC *trc,
                             const char **what)
{
    static const TPMT_SYM_DEF none = {.algorithm = TPM2_ALG_NULL};
    TPM2B_TIMEOUT *timeout = NULL;
    TPMT_TK_AUTH *ticket = NULL;

    *what = "starting the EK's policy session (TPM2_StartAuthSession)";
    ESYS_RUN(*trc, e->esys, d,
             Esys_StartAuthSession_Async(e->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                         ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_POLICY, &none,
                                         TPM2_ALG_SHA256),
             Esys_StartAuthSession_Finish(e->esys, s));
    if (*trc != TSS2_RC_SUCCESS) {
        *s = ESYS_TR_NONE;
        return SECPROV_ERR_TPM;
    }
    *what = "authorizing the EK (TPM2_PolicySecret, endorsement hierarchy)";
    ESYS_RUN(*trc, e->esys, d,
             Esys_PolicySecret_Async(e->esys, ESYS_TR_RH_ENDORSEMENT, *s, ESYS_TR_PASSWORD,
                                     ESYS_TR_NONE, ESYS_TR_NONE, NULL, NULL, NULL, 0),
             Esys_PolicySecret_Finish(e->esys, &timeout, &ticket));
    Esys_Free(timeout);
    Esys_Free(ticket);
    return *trc == TSS2_RC_SUCCESS ? SECPROV_OK : SECPROV_ERR_TPM;
}

int tpm_attest_activate_run(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                            const void *challenge, size_t len, void *answer, size_t cap,
                            size_t *answer_len, TSS2_RC *trc, const char **what)
{
    TPM2B_ID_OBJECT id;
    TPM2B_ENCRYPTED_SECRET secret;
    TPM2B_PUBLIC akpub;
    TPM2B_DIGEST *info = NULL;
    ESYS_TR ak = ESYS_TR_NONE, ek = ESYS_TR_NONE, s = ESYS_TR_NONE;
    char why[256];
    int rc;

    *answer_len = 0;
    *trc = TSS2_RC_SUCCESS;
    *what = "attest activate";
    if (credential_read(challenge, len, &id, &secret, why, sizeof why) != 0) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: attest activate: %s", why);
        return SECPROV_ERR_FORMAT;
    }
    *what = "loading the attestation key (TPM2_Load)";
    rc = attest_key_load(e, env, d, &akpub, &ak, trc);
    if (rc == SECPROV_OK)
        rc = make_ek(e, env, d, &ek, trc, what);
    if (rc == SECPROV_OK)
        rc = ek_policy_session(e, d, &s, trc, what);
    if (rc == SECPROV_OK) {
        *what = "opening the challenge (TPM2_ActivateCredential)";
        ESYS_RUN(*trc, e->esys, d,
                 Esys_ActivateCredential_Async(e->esys, ak, ek, ESYS_TR_PASSWORD, s, ESYS_TR_NONE,
                                               &id, &secret),
                 Esys_ActivateCredential_Finish(e->esys, &info));
        if ((*trc & 0xFFFF0000u) == 0 && (*trc & TPM2_RC_FMT1) != 0 && (*trc & TPM2_RC_P) != 0) {
            /* A parameter the TPM refuses (integrity of the credential or
             * of its seed, a point not on the curve): not this TPM's EK, or
             * not this AK's name. Not a fault of the connection. */
            env->log(env, SECPROV_LOG_ERROR, "tpm: attest activate: this TPM cannot open the "
                     "challenge (TPM rc 0x%x: it was made for another TPM's EK or for another "
                     "attestation key)", (unsigned)*trc);
            *trc = TSS2_RC_SUCCESS;
            rc = SECPROV_ERR_TPM;
        } else if (*trc != TSS2_RC_SUCCESS) {
            rc = SECPROV_ERR_TPM;
        } else if (info->size > cap) {
            rc = SECPROV_ERR_TOO_LARGE;
        } else {
            memcpy(answer, info->buffer, info->size);
            *answer_len = info->size;
        }
        if (info != NULL)
            OPENSSL_cleanse(info, sizeof *info);
        Esys_Free(info);
    }
    /* Flush all three on every path (no resource manager: nothing may stay
     * loaded); the first failure is kept. */
    TSS2_RC f1 = flush(e, d, s), f2 = flush(e, d, ek), f3 = flush(e, d, ak);
    TSS2_RC frc = f1 != TSS2_RC_SUCCESS ? f1 : f2 != TSS2_RC_SUCCESS ? f2 : f3;
    if (rc == SECPROV_OK && frc != TSS2_RC_SUCCESS) {
        *what = "flushing the EK, the AK and the policy session";
        *trc = frc;
        OPENSSL_cleanse(answer, *answer_len);
        *answer_len = 0;
        rc = SECPROV_ERR_TPM;
    }
    OPENSSL_cleanse(&id, sizeof id);
    OPENSSL_cleanse(&secret, sizeof secret);
    return rc;
}
