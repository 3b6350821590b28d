/* formats/canonical.c: the canonical bytes of a JSON document. The expected
 * strings are what Python's json.dumps(doc, sort_keys=True,
 * separators=(",", ":"), ensure_ascii=False) writes for the same documents,
 * so a verifier in Python computes the same bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "canonical.h"
#include "tools/unit.h"

static void check(const char *text, const char *const *omit, const char *want)
{
    json_object *doc = json_tokener_parse(text);
    assert_non_null(doc);
    char *out = NULL, why[200];
    size_t len = 0;
    assert_int_equal(sp_canonical_json(doc, omit, &out, &len, why, sizeof why), 0);
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    free(out);
    json_object_put(doc);
}

static void sorted_nested_and_omitted(void **state)
{
    (void)state;
    static const char *const omit[] = {"sig", NULL};
    check("{\"b\":1,\"a\":{\"z\":[3,{\"y\":true,\"x\":null}],"
          "\"c\":\"\\u00e9/\\n\\t\\u0001\\u007f\"},\"sig\":\"x\"}",
          omit,
          "{\"a\":{\"c\":\"\xc3\xa9/\\n\\t\\u0001\x7f\",\"z\":[3,{\"x\":null,\"y\":true}]},\"b\":1}");
}

static void only_top_level_members_are_omitted(void **state)
{
    (void)state;
    static const char *const omit[] = {"sig", NULL};
    check("{\"in\":{\"sig\":1},\"sig\":2}", omit, "{\"in\":{\"sig\":1}}");
}

static void empty_and_large(void **state)
{
    (void)state;
    check("{}", NULL, "{}");
    check("{\"k\":[],\"j\":{},\"i\":-9007199254740993}", NULL,
          "{\"i\":-9007199254740993,\"j\":{},\"k\":[]}");
}

static void refused(const char *text, const char *want_why)
{
    json_object *doc = json_tokener_parse(text);
    assert_non_null(doc);
    char *out = (char *)"unchanged", why[200];
    size_t len = 7;
    assert_int_equal(sp_canonical_json(doc, NULL, &out, &len, why, sizeof why), -1);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_string_equal(why, want_why);
    json_object_put(doc);
}

static void floats_and_non_objects_refused(void **state)
{
    (void)state;
    refused("{\"a\":{\"b\":[1,2.5]}}", "$.a.b[1]: a floating-point number has no canonical form");
    refused("[1]", "the document is not a JSON object");
}

UNIT_MAIN(cmocka_unit_test(sorted_nested_and_omitted),
          cmocka_unit_test(only_top_level_members_are_omitted),
          cmocka_unit_test(empty_and_large),
          cmocka_unit_test(floats_and_non_objects_refused))
