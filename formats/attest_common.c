/* Shared by the device and the verifier: see attest_common.h. */
#include "attest_common.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <tss2/tss2_mu.h>

const TPM2B_PUBLIC attest_ak_template = {
    .publicArea = {
        .type = TPM2_ALG_ECC,
        .nameAlg = TPM2_ALG_SHA256,
        .objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_RESTRICTED |
                            TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                            TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                            TPMA_OBJECT_NODA,
        .parameters.eccDetail = {
            .symmetric.algorithm = TPM2_ALG_NULL,
            .scheme = {.scheme = TPM2_ALG_ECDSA, .details.ecdsa.hashAlg = TPM2_ALG_SHA256},
            .curveID = TPM2_ECC_NIST_P256,
            .kdf.scheme = TPM2_ALG_NULL,
        },
    },
};

const char *attest_ak_refusal(const TPMT_PUBLIC *pub)
{
    const TPMA_OBJECT need = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_RESTRICTED |
                             TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                             TPMA_OBJECT_SENSITIVEDATAORIGIN;
    const TPMS_ECC_PARMS *e = &pub->parameters.eccDetail;

    if (pub->type != TPM2_ALG_ECC)
        return "not an ECC key";
    if (pub->nameAlg != TPM2_ALG_SHA256)
        return "name algorithm is not SHA-256";
    if (!(pub->objectAttributes & TPMA_OBJECT_RESTRICTED))
        return "not restricted: such a key signs any digest, so a forged quote too";
    if ((pub->objectAttributes & need) != need)
        return "not a TPM-made signing key bound to its TPM (sign, fixedTPM, fixedParent, "
               "sensitiveDataOrigin)";
    if (pub->objectAttributes & TPMA_OBJECT_DECRYPT)
        return "also a decryption key";
    if (e->curveID != TPM2_ECC_NIST_P256 || e->scheme.scheme != TPM2_ALG_ECDSA ||
        e->scheme.details.ecdsa.hashAlg != TPM2_ALG_SHA256)
        return "not ECDSA-SHA256 on P-256";
    return NULL;
}

static int put16(uint8_t *b, size_t cap, size_t *off, size_t v)
{
    if (v > 0xffff || *off + 2 > cap)
        return -1;
    b[(*off)++] = (uint8_t)(v >> 8);
    b[(*off)++] = (uint8_t)v;
    return 0;
}

static int put_bytes(uint8_t *b, size_t cap, size_t *off, const void *p, size_t n)
{
    if (put16(b, cap, off, n) != 0 || *off + n > cap)
        return -1;
    if (n > 0)
        memcpy(b + *off, p, n);
    *off += n;
    return 0;
}

int attest_qualifying_data(const uint8_t *nonce, size_t nonce_len,
                           const TPML_PCR_SELECTION *sel, const attest_device *dev,
                           const uint8_t *mldsa_pub, size_t mldsa_len,
                           uint8_t out[ATTEST_QD_LEN])
{
    uint8_t selbuf[sizeof(TPML_PCR_SELECTION)];
    size_t sel_len = 0, off = 0, cap;
    unsigned int dlen = 0;
    uint8_t *b;
    int rc = -1;

    if (nonce_len == 0 || nonce_len > 64 ||
        Tss2_MU_TPML_PCR_SELECTION_Marshal(sel, selbuf, sizeof selbuf, &sel_len) != TSS2_RC_SUCCESS)
        return -1;
    cap = sizeof ATTEST_DOMAIN_TAG + 3 + nonce_len + 8 + sel_len + sizeof dev->machine_id +
          sizeof dev->serial + mldsa_len;
    if ((b = malloc(cap)) == NULL)
        return -1;
    memcpy(b, ATTEST_DOMAIN_TAG, sizeof ATTEST_DOMAIN_TAG - 1);
    off = sizeof ATTEST_DOMAIN_TAG - 1;
    if (put16(b, cap, &off, 1) == 0 && off + 1 + nonce_len <= cap) {
        b[off++] = (uint8_t)nonce_len;
        memcpy(b + off, nonce, nonce_len);
        off += nonce_len;
        if (put_bytes(b, cap, &off, selbuf, sel_len) == 0 &&
            put_bytes(b, cap, &off, dev->machine_id, strnlen(dev->machine_id, sizeof dev->machine_id)) == 0 &&
            put_bytes(b, cap, &off, dev->serial, strnlen(dev->serial, sizeof dev->serial)) == 0 &&
            put_bytes(b, cap, &off, mldsa_pub, mldsa_len) == 0 &&
            EVP_Digest(b, off, out, &dlen, EVP_sha256(), NULL) == 1 && dlen == ATTEST_QD_LEN)
            rc = 0;
    }
    free(b);
    return rc;
}

int attest_public_name(const TPMT_PUBLIC *pub, TPM2B_NAME *name)
{
    uint8_t area[sizeof(TPMT_PUBLIC)];
    size_t len = 0, off = 0;
    unsigned int dlen = 0;
    const EVP_MD *md = attest_bank_md(pub->nameAlg);

    if (md == NULL ||
        Tss2_MU_TPMT_PUBLIC_Marshal(pub, area, sizeof area, &len) != TSS2_RC_SUCCESS ||
        Tss2_MU_UINT16_Marshal(pub->nameAlg, name->name, sizeof name->name, &off) != TSS2_RC_SUCCESS ||
        EVP_Digest(area, len, name->name + off, &dlen, md, NULL) != 1)
        return -1;
    name->size = (UINT16)(off + dlen);
    return 0;
}

