/*
 * The attestation C API (what the Python package wraps): secprov_attest()
 * and secprov_attest_enroll() on the provider SECURITY_PROVIDER names
 * (run_attest_api.sh: tpm against a private swtpm, then legacy), and
 * secprov_verify_report() on what they return:
 *   tpm: a report verifies (OK) against its enrollment and nonce, and is
 *        refused (NONCE) for another; the attest.pcrs of the config (two
 *        banks) is what is quoted; a bad nonce length or flag is refused
 *        before the provider; *report is NULL on failure.
 *   legacy: SECPROV_ERR_UNSUPPORTED, and SECPROV_ERR_UNAVAILABLE with
 *        SECPROV_ATTEST_REQUIRE_TPM.
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
#include "secprov_verify.h"

static const unsigned char nonce[16] = "0123456789abcdef";

static secprov *open_checked(void)
{
    secprov *sp = NULL;
    assert_int_equal(secprov_open(&sp, NULL), SECPROV_OK);
    assert_string_equal(secprov_provider_name(sp), getenv("EXPECT_PROVIDER"));
    return sp;
}

static void argument_checks(void **state)
{
    (void)state;
    unsigned char big[SECPROV_ATTEST_NONCE_MAX + 1] = {0};
    char *report = (char *)1;
    secprov *sp = open_checked();

    assert_int_equal(secprov_attest(NULL, nonce, 1, 0, &report), SECPROV_ERR_INVALID_ARG);
    assert_null(report);
    assert_int_equal(secprov_attest(sp, nonce, 1, 0, NULL), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_attest(sp, NULL, 1, 0, &report), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_attest(sp, nonce, 0, 0, &report), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_attest(sp, big, sizeof big, 0, &report), SECPROV_ERR_TOO_LARGE);
    assert_int_equal(secprov_attest(sp, nonce, 1, 2, &report), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_attest_enroll(sp, 4, &report), SECPROV_ERR_INVALID_ARG);
    assert_null(report);
    secprov_attest_free(NULL);
    secprov_close(sp);
}

static void tpm_round_trip(void **state)
{
    (void)state;
    char *report = NULL, *record = NULL, detail[512];
    secprov *sp = open_checked();

    assert_int_equal(secprov_attest_enroll(sp, SECPROV_ATTEST_REQUIRE_TPM, &record), SECPROV_OK);
    assert_int_equal(secprov_attest(sp, nonce, sizeof nonce, SECPROV_ATTEST_REQUIRE_TPM, &report),
                     SECPROV_OK);
    assert_non_null(strstr(report, "\"bank\":\"sha1\""));     /* attest.pcrs "sha256:0,7+sha1:7" */
    assert_int_equal(secprov_verify_report(report, nonce, sizeof nonce, record, NULL, detail,
                                           sizeof detail), SECPROV_VERIFY_OK);
    assert_string_equal(detail, "ok");
    assert_int_equal(secprov_verify_report(report, "other", 5, record, NULL, detail, sizeof detail),
                     SECPROV_VERIFY_NONCE);
    assert_string_equal(secprov_verify_reason(SECPROV_VERIFY_NONCE), "nonce");
    assert_int_equal(secprov_verify_report(NULL, nonce, 1, record, NULL, NULL, 0),
                     SECPROV_VERIFY_BAD_ARGUMENT);
    secprov_attest_free(report);
    secprov_attest_free(record);
    secprov_close(sp);
}

static void legacy_cannot_attest(void **state)
{
    (void)state;
    char *report = (char *)1;
    secprov *sp = open_checked();

    assert_int_equal(secprov_attest(sp, nonce, sizeof nonce, 0, &report), SECPROV_ERR_UNSUPPORTED);
    assert_null(report);
    assert_int_equal(secprov_attest(sp, nonce, sizeof nonce, SECPROV_ATTEST_REQUIRE_TPM, &report),
                     SECPROV_ERR_UNAVAILABLE);
    assert_non_null(strstr(secprov_last_error(), "has no TPM"));
    assert_int_equal(secprov_attest_enroll(sp, 0, &report), SECPROV_ERR_UNSUPPORTED);
    secprov_close(sp);
}

int main(void)
{
    const struct CMUnitTest tpm_tests[] = {
        cmocka_unit_test(argument_checks),
        cmocka_unit_test(tpm_round_trip),
    };
    const struct CMUnitTest legacy_tests[] = {
        cmocka_unit_test(argument_checks),
        cmocka_unit_test(legacy_cannot_attest),
    };
    if (strcmp(getenv("EXPECT_PROVIDER"), "tpm") == 0)
        return cmocka_run_group_tests(tpm_tests, NULL, NULL);
    return cmocka_run_group_tests(legacy_tests, NULL, NULL);
}
