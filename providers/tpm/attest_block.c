/* The per-response tpm_attestation block: see attest_block.h. */
#include "attest_block.h"

#include <string.h>

#include "attest_key.h"
#include "attest_quote.h"
#include "block.h"
#include "secprov.h"
#include "tpm_settings.h"

int tpm_attest_block_run(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                         const void *payload_id, size_t len, char **json, TSS2_RC *trc,
                         const char **what)
{
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
    *what = "quoting (TPM2_Quote, TPM2_PCR_Read)";
    rc = attest_quote_pcrs_qd(e, h, &b.sel, qd, sizeof qd, d, &q, trc);
    ESYS_RUN(frc, e->esys, d, Esys_FlushContext_Async(e->esys, h),
             Esys_FlushContext_Finish(e->esys));
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