EVP_PKEY *attest_ecc_pkey(const TPMT_PUBLIC *pub)
{
    const TPMS_ECC_POINT *q = &pub->unique.ecc;
    uint8_t point[1 + 2 * 32];
    OSSL_PARAM_BLD *bld;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pc = NULL;
    EVP_PKEY *key = NULL;

    if (pub->type != TPM2_ALG_ECC || pub->parameters.eccDetail.curveID != TPM2_ECC_NIST_P256 ||
        q->x.size != 32 || q->y.size != 32)
        return NULL;
    point[0] = 0x04;
    memcpy(point + 1, q->x.buffer, 32);
    memcpy(point + 33, q->y.buffer, 32);
    if ((bld = OSSL_PARAM_BLD_new()) == NULL)
        return NULL;
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) == 1 &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
        (pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) != NULL &&
        EVP_PKEY_fromdata_init(pc) == 1 &&
        EVP_PKEY_fromdata(pc, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return key;
}

#if ATTEST_HAVE_MLDSA
void attest_mldsa_sig_params(OSSL_PARAM p[2])
{
    p[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_CONTEXT_STRING,
                                             (void *)ATTEST_MLDSA_CONTEXT,
                                             sizeof ATTEST_MLDSA_CONTEXT - 1);
    p[1] = OSSL_PARAM_construct_end();
}

int attest_mldsa_verify(const uint8_t *pub, size_t pub_len, const uint8_t *msg, size_t msg_len,
                        const uint8_t *sig, size_t sig_len)
{
    OSSL_PARAM key_params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, pub_len),
        OSSL_PARAM_construct_end()};
    OSSL_PARAM sig_params[2];
    EVP_PKEY_CTX *pc = NULL;
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *md = NULL;
    int ok = 0;

    if (pub_len != ATTEST_MLDSA_PUB_LEN || sig_len != ATTEST_MLDSA_SIG_LEN)
        return 0;
    attest_mldsa_sig_params(sig_params);
    if ((pc = EVP_PKEY_CTX_new_from_name(NULL, ATTEST_MLDSA_ALG, NULL)) != NULL &&
        EVP_PKEY_fromdata_init(pc) == 1 &&
        EVP_PKEY_fromdata(pc, &key, EVP_PKEY_PUBLIC_KEY, key_params) == 1 &&
        (md = EVP_MD_CTX_new()) != NULL &&
        EVP_DigestVerifyInit_ex(md, NULL, NULL, NULL, NULL, key, sig_params) == 1)
        ok = EVP_DigestVerify(md, sig, sig_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(pc);
    return ok;
}
#else
int attest_mldsa_verify(const uint8_t *pub, size_t pub_len, const uint8_t *msg, size_t msg_len,
                        const uint8_t *sig, size_t sig_len)
{
    (void)pub, (void)pub_len, (void)msg, (void)msg_len, (void)sig, (void)sig_len;
    return 0;
}
#endif

static const struct bank {
    const char *name;
    TPMI_ALG_HASH alg;
    size_t size;
} banks[] = {
    {"sha1", TPM2_ALG_SHA1, 20}, {"sha256", TPM2_ALG_SHA256, 32},
    {"sha384", TPM2_ALG_SHA384, 48}, {"sha512", TPM2_ALG_SHA512, 64},
};

TPMI_ALG_HASH attest_bank_alg(const char *name)
{
    for (size_t i = 0; i < sizeof banks / sizeof banks[0]; i++)
        if (strcmp(banks[i].name, name) == 0)
            return banks[i].alg;
    return 0;
}

const char *attest_bank_name(TPMI_ALG_HASH alg)
{
    for (size_t i = 0; i < sizeof banks / sizeof banks[0]; i++)
        if (banks[i].alg == alg)
            return banks[i].name;
    return NULL;
}

size_t attest_bank_size(TPMI_ALG_HASH alg)
{
    for (size_t i = 0; i < sizeof banks / sizeof banks[0]; i++)
        if (banks[i].alg == alg)
            return banks[i].size;
    return 0;
}

const EVP_MD *attest_bank_md(TPMI_ALG_HASH alg)
{
    switch (alg) {
    case TPM2_ALG_SHA1: return EVP_sha1();
    case TPM2_ALG_SHA256: return EVP_sha256();
    case TPM2_ALG_SHA384: return EVP_sha384();
    case TPM2_ALG_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

char *attest_hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);

    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int attest_unhex(const char *s, uint8_t **out, size_t *n)
{
    size_t len = strlen(s);

    *out = NULL;
    if (len == 0 || len % 2 != 0 || (*out = malloc(len / 2)) == NULL)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(*out);
            *out = NULL;
            return -1;
        }
        (*out)[i] = (uint8_t)(hi << 4 | lo);
    }
    *n = len / 2;
    return 0;
}

char *attest_b64(const uint8_t *p, size_t n)
{
    char *s;

    if (n > 0x3fffffff || (s = malloc(4 * ((n + 2) / 3) + 1)) == NULL)
        return NULL;
    EVP_EncodeBlock((unsigned char *)s, p, (int)n);
    return s;
}

int attest_unb64(const char *s, uint8_t **out, size_t *n)
{
    size_t len = strlen(s), pad = 0;
    int got;

    *out = NULL;
    if (len == 0 || len % 4 != 0 || len > 0x3fffffff)
        return -1;
    /* EVP_DecodeBlock takes '=' anywhere and spaces at the ends: refuse both. */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int is_pad = c == '=' && i >= len - 2 && (i == len - 1 || s[len - 1] == '=');
        if (!(is_pad || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '/'))
            return -1;
        pad += is_pad;
    }
    if ((*out = malloc(len / 4 * 3)) == NULL)
        return -1;
    got = EVP_DecodeBlock(*out, (const unsigned char *)s, (int)len);
    if (got < 0 || (size_t)got < pad) {
        free(*out);
        *out = NULL;
        return -1;
    }
    *n = (size_t)got - pad;
    return 0;
}
