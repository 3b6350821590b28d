/* The secret-name rule (include/secprov_name_rules.h: 1 to 64 of
 * [A-Za-z0-9_-]), one set of cases for each function that applies it:
 * secprov_name_check (tests/core/test_api.c) and the providers' sp_name_ok
 * (tests/common/test_state_files.c). Include after <cmocka.h> and secprov.h. */
#ifndef SECPROV_TESTS_NAME_RULE_H
#define SECPROV_TESTS_NAME_RULE_H

#include <string.h>

static void name_rule_case(int (*name_ok)(const char *), const char *name, int want)
{
    int got = name_ok(name);
    if (got != want)
        fail_msg("name '%s': %d, want %d", name != NULL ? name : "(NULL)", got, want);
}

static void check_name_rule(int (*name_ok)(const char *))
{
    static const char *const good[] = {"abc_XYZ-09", "abcXYZ019_-"};
    static const char *const bad[] = {"", NULL, "a/b", "..", "a.b", "caf\xc3\xa9", "a b", "x\n"};
    char n64[65], n65[66];

    for (const char *c = "aZ"; *c != '\0'; c++) {   /* 64 characters at the most */
        memset(n64, *c, 64); n64[64] = '\0';
        memset(n65, *c, 65); n65[65] = '\0';
        name_rule_case(name_ok, n64, SECPROV_OK);
        name_rule_case(name_ok, n65, SECPROV_ERR_NAME);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        name_rule_case(name_ok, good[i], SECPROV_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        name_rule_case(name_ok, bad[i], SECPROV_ERR_NAME);
}

#endif
