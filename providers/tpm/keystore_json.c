/* Strict parser of FAPI keystore entries: see keystore_json.h. */
#include "keystore_json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <tss2/tss2_mu.h>

#include "secprov.h"

typedef struct ctx {
    char *why;
    size_t why_len;
} ctx;

static int fail(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->why_len, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *type_name(json_type t)
{
    return t == json_type_object ? "an object" : t == json_type_string ? "a string"
                                             : t == json_type_int      ? "an integer"
                                                                       : "of the expected type";
}

/* o[key] of type t (o is an object), or NULL with the reason set. */
static json_object *member(ctx *c, json_object *o, const char *where, const char *key,
                           json_type t)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(o, key, &v) || v == NULL || !json_object_is_type(v, t)) {
        fail(c, "member \"%s%s\" is missing or not %s", where, key, type_name(t));
        return NULL;
    }
    return v;
}

static int get_int(ctx *c, json_object *o, const char *where, const char *key, int64_t lo,
                   int64_t hi, int64_t *out)
{
    json_object *v = member(c, o, where, key, json_type_int);

    if (v == NULL)
        return -1;
    errno = 0;
    int64_t n = json_object_get_int64(v);
    if (errno != 0 || n < lo || n > hi)
        return fail(c, "member \"%s%s\" is out of range", where, key);
    *out = n;
    return 0;
}

/* o[key] is one of the strings in choices (NULL-terminated): its index. */
static int get_choice(ctx *c, json_object *o, const char *where, const char *key,
                      const char *const *choices)
{
    json_object *v = member(c, o, where, key, json_type_string);

    if (v == NULL)
        return -1;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    /* Case-insensitive, as FAPI reads them: tpm2-tss 3.x writes "SHA256",
     * 4.x "sha256" (Debian 13). */
    for (int i = 0; choices[i] != NULL; i++)
        if (n == strlen(choices[i]) && strncasecmp(s, choices[i], n) == 0)
            return i;
    return fail(c, "member \"%s%s\" has a value secprov does not accept", where, key);
}

