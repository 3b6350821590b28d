/*
 * A keystore entry, read strictly (keystore_json.h): the JSON text, the
 * entry's members (its public area: keystore_public.c), and the rules the
 * object must meet for its kind (sealed object, SRK, EK) before anything in
 * it reaches tpm2-tss or the TPM.
 */
#include "keystore_json.h"
#include "keystore_members.h"

#include <string.h>

#include <json-c/json.h>

#include "secprov.h"

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
    kj_ctx c = {why, why_len};

    if (a->type != TPM2_ALG_KEYEDHASH)
        return kj_fail(&c, "its public area is not a keyed-hash (sealed data) object");
    if (a->nameAlg != TPM2_ALG_SHA256)
        return kj_fail(&c, "its public area's nameAlg is not SHA-256");
    if (a->parameters.keyedHashDetail.scheme.scheme != TPM2_ALG_NULL)
        return kj_fail(&c, "its public area has a keyed-hash scheme (not sealed data)");
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (((a->objectAttributes & rules[i].bit) != 0) != rules[i].want)
            return kj_fail(&c, "its public area %s %s%s", rules[i].want ? "lacks" : "has",
                        rules[i].name,
                        rules[i].bit == TPMA_OBJECT_NODA
                            ? " (a DA-protected object is never sent to the TPM)" : "");
    if (a->authPolicy.size != 0)
        return kj_fail(&c, "its public area has an authPolicy (secprov uses no policy)");
    return 0;
}

static int srk_check(kj_ctx *c, const TPMT_PUBLIC *a)
{
    const TPMA_OBJECT need = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_FIXEDTPM |
                             TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;

    if ((a->objectAttributes & need) != need || (a->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
        return kj_fail(c, "the SRK's public area is not a noDA restricted decryption key "
                       "(restricted, decrypt, fixedTPM, fixedParent, userWithAuth, noDA; not sign)");
    return 0;
}

/* The EK FAPI made (the endorsement key a verifier binds the AK to): a
 * restricted decryption key bound to this TPM; never used with an auth value
 * by secprov (its policy is the endorsement hierarchy's). */
static int ek_check(kj_ctx *c, const TPMT_PUBLIC *a)
{
    const TPMA_OBJECT need = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_FIXEDTPM |
                             TPMA_OBJECT_FIXEDPARENT;

    if ((a->objectAttributes & need) != need || (a->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
        return kj_fail(c, "the EK's public area is not a restricted decryption key "
                       "(restricted, decrypt, fixedTPM, fixedParent; not sign)");
    return 0;
}

static int ek_certificate(kj_ctx *c, json_object *root, keystore_entry *e)
{
    json_object *cert;

    if (!json_object_object_get_ex(root, "certificate", &cert) || json_object_is_type(cert, json_type_null))
        return 0;
    if (!json_object_is_type(cert, json_type_string))
        return kj_fail(c, "member \"certificate\" is not a string");
    if ((size_t)json_object_get_string_len(cert) >= sizeof e->certificate ||
        memchr(json_object_get_string(cert), '\0', (size_t)json_object_get_string_len(cert)) != NULL)
        return kj_fail(c, "member \"certificate\" is too long or holds a NUL");
    memcpy(e->certificate, json_object_get_string(cert), (size_t)json_object_get_string_len(cert) + 1);
    return 0;
}

static int entry(kj_ctx *c, json_object *root, keystore_kind kind, keystore_entry *e)
{
    static const char *const yes_no[] = {"NO", "YES", NULL}, *const no[] = {"NO", NULL},
                             *const yes[] = {"YES", NULL};
    int64_t v;
    int n;

    if (!json_object_is_type(root, json_type_object))
        return kj_fail(c, "the file is not a JSON object");
    if (kj_get_int(c, root, "", "objectType", 1, 1, &v) != 0 ||        /* IFAPI_KEY_OBJ */
        kj_get_choice(c, root, "", "system", kind == KEYSTORE_SEALED ? no : yes) != 0 ||
        (n = kj_get_choice(c, root, "", "with_auth", kind == KEYSTORE_SEALED ? yes_no : no)) < 0)
        return -1;
    e->with_auth = n == 1;
    /* The SRK's entry: FAPI records the handle when it made the SRK, and 0
     * when provisioning found one already there (the profile names it). */
    if (kind == KEYSTORE_SEALED ? kj_get_int(c, root, "", "persistent_handle", 0, 0, &v)
                                : kj_get_int(c, root, "", "persistent_handle", 0, 0x81ffffff, &v))
        return -1;
    if (kind != KEYSTORE_SEALED && v != 0 && v < 0x81000000)
        return kj_fail(c, "member \"persistent_handle\" is not 0 or a persistent handle");
    e->persistent_handle = (uint32_t)v;
    if (kj_public_area(c, root, kind, &e->pub) != 0 ||
        (n = kj_get_hex(c, root, "", "name", e->name.name, sizeof e->name.name)) < 0)
        return -1;
    e->name.size = (UINT16)n;
    if (kind == KEYSTORE_SRK)
        return srk_check(c, &e->pub.publicArea);
    if (kind == KEYSTORE_EK)
        return ek_check(c, &e->pub.publicArea) != 0 ? -1 : ek_certificate(c, root, e);
    if ((n = kj_get_hex(c, root, "", "private", e->priv.buffer, sizeof e->priv.buffer)) < 0)
        return -1;
    if (n == 0)
        return kj_fail(c, "member \"private\" is empty");
    e->priv.size = (UINT16)n;
    return keystore_sealed_check(&e->pub.publicArea, c->why, c->why_len);
}

int keystore_json_parse(const char *text, size_t len, keystore_kind kind, keystore_entry *out,
                        char *why, size_t why_len)
{
    kj_ctx c = {why, why_len};
    json_tokener *tok;
    json_object *root = NULL;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (len == 0 || len > KEYSTORE_JSON_MAX) {
        kj_fail(&c, "the file is empty or larger than %d bytes", KEYSTORE_JSON_MAX);
        return SECPROV_ERR_INTEGRITY;
    }
    if ((tok = json_tokener_new_ex(16)) == NULL) {
        kj_fail(&c, "out of memory");
        return SECPROV_ERR_NOMEM;
    }
    root = json_tokener_parse_ex(tok, text, (int)len);
    size_t used = json_tokener_get_parse_end(tok);
    if (root == NULL || json_tokener_get_error(tok) != json_tokener_success) {
        kj_fail(&c, "not valid JSON (%s, at byte %zu)",
             json_tokener_error_desc(json_tokener_get_error(tok)), used);
    } else {
        while (used < len && (text[used] == ' ' || text[used] == '\n' || text[used] == '\t' ||
                              text[used] == '\r'))
            used++;
        if (used != len)
            kj_fail(&c, "text after the JSON object (at byte %zu)", used);
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
