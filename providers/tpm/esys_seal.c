/* Sealing and unsealing through a secprov-owned ESYS context: see esys_seal.h. */
#include "esys_seal.h"

#include <malloc.h>
#include <string.h>

#include <openssl/evp.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tctildr.h>

#include "aead.h"
#include "tcti_held.h"

#define SEALED_MAX 128

/* What Fapi_CreateSeal makes with secprov's profile: a keyed-hash object
 * holding the data, bound to this TPM and parent, usable with its auth
 * value (derived from the secret's name: name_auth.h), exempt from
 * dictionary-attack lockout, no policy. */
static const TPM2B_PUBLIC sealed_template = {
    .publicArea = {
        .type = TPM2_ALG_KEYEDHASH,
        .nameAlg = TPM2_ALG_SHA256,
        .objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                            TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA,
        .parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL,
    },
};

int tpm_public_name(const TPM2B_PUBLIC *pub, TPM2B_NAME *name)
{
    uint8_t area[sizeof(TPMT_PUBLIC)];
    size_t len = 0, off = 0;
    unsigned int dlen = 0;
    const EVP_MD *md = pub->publicArea.nameAlg == TPM2_ALG_SHA256   ? EVP_sha256()
                       : pub->publicArea.nameAlg == TPM2_ALG_SHA384 ? EVP_sha384()
                                                                    : NULL;

    if (md == NULL ||
        Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, area, sizeof area, &len) != TSS2_RC_SUCCESS ||
        Tss2_MU_UINT16_Marshal(pub->publicArea.nameAlg, name->name, sizeof name->name, &off) !=
            TSS2_RC_SUCCESS ||
        EVP_Digest(area, len, name->name + off, &dlen, md, NULL) != 1)
        return -1;
    name->size = (UINT16)(off + dlen);
    return 0;
}

static int same_name(const TPM2B_NAME *a, const TPM2B_NAME *b)
{
    return a->size == b->size && memcmp(a->name, b->name, a->size) == 0;
}

TSS2_RC tpm_esys_open(tpm_esys *e, TSS2_TCTI_CONTEXT *tcti, TPM2_HANDLE srk_handle,
                      const TPM2B_PUBLIC *srk_public, int keep_loaded, const tpm_deadline *d)
{
    TPM2B_NAME *got = NULL, want;
    TSS2_RC rc;

    memset(e, 0, sizeof *e);
    e->srk = ESYS_TR_NONE;
    e->tcti = tcti;
    e->session.handle = ESYS_TR_NONE;
    e->session.keep_loaded = keep_loaded;
    if ((rc = Esys_Initialize(&e->esys, tcti, NULL)) != TSS2_RC_SUCCESS) {
        e->esys = NULL;
        tpm_esys_close(e, NULL);
        return rc;
    }
    /* TPM2_ReadPublic: an unauthenticated answer, whose name and public key
     * ESAPI 3.2.1 keeps without checking one against the other. But
     * Esys_TR_GetName computes the name from the public key ESAPI holds,
     * the key it will encrypt session salts to: comparing that with the
     * name of the SRK recorded at provisioning checks the key itself,
     * before any salt is sent (tests/tpm/test_interposer.sh: a bus that
     * answers with another key and the genuine name is refused). A lie in
     * the reported name alone only breaks the HMACs: the TPM then refuses. */
    ESYS_RUN(rc, e->esys, d,
             Esys_TR_FromTPMPublic_Async(e->esys, srk_handle, ESYS_TR_NONE, ESYS_TR_NONE,
                                         ESYS_TR_NONE),
             Esys_TR_FromTPMPublic_Finish(e->esys, &e->srk));
    if (rc == TSS2_RC_SUCCESS)
        rc = Esys_TR_GetName(e->esys, e->srk, &got);
    if (rc == TSS2_RC_SUCCESS &&
        (tpm_public_name(srk_public, &want) != 0 || !same_name(got, &want)))
        rc = TSS_RC_SRK_MISMATCH;
    Esys_Free(got);
    if (rc != TSS2_RC_SUCCESS)
        tpm_esys_close(e, NULL);
    return rc;
}

