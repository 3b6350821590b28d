/*
 * The public area of a keystore entry (FAPI's "public" member, read
 * strictly: keystore_json.h), and the table of TPMA_OBJECT's JSON members
 * that this reader and keystore_object.c's writer share.
 */
#include "keystore_members.h"

#include <stdio.h>
#include <string.h>

#include <tss2/tss2_mu.h>

/* The members of TPMA_OBJECT in FAPI's JSON, in its order: keystore_json.h. */
const keystore_attr keystore_attrs[] = {
    {"fixedTPM", TPMA_OBJECT_FIXEDTPM},
    {"stClear", TPMA_OBJECT_STCLEAR},
    {"fixedParent", TPMA_OBJECT_FIXEDPARENT},
    {"sensitiveDataOrigin", TPMA_OBJECT_SENSITIVEDATAORIGIN},
    {"userWithAuth", TPMA_OBJECT_USERWITHAUTH},
    {"adminWithPolicy", TPMA_OBJECT_ADMINWITHPOLICY},
    {"noDA", TPMA_OBJECT_NODA},
    {"encryptedDuplication", TPMA_OBJECT_ENCRYPTEDDUPLICATION},
    {"restricted", TPMA_OBJECT_RESTRICTED},
    {"decrypt", TPMA_OBJECT_DECRYPT},
    {"sign", TPMA_OBJECT_SIGN_ENCRYPT},
};
const size_t keystore_attr_count = sizeof keystore_attrs / sizeof keystore_attrs[0];

/* TPMA_OBJECT as FAPI writes it: exactly these members, each 0 or 1. */
static int attributes(kj_ctx *c, json_object *o, TPMA_OBJECT *out)
{
    static const char at[] = "public.publicArea.objectAttributes.";
    const keystore_attr *bits = keystore_attrs;
    const size_t n = keystore_attr_count;
    int64_t v;

    *out = 0;
    if (json_object_object_length(o) != (int)n)
        return kj_fail(c, "member \"%.*s\" does not have exactly the %zu attributes FAPI writes",
                    (int)strlen(at) - 1, at, n);
    for (size_t i = 0; i < n; i++) {
        if (kj_get_int(c, o, at, bits[i].name, 0, 1, &v) != 0)
            return -1;
        if (v)
            *out |= bits[i].bit;
    }
    return 0;
}

static int ecc_parameters(kj_ctx *c, json_object *p, TPMT_PUBLIC *a)
{
    static const char at[] = "public.publicArea.parameters.";
    static const char *const aes[] = {"AES", NULL}, *const cfb[] = {"CFB", NULL},
                             *const curves[] = {"NIST_P256", NULL};
    TPMS_ECC_PARMS *e = &a->parameters.eccDetail;
    json_object *sym;
    int64_t bits;

    if (kj_get_object(c, p, at, "symmetric", &sym) != 0 ||
        kj_get_choice(c, sym, "public.publicArea.parameters.symmetric.", "algorithm", aes) != 0 ||
        kj_get_int(c, sym, "public.publicArea.parameters.symmetric.", "keyBits", 128, 256, &bits) != 0 ||
        kj_get_choice(c, sym, "public.publicArea.parameters.symmetric.", "mode", cfb) != 0 ||
        kj_null_scheme(c, p, at, "scheme") != 0 || kj_get_choice(c, p, at, "curveID", curves) != 0 ||
        kj_null_scheme(c, p, at, "kdf") != 0)
        return -1;
    if (bits != 128 && bits != 256)
        return kj_fail(c, "member \"%ssymmetric.keyBits\" is not 128 or 256", at);
    e->symmetric.algorithm = TPM2_ALG_AES;
    e->symmetric.keyBits.aes = (TPMI_AES_KEY_BITS)bits;
    e->symmetric.mode.aes = TPM2_ALG_CFB;
    e->scheme.scheme = TPM2_ALG_NULL;
    e->curveID = TPM2_ECC_NIST_P256;
    e->kdf.scheme = TPM2_ALG_NULL;
    return 0;
}

int kj_public_area(kj_ctx *c, json_object *root, keystore_kind kind, TPM2B_PUBLIC *pub)
{
    static const char *const types[] = {"KEYEDHASH", "ECC", NULL}, *const sha256[] = {"SHA256", NULL};
    static const char at[] = "public.publicArea.";
    TPMT_PUBLIC *a = &pub->publicArea;
    json_object *o, *area, *attrs, *params, *uniq;
    uint8_t buf[sizeof(TPMT_PUBLIC)];
    size_t len = 0;
    int64_t size;
    int n;

    memset(pub, 0, sizeof *pub);
    if (kj_get_object(c, root, "", "public", &o) != 0 ||
        kj_get_int(c, o, "public.", "size", 1, (int64_t)sizeof(TPMT_PUBLIC), &size) != 0 ||
        kj_get_object(c, o, "public.", "publicArea", &area) != 0 ||
        (n = kj_get_choice(c, area, at, "type", types)) < 0)
        return -1;
    if (n != (kind == KEYSTORE_SEALED ? 0 : 1))
        return kj_fail(c, "member \"%stype\" is not %s", at, kind == KEYSTORE_SEALED ? "KEYEDHASH" : "ECC");
    a->type = kind == KEYSTORE_SEALED ? TPM2_ALG_KEYEDHASH : TPM2_ALG_ECC;
    a->nameAlg = TPM2_ALG_SHA256;
    if (kj_get_choice(c, area, at, "nameAlg", sha256) != 0 ||
        kj_get_object(c, area, at, "objectAttributes", &attrs) != 0 ||
        attributes(c, attrs, &a->objectAttributes) != 0 ||
        (n = kj_get_hex(c, area, at, "authPolicy", a->authPolicy.buffer,
                     sizeof a->authPolicy.buffer)) < 0 ||
        kj_get_object(c, area, at, "parameters", &params) != 0)
        return -1;
    a->authPolicy.size = (UINT16)n;
    if (kind == KEYSTORE_SEALED) {
        if (kj_null_scheme(c, params, "public.publicArea.parameters.", "scheme") != 0 ||
            (n = kj_get_hex(c, area, at, "unique", a->unique.keyedHash.buffer,
                         sizeof a->unique.keyedHash.buffer)) < 0)
            return -1;
        a->parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
        a->unique.keyedHash.size = (UINT16)n;
    } else {
        if (ecc_parameters(c, params, a) != 0 || kj_get_object(c, area, at, "unique", &uniq) != 0 ||
            (n = kj_get_hex(c, uniq, "public.publicArea.unique.", "x", a->unique.ecc.x.buffer,
                         sizeof a->unique.ecc.x.buffer)) < 0)
            return -1;
        a->unique.ecc.x.size = (UINT16)n;
        if ((n = kj_get_hex(c, uniq, "public.publicArea.unique.", "y", a->unique.ecc.y.buffer,
                         sizeof a->unique.ecc.y.buffer)) < 0)
            return -1;
        a->unique.ecc.y.size = (UINT16)n;
    }
    if (Tss2_MU_TPMT_PUBLIC_Marshal(a, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
        return kj_fail(c, "member \"public.publicArea\" cannot be marshalled");
    if ((int64_t)len != size)
        return kj_fail(c, "member \"public.size\" (%lld) is not the size of the public area (%zu)",
                    (long long)size, len);
    pub->size = (UINT16)len;
    return 0;
}
