/* The provider loader (core/loader.c) against modules that are each wrong in
 * one way (tests/core/fake_provider.c): every one is refused with a status
 * and a reason naming what is wrong, and a good one loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "tools/unit.h"

static const char *dir(void)
{
    static char d[4096];
    const char *build = getenv("SECPROV_BUILD");
    snprintf(d, sizeof d, "%s/tests/core/fake-providers", build != NULL ? build : "build");
    return d;
}

static void expect_refused(const char *name, int status, const char *reason_part)
{
    secprov_module *mod = (secprov_module *)1;
    const secprov_provider_class *k = (const secprov_provider_class *)1;
    char reason[512] = "";

    assert_int_equal(secprov_module_load(dir(), name, &mod, &k, reason, sizeof reason), status);
    assert_null(mod);
    assert_null(k);
    if (strstr(reason, reason_part) == NULL)
        fail_msg("%s: reason '%s' lacks '%s'", name, reason, reason_part);
}

static void good_module_loads(void **state)
{
    (void)state;
    secprov_module *mod = NULL;
    const secprov_provider_class *k = NULL;
    char reason[512] = "";

    assert_int_equal(secprov_module_load(dir(), "good", &mod, &k, reason, sizeof reason), SECPROV_OK);
    assert_non_null(mod);
    assert_non_null(k);
    assert_string_equal(k->name, "good");
    assert_int_equal(k->abi_version, SECPROV_PROVIDER_ABI_VERSION);
    secprov_module_unload(mod);
}

static void wrong_modules_refused(void **state)
{
    (void)state;
    expect_refused("missing", SECPROV_ERR_NOT_INSTALLED, "missing provider not installed");
    expect_refused("badabi", SECPROV_ERR_UNAVAILABLE, "has provider ABI 99, this library needs 2");
    /* a module built for ABI 1 (its env had the tpm and legacy settings):
     * refused, naming both versions and what to do */
    expect_refused("abiv1", SECPROV_ERR_UNAVAILABLE, "has provider ABI 1, this library needs 2: "
                   "rebuild it against this secprov's secprov_provider.h (docs/provider-sdk.md)");
    expect_refused("small", SECPROV_ERR_UNAVAILABLE, "has a malformed provider table");
    expect_refused("noopen", SECPROV_ERR_UNAVAILABLE, "has a malformed provider table");
    expect_refused("othername", SECPROV_ERR_UNAVAILABLE, "has a malformed provider table");
    expect_refused("noentry", SECPROV_ERR_UNAVAILABLE, "has no provider entry secprov_provider_entry");
    expect_refused("notelf", SECPROV_ERR_UNAVAILABLE, "cannot load");
}

UNIT_MAIN(cmocka_unit_test(good_module_loads),
          cmocka_unit_test(wrong_modules_refused))