/* Zero the response parameters in the SAPI buffer: after Esys_Unseal they
 * hold the secret, decrypted in place. */
static void scrub_response(tpm_esys *e)
{
    TSS2_SYS_CONTEXT *sys = NULL;
    const uint8_t *rp;
    size_t n;

    if (Esys_GetSysContext(e->esys, &sys) == TSS2_RC_SUCCESS &&
        Tss2_Sys_GetRpBuffer(sys, &n, &rp) == TSS2_RC_SUCCESS)
        sp_cleanse((uint8_t *)rp, n);
}

/* ESAPI keeps a copy of Create's inSensitive in its context, to resubmit
 * the command on TPM_RC_RETRY, and has no call that clears it. The copy is
 * a plain struct assignment of *in, so it is found by value in the
 * context's allocation and zeroed. (Another Esys_Create_Async with a zeroed
 * input would overwrite it too, but only when the context is idle, not when
 * the TPM stopped answering mid-Create, and tpm2-tss logs that call's
 * deliberate failure as an error.) tests/robust/test_secret_memory.sh checks
 * that no freed memory holds the secret, also in the wedged case. */
static void scrub_create_input(tpm_esys *e, const TPM2B_SENSITIVE_CREATE *in)
{
    uint8_t *base = (uint8_t *)e->esys, *p = base, *hit;
    size_t size = malloc_usable_size(e->esys);

    while ((hit = memmem(p, size - (size_t)(p - base), in, sizeof *in)) != NULL) {
        sp_cleanse(hit, sizeof *in);
        p = hit + sizeof *in;
    }
}

/* Flush *h (a loaded object) if set; rc of the first failure so far, or of
 * the flush. */
static TSS2_RC flush(tpm_esys *e, ESYS_TR *h, TSS2_RC rc, const tpm_deadline *d)
{
    TSS2_RC frc;

    if (*h == ESYS_TR_NONE)
        return rc;
    ESYS_RUN(frc, e->esys, d, Esys_FlushContext_Async(e->esys, *h),
             Esys_FlushContext_Finish(e->esys));
    *h = ESYS_TR_NONE;
    return rc != TSS2_RC_SUCCESS ? rc : frc;
}

/* One Create in the handle's session. */
static TSS2_RC create_once(tpm_esys *e, const TPM2B_SENSITIVE_CREATE *in, TPM2B_PUBLIC **out_pub,
                           TPM2B_PRIVATE **out_priv, const tpm_deadline *d)
{
    static const TPM2B_DATA no_outside_info;
    static const TPML_PCR_SELECTION no_pcrs;
    ESYS_TR s;
    TSS2_RC rc = tpm_session_begin(&e->session, e->esys, e->srk, &s, d);

    if (rc == TSS2_RC_SUCCESS) {
        ESYS_RUN(rc, e->esys, d,
                 Esys_Create_Async(e->esys, e->srk, s, ESYS_TR_NONE, ESYS_TR_NONE, in,
                                   &sealed_template, &no_outside_info, &no_pcrs),
                 Esys_Create_Finish(e->esys, out_priv, out_pub, NULL, NULL, NULL));
        scrub_create_input(e, in);
    }
    return tpm_session_end(&e->session, e->esys, rc, d);
}

TSS2_RC tpm_esys_seal(tpm_esys *e, const void *data, size_t len, const TPM2B_AUTH *auth,
                      TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, const tpm_deadline *d)
{
    TPM2B_SENSITIVE_CREATE in;
    TPM2B_PUBLIC *out_pub = NULL;
    TPM2B_PRIVATE *out_priv = NULL;
    TSS2_RC rc;

    if (len == 0 || len > SEALED_MAX || auth->size > sizeof in.sensitive.userAuth.buffer)
        return TSS2_ESYS_RC_BAD_VALUE;
    memset(&in, 0, sizeof in);
    in.sensitive.userAuth = *auth;      /* zeroed with in, and in ESAPI's copy */
    in.sensitive.data.size = (UINT16)len;
    memcpy(in.sensitive.data.buffer, data, len);
    rc = create_once(e, &in, &out_pub, &out_priv, d);
    if (tpm_session_lost(rc))          /* the TPM no longer has the session: once more */
        rc = create_once(e, &in, &out_pub, &out_priv, d);
    sp_cleanse(&in, sizeof in);
    if (rc == TSS2_RC_SUCCESS) {
        *pub = *out_pub;
        *priv = *out_priv;
    }
    Esys_Free(out_pub);
    Esys_Free(out_priv);
    return rc;
}

