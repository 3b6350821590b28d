/* The enrollment's srk member: see attest_srk.h. */
#include "attest_srk.h"

#include "attest_key.h"
#include "srk.h"

json_object *attest_srk_json(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                             int *rc, TSS2_RC *trc)
{
    static const TPM2B_DATA no_qualifying;
    static const TPMT_SIG_SCHEME key_scheme = {.scheme = TPM2_ALG_NULL};
    TPM2B_PUBLIC *srk = NULL, ak;
    TPM2B_ATTEST *att = NULL;
    TPMT_SIGNATURE *sig = NULL;
    json_object *o = NULL;
    ESYS_TR h = ESYS_TR_NONE;
    TSS2_RC frc;

    *rc = SECPROV_OK;
    ESYS_RUN(*trc, e->esys, d, Esys_ReadPublic_Async(e->esys, e->srk, ESYS_TR_NONE, ESYS_TR_NONE,
                                                    ESYS_TR_NONE),
             Esys_ReadPublic_Finish(e->esys, &srk, NULL, NULL));
    if (*trc != TSS2_RC_SUCCESS) {
        *rc = SECPROV_ERR_TPM;
        return NULL;
    }
    if ((*rc = attest_key_load(e, env, d, &ak, &h, trc)) != SECPROV_OK) {
        Esys_Free(srk);
        return NULL;
    }
    ESYS_RUN(*trc, e->esys, d,
             Esys_Certify_Async(e->esys, e->srk, h, ESYS_TR_PASSWORD, ESYS_TR_PASSWORD,
                                ESYS_TR_NONE, &no_qualifying, &key_scheme),
             Esys_Certify_Finish(e->esys, &att, &sig));
    ESYS_RUN(frc, e->esys, d, Esys_FlushContext_Async(e->esys, h),
             Esys_FlushContext_Finish(e->esys));
    if (*trc == TSS2_RC_SUCCESS && frc != TSS2_RC_SUCCESS)
        *trc = frc;
    if (*trc == TSS2_RC_SUCCESS) {
        o = srk_json(srk, att, sig);
        *rc = o != NULL ? SECPROV_OK : SECPROV_ERR_NOMEM;
    } else {
        *rc = SECPROV_ERR_TPM;
    }
    Esys_Free(srk);
    Esys_Free(att);
    Esys_Free(sig);
    return o;
}
