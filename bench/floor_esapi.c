/* The floor: see floor_esapi.h. */
#include "floor_esapi.h"

#include <stdio.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#define FLOOR_SRK 0x81000010u      /* its own persistent SRK, beside secprov's */

struct floor_ctx {
    TSS2_TCTI_CONTEXT *tcti;
    ESYS_CONTEXT *esys;
    ESYS_TR srk;
    ESYS_TR session;
};

static int failed(const char *what, TSS2_RC rc)
{
    fprintf(stderr, "floor: %s: %s\n", what, Tss2_RC_Decode(rc));
    return -1;
}

/* ECC P-256 storage key (restricted decrypt, AES-128-CFB), noDA. */
static int make_srk(floor_ctx *f)
{
    TPM2B_SENSITIVE_CREATE sens = {0};
    TPM2B_PUBLIC pub = {.publicArea = {
        .type = TPM2_ALG_ECC,
        .nameAlg = TPM2_ALG_SHA256,
        .objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                            TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                            TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
        .parameters.eccDetail = {
            .symmetric = {.algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB},
            .scheme = {.scheme = TPM2_ALG_NULL},
            .curveID = TPM2_ECC_NIST_P256,
            .kdf = {.scheme = TPM2_ALG_NULL},
        },
    }};
    TPM2B_DATA outside = {0};
    TPML_PCR_SELECTION pcrs = {0};
    ESYS_TR primary, persistent;
    TSS2_RC rc = Esys_CreatePrimary(f->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                    ESYS_TR_NONE, &sens, &pub, &outside, &pcrs, &primary, NULL,
                                    NULL, NULL, NULL);
    if (rc != TSS2_RC_SUCCESS)
        return failed("CreatePrimary", rc);
    rc = Esys_EvictControl(f->esys, ESYS_TR_RH_OWNER, primary, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                           ESYS_TR_NONE, FLOOR_SRK, &persistent);
    Esys_FlushContext(f->esys, primary);
    if (rc != TSS2_RC_SUCCESS)
        return failed("EvictControl", rc);
    f->srk = persistent;
    return 0;
}

floor_ctx *floor_open(const char *tcti)
{
    static floor_ctx f;
    TSS2_RC rc;

    memset(&f, 0, sizeof f);
    if ((rc = Tss2_TctiLdr_Initialize(tcti, &f.tcti)) != TSS2_RC_SUCCESS ||
        (rc = Esys_Initialize(&f.esys, f.tcti, NULL)) != TSS2_RC_SUCCESS) {
        failed("initialise", rc);
        return NULL;
    }
    if (Esys_TR_FromTPMPublic(f.esys, FLOOR_SRK, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                              &f.srk) != TSS2_RC_SUCCESS && make_srk(&f) != 0) {
        floor_close(&f);
        return NULL;
    }
    /* One HMAC session, salted with the SRK, encrypting parameters both
     * ways, kept for the whole run. */
    TPMT_SYM_DEF sym = {.algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB};
    rc = Esys_StartAuthSession(f.esys, f.srk, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                               ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256, &f.session);
    if (rc == TSS2_RC_SUCCESS)
        rc = Esys_TRSess_SetAttributes(f.esys, f.session,
                                       TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_DECRYPT |
                                       TPMA_SESSION_ENCRYPT, 0xff);
    if (rc != TSS2_RC_SUCCESS) {
        failed("StartAuthSession", rc);
        floor_close(&f);
        return NULL;
    }
    return &f;
}

int floor_roundtrip(floor_ctx *f, const uint8_t *data, size_t len)
{
    TPM2B_SENSITIVE_CREATE sens = {0};
    TPM2B_PUBLIC tmpl = {.publicArea = {
        .type = TPM2_ALG_KEYEDHASH,
        .nameAlg = TPM2_ALG_SHA256,
        .objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                            TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA,
        .parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL,
    }};
    TPM2B_DATA outside = {0};
    TPML_PCR_SELECTION pcrs = {0};
    TPM2B_PRIVATE *priv = NULL;
    TPM2B_PUBLIC *pub = NULL;
    TPM2B_SENSITIVE_DATA *out = NULL;
    ESYS_TR obj = ESYS_TR_NONE;
    int result = -1;

    if (len > sizeof sens.sensitive.data.buffer)
        return -1;
    sens.sensitive.data.size = (UINT16)len;
    memcpy(sens.sensitive.data.buffer, data, len);
    TSS2_RC rc = Esys_Create(f->esys, f->srk, f->session, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
                             &tmpl, &outside, &pcrs, &priv, &pub, NULL, NULL, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        failed("Create", rc);
        goto out;
    }
    if ((rc = Esys_Load(f->esys, f->srk, f->session, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub,
                        &obj)) != TSS2_RC_SUCCESS) {
        failed("Load", rc);
        goto out;
    }
    if ((rc = Esys_Unseal(f->esys, obj, f->session, ESYS_TR_NONE, ESYS_TR_NONE, &out)) !=
        TSS2_RC_SUCCESS) {
        failed("Unseal", rc);
        goto out;
    }
    result = out->size == len && memcmp(out->buffer, data, len) == 0 ? 0 : -1;
out:
    if (obj != ESYS_TR_NONE)
        Esys_FlushContext(f->esys, obj);
    if (out != NULL)
        memset(out->buffer, 0, out->size);
    Esys_Free(out);
    Esys_Free(priv);
    Esys_Free(pub);
    memset(&sens, 0, sizeof sens);
    return result;
}

void floor_close(floor_ctx *f)
{
    if (f == NULL)
        return;
    if (f->esys != NULL) {
        if (f->session != ESYS_TR_NONE && f->session != 0)
            Esys_FlushContext(f->esys, f->session);
        Esys_Finalize(&f->esys);
    }
    if (f->tcti != NULL)
        Tss2_TctiLdr_Finalize(&f->tcti);
    memset(f, 0, sizeof *f);
}
