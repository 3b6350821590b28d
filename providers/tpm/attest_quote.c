/* Quote, read, compare, retry: see attest_quote.h. */
#include "attest_quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_mu.h>

#include "secprov.h"

int attest_pcrs_parse(const char *text, TPML_PCR_SELECTION *sel, char *why, size_t why_len)
{
    char buf[256], *save = NULL;
    size_t total = 0;

    memset(sel, 0, sizeof *sel);
    if (snprintf(buf, sizeof buf, "%s", text) >= (int)sizeof buf || buf[0] == '\0') {
        snprintf(why, why_len, "attest.pcrs '%s': empty or too long", text);
        return -1;
    }
    for (char *part = strtok_r(buf, "+", &save); part != NULL; part = strtok_r(NULL, "+", &save)) {
        char *colon = strchr(part, ':'), *list, *end;
        TPMI_ALG_HASH alg;
        if (colon == NULL || colon[1] == '\0') {
            snprintf(why, why_len, "attest.pcrs '%s': '%s' is not BANK:N[,N...]", text, part);
            return -1;
        }
        *colon = '\0';
        if ((alg = attest_bank_alg(part)) == 0) {
            snprintf(why, why_len, "attest.pcrs '%s': unknown bank '%s' (sha1, sha256, sha384, "
                     "sha512)", text, part);
            return -1;
        }
        for (uint32_t i = 0; i < sel->count; i++)
            if (sel->pcrSelections[i].hash == alg) {
                snprintf(why, why_len, "attest.pcrs '%s': bank '%s' twice", text, part);
                return -1;
            }
        TPMS_PCR_SELECTION *s = &sel->pcrSelections[sel->count++];
        s->hash = alg;
        s->sizeofSelect = 3;
        for (list = colon + 1;; list = end + 1) {
            long n = strtol(list, &end, 10);
            if (end == list || n < 0 || n > 23 || (*end != ',' && *end != '\0')) {
                snprintf(why, why_len, "attest.pcrs '%s': PCR numbers are 0 to 23", text);
                return -1;
            }
            if (s->pcrSelect[n / 8] & (1u << (n % 8))) {
                snprintf(why, why_len, "attest.pcrs '%s': PCR %ld twice", text, n);
                return -1;
            }
            s->pcrSelect[n / 8] |= (uint8_t)(1u << (n % 8));
            if (++total > ATTEST_PCRS_MAX) {
                snprintf(why, why_len, "attest.pcrs '%s': more than %d PCRs", text,
                         ATTEST_PCRS_MAX);
                return -1;
            }
            if (*end == '\0')
                break;
        }
        if (sel->count == TPM2_NUM_PCR_BANKS && save != NULL && *save != '\0') {
            snprintf(why, why_len, "attest.pcrs '%s': too many banks", text);
            return -1;
        }
    }
    return 0;
}

static int same_selection(const TPML_PCR_SELECTION *a, const TPML_PCR_SELECTION *b)
{
    if (a->count != b->count)
        return 0;
    for (uint32_t i = 0; i < a->count; i++) {
        const TPMS_PCR_SELECTION *x = &a->pcrSelections[i], *y = &b->pcrSelections[i];
        for (int j = 0; j < 3; j++) {
            uint8_t bx = j < x->sizeofSelect ? x->pcrSelect[j] : 0;
            uint8_t by = j < y->sizeofSelect ? y->pcrSelect[j] : 0;
            if (x->hash != y->hash || bx != by)
                return 0;
        }
    }
    return 1;
}

/* SHA-256 of the values (the quote's pcrDigest uses the AK's scheme hash). */
static int values_digest(const TPML_DIGEST *v, TPM2B_DIGEST *out)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;

    for (uint32_t i = 0; ok && i < v->count; i++)
        ok = EVP_DigestUpdate(md, v->digests[i].buffer, v->digests[i].size) == 1;
    ok = ok && EVP_DigestFinal_ex(md, out->buffer, &n) == 1;
    EVP_MD_CTX_free(md);
    out->size = (UINT16)n;
    return ok ? 0 : -1;
}