static int hex_digit(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* o[key] as hex into out (at most max bytes): the byte count, or -1. */
static int get_hex(ctx *c, json_object *o, const char *where, const char *key, uint8_t *out,
                   size_t max)
{
    json_object *v = member(c, o, where, key, json_type_string);

    if (v == NULL)
        return -1;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    if (n % 2 != 0 || n / 2 > max)
        return fail(c, "member \"%s%s\" is not hex of at most %zu bytes", where, key, max);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return fail(c, "member \"%s%s\" is not hex", where, key);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(n / 2);
}

static int get_object(ctx *c, json_object *o, const char *where, const char *key,
                      json_object **out)
{
    return (*out = member(c, o, where, key, json_type_object)) != NULL ? 0 : -1;
}

/* {"scheme": "NULL"}: the only scheme (of a sealed object, an SRK, a KDF)
 * secprov accepts. */
static int null_scheme(ctx *c, json_object *o, const char *where, const char *key)
{
    static const char *const null_only[] = {"NULL", NULL};
    json_object *s;
    char at[96];

    snprintf(at, sizeof at, "%s%s.", where, key);
    return get_object(c, o, where, key, &s) == 0 && get_choice(c, s, at, "scheme", null_only) == 0
               ? 0 : -1;
}

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
static int attributes(ctx *c, json_object *o, TPMA_OBJECT *out)
{
    static const char at[] = "public.publicArea.objectAttributes.";
    const keystore_attr *bits = keystore_attrs;
    const size_t n = keystore_attr_count;
    int64_t v;

    *out = 0;
    if (json_object_object_length(o) != (int)n)
        return fail(c, "member \"%.*s\" does not have exactly the %zu attributes FAPI writes",
                    (int)strlen(at) - 1, at, n);
    for (size_t i = 0; i < n; i++) {
        if (get_int(c, o, at, bits[i].name, 0, 1, &v) != 0)
            return -1;
        if (v)
            *out |= bits[i].bit;
    }
    return 0;
}

static int ecc_parameters(ctx *c, json_object *p, TPMT_PUBLIC *a)
{
    static const char at[] = "public.publicArea.parameters.";
    static const char *const aes[] = {"AES", NULL}, *const cfb[] = {"CFB", NULL},
                             *const curves[] = {"NIST_P256", NULL};
    TPMS_ECC_PARMS *e = &a->parameters.eccDetail;
    json_object *sym;
    int64_t bits;

    if (get_object(c, p, at, "symmetric", &sym) != 0 ||
        get_choice(c, sym, "public.publicArea.parameters.symmetric.", "algorithm", aes) != 0 ||
        get_int(c, sym, "public.publicArea.parameters.symmetric.", "keyBits", 128, 256, &bits) != 0 ||
        get_choice(c, sym, "public.publicArea.parameters.symmetric.", "mode", cfb) != 0 ||
        null_scheme(c, p, at, "scheme") != 0 || get_choice(c, p, at, "curveID", curves) != 0 ||
        null_scheme(c, p, at, "kdf") != 0)
        return -1;
    if (bits != 128 && bits != 256)
        return fail(c, "member \"%ssymmetric.keyBits\" is not 128 or 256", at);
    e->symmetric.algorithm = TPM2_ALG_AES;
    e->symmetric.keyBits.aes = (TPMI_AES_KEY_BITS)bits;
    e->symmetric.mode.aes = TPM2_ALG_CFB;
    e->scheme.scheme = TPM2_ALG_NULL;
    e->curveID = TPM2_ECC_NIST_P256;
    e->kdf.scheme = TPM2_ALG_NULL;
    return 0;
}

static int public_area(ctx *c, json_object *root, keystore_kind kind, TPM2B_PUBLIC *pub)
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
    if (get_object(c, root, "", "public", &o) != 0 ||
        get_int(c, o, "public.", "size", 1, (int64_t)sizeof(TPMT_PUBLIC), &size) != 0 ||
        get_object(c, o, "public.", "publicArea", &area) != 0 ||
        (n = get_choice(c, area, at, "type", types)) < 0)
        return -1;
    if (n != (kind == KEYSTORE_SEALED ? 0 : 1))
        return fail(c, "member \"%stype\" is not %s", at, kind == KEYSTORE_SEALED ? "KEYEDHASH" : "ECC");
    a->type = kind == KEYSTORE_SEALED ? TPM2_ALG_KEYEDHASH : TPM2_ALG_ECC;
    a->nameAlg = TPM2_ALG_SHA256;
    if (get_choice(c, area, at, "nameAlg", sha256) != 0 ||
        get_object(c, area, at, "objectAttributes", &attrs) != 0 ||
        attributes(c, attrs, &a->objectAttributes) != 0 ||
        (n = get_hex(c, area, at, "authPolicy", a->authPolicy.buffer,
                     sizeof a->authPolicy.buffer)) < 0 ||
        get_object(c, area, at, "parameters", &params) != 0)
        return -1;
    a->authPolicy.size = (UINT16)n;
    if (kind == KEYSTORE_SEALED) {
        if (null_scheme(c, params, "public.publicArea.parameters.", "scheme") != 0 ||
            (n = get_hex(c, area, at, "unique", a->unique.keyedHash.buffer,
                         sizeof a->unique.keyedHash.buffer)) < 0)
            return -1;
        a->parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
        a->unique.keyedHash.size = (UINT16)n;
    } else {
        if (ecc_parameters(c, params, a) != 0 || get_object(c, area, at, "unique", &uniq) != 0 ||
            (n = get_hex(c, uniq, "public.publicArea.unique.", "x", a->unique.ecc.x.buffer,
                         sizeof a->unique.ecc.x.buffer)) < 0)
            return -1;
        a->unique.ecc.x.size = (UINT16)n;
        if ((n = get_hex(c, uniq, "public.publicArea.unique.", "y", a->unique.ecc.y.buffer,
                         sizeof a->unique.ecc.y.buffer)) < 0)
            return -1;
        a->unique.ecc.y.size = (UINT16)n;
    }
    if (Tss2_MU_TPMT_PUBLIC_Marshal(a, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
        return fail(c, "member \"public.publicArea\" cannot be marshalled");
    if ((int64_t)len != size)
        return fail(c, "member \"public.size\" (%lld) is not the size of the public area (%zu)",
                    (long long)size, len);
    pub->size = (UINT16)len;
    return 0;
}

int keystore_sealed_check(const TPMT_PUBLIC *a, char *why, size_t why_len)
{
    static const struct { TPMA_OBJECT bit; int want; const char *name; } rules[] = {
        {TPMA_OBJECT_NODA, 1, "noDA"},   /* first: a DA-protected object never reaches the TPM */
        {TPMA_OBJECT_FIXEDTPM, 1, "fixedTPM"},
        {TPMA_OBJECT_FIXEDPARENT, 1, "fixedParent"},
        {TPMA_OBJECT_USERWITHAUTH, 1, "userWithAuth"},
        {TPMA_OBJECT_ADMINWITHPOLICY, 0, "adminWithPolicy"},
        {TPMA_OBJECT_RESTRICTED, 0, "restricted"},
        {TPMA_OBJECT_DECRYPT, 0, "decrypt"},
        {TPMA_OBJECT_SIGN_ENCRYPT, 0, "sign"},
    };
    ctx c = {why, why_len};

    if (a->type != TPM2_ALG_KEYEDHASH)
        return fail(&c, "its public area is not a keyed-hash (sealed data) object");
    if (a->nameAlg != TPM2_ALG_SHA256)
        return fail(&c, "its public area's nameAlg is not SHA-256");
    if (a->parameters.keyedHashDetail.scheme.scheme != TPM2_ALG_NULL)
        return fail(&c, "its public area has a keyed-hash scheme (not sealed data)");
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (((a->objectAttributes & rules[i].bit) != 0) != rules[i].want)
            return fail(&c, "its public area %s %s%s", rules[i].want ? "lacks" : "has",
                        rules[i].name,
                        rules[i].bit == TPMA_OBJECT_NODA
                            ? " (a DA-protected object is never sent to the TPM)" : "");
    if (a->authPolicy.size != 0)
        return fail(&c, "its public area has an authPolicy (secprov uses no policy)");
    return 0;
}

static int srk_check(ctx *c, const TPMT_PUBLIC *a)
{
    const TPMA_OBJECT need = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_FIXEDTPM |
                             TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;

    if ((a->objectAttributes & need) != need || (a->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
        return fail(c, "the SRK's public area is not a noDA restricted decryption key "
                       "(restricted, decrypt, fixedTPM, fixedParent, userWithAuth, noDA; not sign)");
    return 0;
}

/* The EK FAPI made (the endorsement key a verifier binds the AK to): a
 * restricted decryption key bound to this TPM; never used with an auth value
 * by secprov (its policy is the endorsement hierarchy's). */
static int ek_check(ctx *c, const TPMT_PUBLIC *a)
{
    const TPMA_OBJECT need = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_FIXEDTPM |
                             TPMA_OBJECT_FIXEDPARENT;

    if ((a->objectAttributes & need) != need || (a->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
        return fail(c, "the EK's public area is not a restricted decryption key "
                       "(restricted, decrypt, fixedTPM, fixedParent; not sign)");
    return 0;
}

static int ek_certificate(ctx *c, json_object *root, keystore_entry *e)
{
    json_object *cert;

    if (!json_object_object_get_ex(root, "certificate", &cert) || json_object_is_type(cert, json_type_null))
        return 0;
    if (!json_object_is_type(cert, json_type_string))
        return fail(c, "member \"certificate\" is not a string");
    if ((size_t)json_object_get_string_len(cert) >= sizeof e->certificate ||
        memchr(json_object_get_string(cert), '\0', (size_t)json_object_get_string_len(cert)) != NULL)
        return fail(c, "member \"certificate\" is too long or holds a NUL");
    memcpy(e->certificate, json_object_get_string(cert), (size_t)json_object_get_string_len(cert) + 1);
    return 0;
}

static int entry(ctx *c, json_object *root, keystore_kind kind, keystore_entry *e)
{
    static const char *const yes_no[] = {"NO", "YES", NULL}, *const no[] = {"NO", NULL},
                             *const yes[] = {"YES", NULL};
    int64_t v;
    int n;

    if (!json_object_is_type(root, json_type_object))
        return fail(c, "the file is not a JSON object");
    if (get_int(c, root, "", "objectType", 1, 1, &v) != 0 ||        /* IFAPI_KEY_OBJ */
        get_choice(c, root, "", "system", kind == KEYSTORE_SEALED ? no : yes) != 0 ||
        (n = get_choice(c, root, "", "with_auth", kind == KEYSTORE_SEALED ? yes_no : no)) < 0)
        return -1;
    e->with_auth = n == 1;
    /* The SRK's entry: FAPI records the handle when it made the SRK, and 0
     * when provisioning found one already there (the profile names it). */
    if (kind == KEYSTORE_SEALED ? get_int(c, root, "", "persistent_handle", 0, 0, &v)
                                : get_int(c, root, "", "persistent_handle", 0, 0x81ffffff, &v))
        return -1;
    if (kind != KEYSTORE_SEALED && v != 0 && v < 0x81000000)
        return fail(c, "member \"persistent_handle\" is not 0 or a persistent handle");
    e->persistent_handle = (uint32_t)v;
    if (public_area(c, root, kind, &e->pub) != 0 ||
        (n = get_hex(c, root, "", "name", e->name.name, sizeof e->name.name)) < 0)
        return -1;
    e->name.size = (UINT16)n;
    if (kind == KEYSTORE_SRK)
        return srk_check(c, &e->pub.publicArea);
    if (kind == KEYSTORE_EK)
        return ek_check(c, &e->pub.publicArea) != 0 ? -1 : ek_certificate(c, root, e);
    if ((n = get_hex(c, root, "", "private", e->priv.buffer, sizeof e->priv.buffer)) < 0)
        return -1;
    if (n == 0)
        return fail(c, "member \"private\" is empty");
    e->priv.size = (UINT16)n;
    return keystore_sealed_check(&e->pub.publicArea, c->why, c->why_len);
}

int keystore_json_parse(const char *text, size_t len, keystore_kind kind, keystore_entry *out,
                        char *why, size_t why_len)
{
    ctx c = {why, why_len};
    json_tokener *tok;
    json_object *root = NULL;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (len == 0 || len > KEYSTORE_JSON_MAX) {
        fail(&c, "the file is empty or larger than %d bytes", KEYSTORE_JSON_MAX);
        return SECPROV_ERR_INTEGRITY;
    }
    if ((tok = json_tokener_new_ex(16)) == NULL) {
        fail(&c, "out of memory");
        return SECPROV_ERR_NOMEM;
    }
    root = json_tokener_parse_ex(tok, text, (int)len);
    size_t used = json_tokener_get_parse_end(tok);
    if (root == NULL || json_tokener_get_error(tok) != json_tokener_success) {
        fail(&c, "not valid JSON (%s, at byte %zu)",
             json_tokener_error_desc(json_tokener_get_error(tok)), used);
    } else {
        while (used < len && (text[used] == ' ' || text[used] == '\n' || text[used] == '\t' ||
                              text[used] == '\r'))
            used++;
        if (used != len)
            fail(&c, "text after the JSON object (at byte %zu)", used);
        else
            rc = entry(&c, root, kind, out);
    }
    json_object_put(root);
    json_tokener_free(tok);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        return SECPROV_ERR_INTEGRITY;
    }
    return SECPROV_OK;
}