/* One Load, Unseal and FlushContext of the object in the handle's session,
 * with auth as the object's auth value (NULL: the empty one). */
static TSS2_RC unseal_once(tpm_esys *e, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
                           const TPM2B_AUTH *auth, uint8_t out[SEALED_MAX], size_t *out_len,
                           const tpm_deadline *d)
{
    static const TPM2B_AUTH empty;
    TPM2B_SENSITIVE_DATA *data = NULL;
    ESYS_TR s, obj = ESYS_TR_NONE;
    TSS2_RC rc = tpm_session_begin(&e->session, e->esys, e->srk, &s, d);

    if (rc == TSS2_RC_SUCCESS)
        ESYS_RUN(rc, e->esys, d,
                 Esys_Load_Async(e->esys, e->srk, s, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub),
                 Esys_Load_Finish(e->esys, &obj));
    if (rc == TSS2_RC_SUCCESS)
        rc = Esys_TR_SetAuth(e->esys, obj, auth != NULL ? auth : &empty);
    if (rc == TSS2_RC_SUCCESS) {
        ESYS_RUN(rc, e->esys, d, Esys_Unseal_Async(e->esys, obj, s, ESYS_TR_NONE, ESYS_TR_NONE),
                 Esys_Unseal_Finish(e->esys, &data));
        scrub_response(e);
    }
    if (rc == TSS2_RC_SUCCESS) {
        if (data->size > SEALED_MAX) {
            rc = TSS2_ESYS_RC_MALFORMED_RESPONSE;
        } else {
            memcpy(out, data->buffer, data->size);
            *out_len = data->size;
        }
    }
    if (data != NULL) {
        sp_cleanse(data, sizeof *data);
        Esys_Free(data);
    }
    if (obj != ESYS_TR_NONE)
        (void)Esys_TR_SetAuth(e->esys, obj, &empty);  /* ESAPI frees its copy unzeroed */
    rc = flush(e, &obj, rc, d);
    return tpm_session_end(&e->session, e->esys, rc, d);
}

TSS2_RC tpm_esys_unseal(tpm_esys *e, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
                        const TPM2B_AUTH *auth, uint8_t out[SEALED_MAX], size_t *out_len,
                        const tpm_deadline *d)
{
    if (!(pub->publicArea.objectAttributes & TPMA_OBJECT_NODA))
        return TSS2_ESYS_RC_BAD_VALUE;          /* never sent: see esys_seal.h */
    TSS2_RC rc = unseal_once(e, pub, priv, auth, out, out_len, d);

    if (tpm_session_lost(rc))          /* the TPM no longer has the session: once more */
        rc = unseal_once(e, pub, priv, auth, out, out_len, d);
    return rc;
}

void tpm_esys_close(tpm_esys *e, const tpm_deadline *d)
{
    if (d != NULL)
        tpm_session_flush(&e->session, e->esys, d);
    else
        tpm_session_forget(&e->session, e->esys);
    if (e->esys != NULL)
        Esys_Finalize(&e->esys);      /* every copy of a secret was zeroed after its command */
    if (tcti_held_is(e->tcti))
        tcti_held_free(&e->tcti);
    else if (e->tcti != NULL)
        Tss2_TctiLdr_Finalize(&e->tcti);
    e->esys = NULL;
    e->tcti = NULL;
    e->srk = ESYS_TR_NONE;
}