static TSS2_RC quote_once(tpm_esys *e, ESYS_TR ak, const TPML_PCR_SELECTION *sel,
                          const TPM2B_DATA *qd, const tpm_deadline *d, attest_quote_out *out,
                          TPML_PCR_SELECTION *read_sel)
{
    static const TPMT_SIG_SCHEME key_scheme = {.scheme = TPM2_ALG_NULL};
    TPM2B_ATTEST *attest = NULL;
    TPMT_SIGNATURE *sig = NULL;
    TPML_PCR_SELECTION *got_sel = NULL;
    TPML_DIGEST *values = NULL;
    UINT32 counter;
    TSS2_RC rc;

    ESYS_RUN(rc, e->esys, d,
             Esys_Quote_Async(e->esys, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, qd,
                              &key_scheme, sel),
             Esys_Quote_Finish(e->esys, &attest, &sig));
    if (rc == TSS2_RC_SUCCESS)
        ESYS_RUN(rc, e->esys, d,
                 Esys_PCR_Read_Async(e->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, sel),
                 Esys_PCR_Read_Finish(e->esys, &counter, &got_sel, &values));
    if (rc == TSS2_RC_SUCCESS) {
        out->attest = *attest;
        out->signature = *sig;
        out->values = *values;
        *read_sel = *got_sel;
    }
    Esys_Free(attest);
    Esys_Free(sig);
    Esys_Free(got_sel);
    Esys_Free(values);
    return rc;
}

int attest_quote_pcrs(tpm_esys *e, ESYS_TR ak, const TPML_PCR_SELECTION *sel,
                      const uint8_t qd[ATTEST_QD_LEN], const tpm_deadline *d,
                      attest_quote_out *out, TSS2_RC *trc)
{
    return attest_quote_pcrs_qd(e, ak, sel, qd, ATTEST_QD_LEN, d, out, trc);
}

int attest_quote_pcrs_qd(tpm_esys *e, ESYS_TR ak, const TPML_PCR_SELECTION *sel,
                         const uint8_t *qd, size_t qd_len, const tpm_deadline *d,
                         attest_quote_out *out, TSS2_RC *trc)
{
    TPM2B_DATA data = {.size = (UINT16)qd_len};
    TPML_PCR_SELECTION read_sel = {.count = 0};
    TPM2B_DIGEST digest;

    if (qd_len > sizeof data.buffer)
        return SECPROV_ERR_INVALID_ARG;
    memcpy(data.buffer, qd, qd_len);
    memset(out, 0, sizeof *out);
    *trc = TSS2_RC_SUCCESS;
    for (out->tries = 1; out->tries <= QUOTE_TRIES; out->tries++) {
        size_t off = 0;
        if ((*trc = quote_once(e, ak, sel, &data, d, out, &read_sel)) != TSS2_RC_SUCCESS)
            return SECPROV_ERR_TPM;
        if (!same_selection(sel, &read_sel))
            return SECPROV_ERR_CONFIG;
        memset(&out->info, 0, sizeof out->info);
        if (Tss2_MU_TPMS_ATTEST_Unmarshal(out->attest.attestationData, out->attest.size, &off,
                                          &out->info) != TSS2_RC_SUCCESS ||
            out->info.type != TPM2_ST_ATTEST_QUOTE || values_digest(&out->values, &digest) != 0)
            return SECPROV_ERR_TPM;
        const TPM2B_DIGEST *q = &out->info.attested.quote.pcrDigest;
        if (q->size == digest.size && memcmp(q->buffer, digest.buffer, q->size) == 0)
            return SECPROV_OK;
    }
    out->tries = QUOTE_TRIES;
    return SECPROV_ERR_BUSY;
}
