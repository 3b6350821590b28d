/* The per-response tpm_attestation block: see attest_block.h. */
#include "attest_block.h"

#include <string.h>

#include <openssl/rand.h>

#include "attest_common.h"
#include "attest_key.h"
#include "attest_quote.h"
#include "block.h"
#include "secprov.h"
#include "tpm_settings.h"

static TSS2_RC flush(tpm_esys *e, const tpm_deadline *d, ESYS_TR h)
{
    TSS2_RC rc;

    ESYS_RUN(rc, e->esys, d, Esys_FlushContext_Async(e->esys, h),
             Esys_FlushContext_Finish(e->esys));
    return rc;
}

/* --ephemeral-aik: a fresh restricted signing key (the AK's template) made
 * in the null hierarchy (TPM2_CreatePrimary: its seed changes at every TPM
 * reset, so the key cannot outlive it and is never stored), certified by
 * the persistent AK ak (TPM2_Certify, qualifying data qd) into b. *fresh
 * to flush after use. */
static int ephemeral_aik(tpm_esys *e, const tpm_deadline *d, ESYS_TR ak, const uint8_t *qd,
                         block *b, ESYS_TR *fresh, TSS2_RC *trc, const char **what)
{
    static const TPMT_SIG_SCHEME null_scheme = {.scheme = TPM2_ALG_NULL};
    TPM2B_SENSITIVE_CREATE sens = {.size = 0};
    TPM2B_DATA outside = {.size = 0}, data = {.size = BLOCK_QD_LEN};
    TPML_PCR_SELECTION none = {.count = 0};
    TPM2B_PUBLIC *pub = NULL;
    TPM2B_CREATION_DATA *cd = NULL;
    TPM2B_DIGEST *ch = NULL;
    TPMT_TK_CREATION *tk = NULL;
    TPM2B_ATTEST *cert = NULL;
    TPMT_SIGNATURE *sig = NULL;

    TPM2B_PUBLIC tmpl = attest_ak_template;

    /* A primary key is derived from the seed and the template: random
     * bytes in its unique field make it a new key for each request. */
    tmpl.publicArea.unique.ecc.x.size = 32;
    if (RAND_bytes(tmpl.publicArea.unique.ecc.x.buffer, 32) != 1)
        return SECPROV_ERR_INTERNAL;
    *what = "making the per-request AIK (TPM2_CreatePrimary, null hierarchy)";
    ESYS_RUN(*trc, e->esys, d,
             Esys_CreatePrimary_Async(e->esys, ESYS_TR_RH_NULL, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                      ESYS_TR_NONE, &sens, &tmpl, &outside, &none),
             Esys_CreatePrimary_Finish(e->esys, fresh, &pub, &cd, &ch, &tk));
    Esys_Free(cd);
    Esys_Free(ch);
    Esys_Free(tk);
    if (*trc != TSS2_RC_SUCCESS)
        return SECPROV_ERR_TPM;
    b->aik = *pub;
    Esys_Free(pub);
    memcpy(data.buffer, qd, BLOCK_QD_LEN);
    *what = "certifying the per-request AIK with the AK (TPM2_Certify)";
    ESYS_RUN(*trc, e->esys, d,
             Esys_Certify_Async(e->esys, *fresh, ak, ESYS_TR_PASSWORD, ESYS_TR_PASSWORD,
                                ESYS_TR_NONE, &data, &null_scheme),
             Esys_Certify_Finish(e->esys, &cert, &sig));
    if (*trc == TSS2_RC_SUCCESS) {
        b->certified = 1;
        b->certify = *cert;
        b->certify_sig = *sig;
    }
    Esys_Free(cert);
    Esys_Free(sig);
    return *trc == TSS2_RC_SUCCESS ? SECPROV_OK : SECPROV_ERR_TPM;
}

int tpm_attest_block_run(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                         const void *payload_id, size_t len, int ephemeral, char **json,
                         TSS2_RC *trc, const char **what)
{
    ESYS_TR fresh = ESYS_TR_NONE;
    const char *pcrs = NULL;
    uint8_t qd[BLOCK_QD_LEN];
    attest_quote_out q;
    block b;
    ESYS_TR h;
    char why[300];
    TSS2_RC frc;
    int rc;

    *json = NULL;
    *trc = TSS2_RC_SUCCESS;
    *what = "attest block";
    if (env->config_get(env, "attest", "pcrs", SECPROV_CONFIG_STRING, &pcrs) != SECPROV_OK ||
        pcrs == NULL)
        pcrs = TPM_ATTEST_PCRS_DEFAULT;
    memset(&b, 0, sizeof b);
    if (attest_pcrs_parse(pcrs, &b.sel, why, sizeof why) != 0) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: %s", why);
        return SECPROV_ERR_CONFIG;
    }
    if (block_qualifying_data(payload_id, len, qd) != 0)
        return SECPROV_ERR_INTERNAL;
    *what = "loading the attestation key (TPM2_Load)";
    if ((rc = attest_key_load(e, env, d, &b.aik, &h, trc)) != SECPROV_OK)
        return rc;
    rc = ephemeral ? ephemeral_aik(e, d, h, qd, &b, &fresh, trc, what) : SECPROV_OK;
    if (rc == SECPROV_OK) {
        *what = "quoting (TPM2_Quote, TPM2_PCR_Read)";
        rc = attest_quote_pcrs_qd(e, ephemeral ? fresh : h, &b.sel, qd, sizeof qd, d, &q, trc);
    }
    frc = flush(e, d, h);
    if (fresh != ESYS_TR_NONE) {
        TSS2_RC frc2 = flush(e, d, fresh);
        if (frc == TSS2_RC_SUCCESS)
            frc = frc2;
    }
    if (rc == SECPROV_OK && frc != TSS2_RC_SUCCESS) {
        *what = "flushing the attestation key";
        *trc = frc;
        rc = SECPROV_ERR_TPM;
    }
    if (rc == SECPROV_ERR_CONFIG)
        env->log(env, SECPROV_LOG_ERROR, "tpm: attest.pcrs '%s': the TPM has not every PCR "
                 "selected (is the bank allocated?)", pcrs);
    else if (rc == SECPROV_ERR_BUSY)
        env->log(env, SECPROV_LOG_ERROR, "tpm: the PCRs changed during each of %d quotes",
                 QUOTE_TRIES);
    if (rc != SECPROV_OK)
        return rc;
    b.available = 1;
    b.quote = q.attest;
    b.sig = q.signature;
    b.values = q.values;
    *json = block_write(&b);
    return *json != NULL ? SECPROV_OK : SECPROV_ERR_NOMEM;
}
