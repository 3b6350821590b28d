/*
 * AC-2 through the public API: seal then unseal returns the exact bytes for
 * sizes 1, 32, 128, 129, 4096 and 1 MiB, within one handle and across a
 * close and re-open; replace; delete; bad input. Runs against whatever
 * SECPROV_CONFIG and SECURITY_PROVIDER name (run_roundtrip.sh starts a
 * private swtpm and runs it for tpm and for legacy) and asserts that the
 * provider in use is EXPECT_PROVIDER.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprov.h"
#include "tools/unit.h"

static const size_t sizes[] = {1, 32, 128, 129, 4096, 1024 * 1024};

static secprov *open_checked(void)
{
    secprov *sp = NULL;
    assert_int_equal(secprov_open(&sp, NULL), SECPROV_OK);
    assert_non_null(sp);
    assert_string_equal(secprov_provider_name(sp), getenv("EXPECT_PROVIDER"));
    assert_int_equal(secprov_fell_back(sp), 0);
    return sp;
}

static uint8_t *pattern(size_t len, unsigned seed)
{
    uint8_t *p = malloc(len);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)((i * 131u + seed * 7u + (i >> 8)) ^ seed);
    return p;
}

static void expect_secret(secprov *sp, const char *name, const uint8_t *want, size_t len)
{
    void *got = NULL;
    size_t got_len = 0;
    assert_int_equal(secprov_unseal(sp, name, &got, &got_len), SECPROV_OK);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, want, len);
    secprov_free(got, got_len);
}

static void sizes_within_and_across_handles(void **state)
{
    (void)state;
    char name[32];
    secprov *sp = open_checked();
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *data = pattern(sizes[i], (unsigned)i + 1);
        snprintf(name, sizeof name, "size-%zu", sizes[i]);
        assert_int_equal(secprov_seal(sp, name, data, sizes[i]), SECPROV_OK);
        expect_secret(sp, name, data, sizes[i]);
        free(data);
    }
    secprov_close(sp);

    sp = open_checked();                            /* a new handle reads them all */
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *data = pattern(sizes[i], (unsigned)i + 1);
        snprintf(name, sizeof name, "size-%zu", sizes[i]);
        expect_secret(sp, name, data, sizes[i]);
        assert_int_equal(secprov_delete(sp, name), SECPROV_OK);
        free(data);
    }
    secprov_close(sp);
}

static void replace_changes_kind(void **state)
{
    (void)state;
    secprov *sp = open_checked();
    uint8_t *big = pattern(5000, 9);
    assert_int_equal(secprov_seal(sp, "swap", "small", 5), SECPROV_OK);
    assert_int_equal(secprov_seal(sp, "swap", big, 5000), SECPROV_OK);     /* direct -> envelope */
    expect_secret(sp, "swap", big, 5000);
    assert_int_equal(secprov_seal(sp, "swap", "tiny", 4), SECPROV_OK);     /* and back */
    expect_secret(sp, "swap", (const uint8_t *)"tiny", 4);
    char **names;
    size_t n;
    assert_int_equal(secprov_list(sp, &names, &n), SECPROV_OK);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "swap");
    secprov_list_free(names, n);
    assert_int_equal(secprov_delete(sp, "swap"), SECPROV_OK);
    assert_int_equal(secprov_delete(sp, "swap"), SECPROV_ERR_NOT_FOUND);
    free(big);
    secprov_close(sp);
}

static void bad_input(void **state)
{
    (void)state;
    secprov *sp = open_checked();
    void *out = (void *)1;
    size_t len = 7;
    char n65[66];
    memset(n65, 'a', 65);
    n65[65] = '\0';
    assert_int_equal(secprov_seal(sp, "", "x", 1), SECPROV_ERR_NAME);
    assert_int_equal(secprov_seal(sp, "a/b", "x", 1), SECPROV_ERR_NAME);
    assert_int_equal(secprov_seal(sp, "..", "x", 1), SECPROV_ERR_NAME);
    assert_int_equal(secprov_seal(sp, n65, "x", 1), SECPROV_ERR_NAME);
    assert_int_equal(secprov_seal(sp, NULL, "x", 1), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_seal(sp, "ok", NULL, 1), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_seal(sp, "ok", "x", 0), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_seal(NULL, "ok", "x", 1), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_seal(sp, "ok", "x", SECPROV_SECRET_MAX + 1), SECPROV_ERR_TOO_LARGE);
    assert_int_equal(secprov_unseal(sp, "missing", &out, &len), SECPROV_ERR_NOT_FOUND);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_int_equal(secprov_unseal(sp, "ok", NULL, &len), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_delete(sp, "missing"), SECPROV_ERR_NOT_FOUND);
    char **names;
    size_t n;
    assert_int_equal(secprov_list(sp, &names, &n), SECPROV_OK);   /* nothing was written */
    assert_int_equal(n, 0);
    secprov_list_free(names, n);
    secprov_close(sp);
}

UNIT_MAIN(cmocka_unit_test(sizes_within_and_across_handles),
          cmocka_unit_test(replace_changes_kind),
          cmocka_unit_test(bad_input))
