/* The keystore JSON parser (providers/tpm/keystore_json.c) on real files
 * (tests/tpm/keystore-fixtures/: an object secprov wrote, the SRK entry FAPI
 * writes when it makes the SRK and when it finds one already there, a
 * DA-protected object tss2_createseal made) and on edited copies: what is
 * accepted, and that each refusal is SECPROV_ERR_INTEGRITY naming why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keystore_json.h"
#include "secprov.h"
#include "tools/unit.h"

static char *fixture(const char *name, size_t *len)
{
    char path[4096];
    const char *src = getenv("SECPROV_SRC");
    snprintf(path, sizeof path, "%s/tests/tpm/keystore-fixtures/%s", src ? src : ".", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* text with the first occurrence of from replaced by to (malloc'd) */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    assert_non_null(out);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    return out;
}

static char why[256];

static int parse(const char *text, keystore_kind kind, keystore_entry *e)
{
    why[0] = '\0';
    return keystore_json_parse(text, strlen(text), kind, e, why, sizeof why);
}

static void refused(const char *text, keystore_kind kind, const char *reason)
{
    keystore_entry e;
    if (parse(text, kind, &e) != SECPROV_ERR_INTEGRITY)
        fail_msg("accepted, but should be refused with '%s'", reason);
    if (strstr(why, reason) == NULL)
        fail_msg("why '%s' does not contain '%s'", why, reason);
    assert_int_equal(e.pub.size, 0);           /* nothing half-filled */
}

static void sealed_object_accepted(void **state)
{
    (void)state;
    size_t len;
    char *t = fixture("sealed.json", &len);
    keystore_entry e;
    assert_int_equal(keystore_json_parse(t, len, KEYSTORE_SEALED, &e, why, sizeof why), SECPROV_OK);
    assert_int_equal(e.with_auth, 1);
    assert_int_equal(e.persistent_handle, 0);
    assert_int_equal(e.pub.publicArea.type, TPM2_ALG_KEYEDHASH);
    assert_int_equal(e.pub.size, 46);
    assert_int_equal(e.name.size, 34);
    assert_true(e.priv.size > 0);
    assert_true(e.pub.publicArea.objectAttributes & TPMA_OBJECT_NODA);
    refused(t, KEYSTORE_SRK, "\"system\"");    /* not an SRK entry */
    free(t);
}

static void srk_entries_accepted(void **state)
{
    (void)state;
    static const struct { const char *file; uint32_t handle; } cases[] = {
        {"srk.json", 0x81000001}, {"srk-found.json", 0}};
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        char *t = fixture(cases[i].file, &len);
        keystore_entry e;
        assert_int_equal(keystore_json_parse(t, len, KEYSTORE_SRK, &e, why, sizeof why), SECPROV_OK);
        assert_int_equal(e.persistent_handle, cases[i].handle);
        assert_int_equal(e.pub.publicArea.type, TPM2_ALG_ECC);
        assert_int_equal(e.pub.size, 90);
        assert_int_equal(e.pub.publicArea.unique.ecc.x.size, 32);
        refused(t, KEYSTORE_SEALED, "\"system\"");
        free(t);
    }
}

static void da_object_refused(void **state)
{
    (void)state;
    size_t len;
    char *t = fixture("fapi-da.json", &len);
    refused(t, KEYSTORE_SEALED, "lacks noDA");
    free(t);
}

static void object_type_refused(void **state)
{
    (void)state;
    static const char *const values[] = {"0", "2", "5", "6", "7", "99", "-1", "1.0", "\"1\"",
                                         "null", "4294967297"};
    size_t len;
    char *t = fixture("sealed.json", &len);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char to[32];
        snprintf(to, sizeof to, "\"objectType\":%s", values[i]);
        char *m = edit(t, "\"objectType\":1", to);
        refused(m, KEYSTORE_SEALED, "\"objectType\"");
        free(m);
    }
    free(t);
}

static void members_refused(void **state)
{
    (void)state;
    static const struct { const char *from, *to, *reason; } cases[] = {
        {"\"with_auth\":\"YES\"", "\"with_auth\":\"MAYBE\"", "\"with_auth\""},
        {"\"system\":\"NO\"", "\"system\":\"YES\"", "\"system\""},
        {"\"persistent_handle\":0", "\"persistent_handle\":2164260865", "\"persistent_handle\""},
        {"\"size\":46", "\"size\":47", "\"public.size\""},
        {"\"type\":\"KEYEDHASH\"", "\"type\":\"RSA\"", "\"public.publicArea.type\""},
        {"\"nameAlg\":\"SHA256\"", "\"nameAlg\":\"SHA1\"", "\"public.publicArea.nameAlg\""},
        {"\"noDA\":1", "\"noDA\":2", "objectAttributes.noDA"},
        {"\"noDA\":1", "\"noDA\":0", "lacks noDA"},
        {"\"fixedTPM\":1", "\"fixedTPM\":0", "lacks fixedTPM"},
        {"\"fixedParent\":1", "\"fixedParent\":0", "lacks fixedParent"},
        {"\"userWithAuth\":1", "\"userWithAuth\":0", "lacks userWithAuth"},
        {"\"adminWithPolicy\":0", "\"adminWithPolicy\":1", "has adminWithPolicy"},
        {"\"sign\":0", "\"sign\":1", "has sign"},
        {"\"decrypt\":0", "\"decrypt\":1", "has decrypt"},
        {"\"restricted\":0", "\"restricted\":1", "has restricted"},
        {"\"stClear\":0,", "", "exactly the 11 attributes"},
        {"\"authPolicy\":\"\"", "\"authPolicy\":\"0g\"", "not hex"},
        {"\"authPolicy\":\"\"", "\"authPolicy\":\"abc\"", "not hex"},
        {"\"scheme\":\"NULL\"", "\"scheme\":\"HMAC\"", "scheme"},
        {"\"private\":\"", "\"private\":\"zz", "\"private\""},
        {"{", "[\"x\"],", "text after the JSON object"},
    };
    size_t len;
    char *t = fixture("sealed.json", &len);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = edit(t, cases[i].from, cases[i].to);
        refused(m, KEYSTORE_SEALED, cases[i].reason);
        free(m);
    }
    free(t);
}

static void syntax_refused(void **state)
{
    (void)state;
    size_t len;
    char *t = fixture("sealed.json", &len);
    char *m = malloc(len + 8);
    assert_non_null(m);
    memcpy(m, t, len);
    strcpy(m + len, " {}");
    refused(m, KEYSTORE_SEALED, "text after the JSON object");
    strcpy(m + len / 2, "");
    refused(m, KEYSTORE_SEALED, "not valid JSON");
    refused("", KEYSTORE_SEALED, "empty");
    refused("[1]", KEYSTORE_SEALED, "not a JSON object");
    char deep[64 + 1] = {0};
    memset(deep, '[', 64);
    refused(deep, KEYSTORE_SEALED, "not valid JSON");
    keystore_entry e;                          /* an embedded NUL ends nothing early */
    t[10] = '\0';
    assert_int_equal(keystore_json_parse(t, len, KEYSTORE_SEALED, &e, why, sizeof why),
                     SECPROV_ERR_INTEGRITY);
    free(m);
    free(t);
}

UNIT_MAIN(cmocka_unit_test(sealed_object_accepted),
          cmocka_unit_test(srk_entries_accepted),
          cmocka_unit_test(da_object_refused),
          cmocka_unit_test(object_type_refused),
          cmocka_unit_test(members_refused),
          cmocka_unit_test(syntax_refused))
