/* The enrollment's "srk" member: see srk.h. */
#include "srk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <tss2/tss2_mu.h>

static int fail(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && why_len > 0) {
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static json_object *b64(const uint8_t *p, size_t n)
{
    char *t = malloc(4 * ((n + 2) / 3) + 1);
    json_object *o = NULL;

    if (t != NULL) {
        EVP_EncodeBlock((unsigned char *)t, p, (int)n);
        o = json_object_new_string(t);
    }
    free(t);
    return o;
}

static json_object *hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *t = malloc(2 * n + 1);
    json_object *o = NULL;

    if (t != NULL) {
        for (size_t i = 0; i < n; i++) {
            t[2 * i] = digits[p[i] >> 4];
            t[2 * i + 1] = digits[p[i] & 15];
        }
        t[2 * n] = '\0';
        o = json_object_new_string(t);
    }
    free(t);
    return o;
}

int srk_name(const TPMT_PUBLIC *srk, TPM2B_NAME *name)
{
    uint8_t area[sizeof(TPMT_PUBLIC)];
    size_t len = 0, off = 0;
    unsigned int dlen = 0;

    if (srk->nameAlg != TPM2_ALG_SHA256 ||
        Tss2_MU_TPMT_PUBLIC_Marshal(srk, area, sizeof area, &len) != TSS2_RC_SUCCESS ||
        Tss2_MU_UINT16_Marshal(srk->nameAlg, name->name, sizeof name->name, &off) != TSS2_RC_SUCCESS ||
        EVP_Digest(area, len, name->name + off, &dlen, EVP_sha256(), NULL) != 1)
        return -1;
    name->size = (UINT16)(off + dlen);
    return 0;
}

json_object *srk_json(const TPM2B_PUBLIC *srk, const TPM2B_ATTEST *attest,
                      const TPMT_SIGNATURE *sig)
{
    uint8_t pub[sizeof(TPM2B_PUBLIC)], s[sizeof(TPMT_SIGNATURE)];
    size_t pub_len = 0, s_len = 0;
    TPM2B_NAME name;
    json_object *o, *c;

    if (Tss2_MU_TPM2B_PUBLIC_Marshal(srk, pub, sizeof pub, &pub_len) != TSS2_RC_SUCCESS ||
        Tss2_MU_TPMT_SIGNATURE_Marshal(sig, s, sizeof s, &s_len) != TSS2_RC_SUCCESS ||
        srk_name(&srk->publicArea, &name) != 0)
        return NULL;
    o = json_object_new_object();
    c = json_object_new_object();
    if (o == NULL || c == NULL) {
        json_object_put(o);
        json_object_put(c);
        return NULL;
    }
    json_object_object_add(o, "public", b64(pub, pub_len));
    json_object_object_add(o, "name", hex(name.name, name.size));
    json_object_object_add(c, "attest", b64(attest->attestationData, attest->size));
    json_object_object_add(c, "signature", b64(s, s_len));
    json_object_object_add(o, "certify", c);
    return o;
}

const char *srk_refusal(const TPMT_PUBLIC *p)
{
    const TPMA_OBJECT need = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT |
                             TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT;
    const TPMT_SYM_DEF_OBJECT *sym = &p->parameters.eccDetail.symmetric;

    if (p->type != TPM2_ALG_ECC || p->parameters.eccDetail.curveID != TPM2_ECC_NIST_P256)
        return "not an ECC NIST P-256 key";
    if (p->nameAlg != TPM2_ALG_SHA256)
        return "its name algorithm is not SHA-256";
    if ((p->objectAttributes & need) != need || (p->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
        return "not a storage key (restricted decrypt, fixedTPM, fixedParent)";
    if (sym->algorithm != TPM2_ALG_AES || sym->mode.aes != TPM2_ALG_CFB ||
        (sym->keyBits.aes != 128 && sym->keyBits.aes != 256))
        return "its symmetric scheme is not AES-128/256-CFB";
    if (p->unique.ecc.x.size != 32 || p->unique.ecc.y.size != 32)
        return "its point is not two 32-byte coordinates";
    return NULL;
}

int srk_certify_check(const TPM2B_PUBLIC *srk, const uint8_t *attest, size_t attest_len,
                      const TPMT_SIGNATURE *sig, EVP_PKEY *ak, char *why, size_t why_len)
{
    TPMS_ATTEST a;
    TPM2B_NAME name;
    size_t off = 0;
    const TPMS_SIGNATURE_ECC *s = &sig->signature.ecdsa;
    ECDSA_SIG *es = NULL;
    BIGNUM *br = NULL, *bs = NULL;
    unsigned char *der = NULL;
    int der_len = -1, ok = 0;

    if (Tss2_MU_TPMS_ATTEST_Unmarshal(attest, attest_len, &off, &a) != TSS2_RC_SUCCESS ||
        off != attest_len)
        return fail(why, why_len, "srk.certify.attest: not a TPMS_ATTEST");
    if (a.magic != TPM2_GENERATED_VALUE || a.type != TPM2_ST_ATTEST_CERTIFY)
        return fail(why, why_len, "srk.certify.attest: not a TPM-made certification "
                    "(magic 0x%x, type 0x%x)", a.magic, a.type);
    if (srk_name(&srk->publicArea, &name) != 0 || a.attested.certify.name.size != name.size ||
        memcmp(a.attested.certify.name.name, name.name, name.size) != 0)
        return fail(why, why_len, "srk.certify.attest: certifies another key than srk.public");
    if (sig->sigAlg != TPM2_ALG_ECDSA || s->hash != TPM2_ALG_SHA256)
        return fail(why, why_len, "srk.certify.signature: not ECDSA-SHA256");
    if ((es = ECDSA_SIG_new()) != NULL &&
        (br = BN_bin2bn(s->signatureR.buffer, s->signatureR.size, NULL)) != NULL &&
        (bs = BN_bin2bn(s->signatureS.buffer, s->signatureS.size, NULL)) != NULL &&
        ECDSA_SIG_set0(es, br, bs) == 1) {
        br = bs = NULL;
        der_len = i2d_ECDSA_SIG(es, &der);
    }
    if (der_len > 0 && ak != NULL) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, ak) == 1 &&
             EVP_DigestVerify(ctx, der, (size_t)der_len, attest, attest_len) == 1;
        EVP_MD_CTX_free(ctx);
    }
    BN_free(br);
    BN_free(bs);
    ECDSA_SIG_free(es);
    OPENSSL_free(der);
    return ok ? 0 : fail(why, why_len, "srk.certify.signature: does not verify with the "
                         "enrolled attestation key");
}
