/* The config file: defaults, every key of the core's, the provider groups
 * as a provider reads them (sp_config_get, the state folder), and errors
 * that name file and line. Compiled with core/config*.c and core/log.c
 * directly. The tpm group's own keys: tests/tpm/test_tpm_settings.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "secprov_provider.h"
#include "secprov.h"
#include "tools/unit.h"

static char path[512];
static char err[600];

static const char *write_conf(const char *text)
{
    return unit_write_file(path, sizeof path, "test.conf", text);
}

static char dir_buf[4096];

static const char *state_dir(const sp_config *c, const char *group)
{
    assert_int_equal(sp_config_state_dir(c, group, dir_buf, sizeof dir_buf), SECPROV_OK);
    return dir_buf;
}

static void missing_default_means_defaults(void **state)
{
    (void)state;
    sp_config c;
    const char *str = NULL;
    secprov_config_strings list;
    long long n = 0;
    char where[600];
    /* The default path does not exist on a test machine: all defaults. */
    assert_int_equal(sp_config_load(&c, NULL, err, sizeof err), SECPROV_OK);
    assert_null(c.provider);
    assert_int_equal(c.fallback, 1);
    assert_int_equal(c.log_level, 0);
    assert_int_equal(c.tpm_device_count, 2);
    assert_string_equal(c.tpm_devices[0], "/dev/tpmrm0");
    assert_string_equal(c.tpm_devices[1], "/dev/tpm0");
    assert_string_equal(state_dir(&c, "tpm"), "/var/lib/secprov/tpm");
    assert_string_equal(state_dir(&c, "legacy"), "/var/lib/secprov/legacy");
    assert_string_equal(state_dir(&c, "example_file"), "/var/lib/secprov/example_file");
    assert_int_equal(sp_config_get(&c, "legacy", "hardware", SECPROV_CONFIG_STRING, &str),
                     SECPROV_ERR_NOT_FOUND);
    assert_int_equal(c.tpm_retry_interval_s, 60);
    /* the core's keys give their value in force, default included */
    assert_int_equal(sp_config_get(&c, "tpm", "devices", SECPROV_CONFIG_STRINGS, &list), SECPROV_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.items[0], "/dev/tpmrm0");
    assert_int_equal(sp_config_get(&c, "tpm", "retry_interval_s", SECPROV_CONFIG_INT, &n), SECPROV_OK);
    assert_int_equal(n, 60);
    assert_int_equal(sp_config_get(&c, "tpm", "state_dir", SECPROV_CONFIG_STRING, &str), SECPROV_OK);
    assert_string_equal(str, "/var/lib/secprov/tpm");
    sp_config_where(&c, "tpm", "tcti", where, sizeof where);
    assert_string_equal(where, "(no config file)");
    sp_config_free(&c);
}

static void every_key(void **state)
{
    (void)state;
    sp_config c;
    const char *str = NULL;
    long long n = 0;
    char where[700], want[700];
    write_conf("provider = \"legacy\";\nfallback = false;\nlog_level = \"debug\";\n"
               "tpm = { devices = [\"/dev/a\", \"/dev/b\", \"/dev/c\"]; tcti = \"swtpm:path=/x\";"
               " state_dir = \"/s/tpm\"; };\n"
               "legacy = { state_dir = \"/s/legacy\"; hardware = \"CPU: x\"; };\n");
    assert_int_equal(sp_config_load(&c, path, err, sizeof err), SECPROV_OK);
    assert_string_equal(c.provider, "legacy");
    assert_int_equal(c.fallback, 0);
    assert_int_equal(c.log_level, SECPROV_LOG_DEBUG);
    assert_int_equal(c.tpm_device_count, 3);
    assert_string_equal(c.tpm_devices[2], "/dev/c");
    assert_int_equal(sp_config_get(&c, "tpm", "tcti", SECPROV_CONFIG_STRING, &str), SECPROV_OK);
    assert_string_equal(str, "swtpm:path=/x");
    assert_string_equal(state_dir(&c, "tpm"), "/s/tpm");
    assert_string_equal(state_dir(&c, "legacy"), "/s/legacy");
    assert_int_equal(sp_config_get(&c, "legacy", "hardware", SECPROV_CONFIG_STRING, &str), SECPROV_OK);
    assert_string_equal(str, "CPU: x");
    /* another type than asked for */
    assert_int_equal(sp_config_get(&c, "legacy", "hardware", SECPROV_CONFIG_INT, &n),
                     SECPROV_ERR_CONFIG);
    assert_string_equal(c.path, path);
    sp_config_where(&c, "legacy", "hardware", where, sizeof where);
    snprintf(want, sizeof want, "%s:5", path);
    assert_string_equal(where, want);
    sp_config_where(&c, "legacy", "nothing", where, sizeof where);
    assert_string_equal(where, path);
    /* a provider group's keys against its class's (the core's own allowed) */
    static const secprov_config_key legacy_keys[] = {{"hardware", SECPROV_CONFIG_STRING}, {NULL, 0}};
    assert_int_equal(sp_config_check_group(&c, "legacy", legacy_keys, err, sizeof err), SECPROV_OK);
    assert_int_equal(sp_config_check_group(&c, "legacy", NULL, err, sizeof err), SECPROV_ERR_CONFIG);
    snprintf(want, sizeof want, "%s:5: unknown key 'legacy.hardware'", path);
    assert_string_equal(err, want);
    static const secprov_config_key wrong_type[] = {{"hardware", SECPROV_CONFIG_INT}, {NULL, 0}};
    assert_int_equal(sp_config_check_group(&c, "legacy", wrong_type, err, sizeof err),
                     SECPROV_ERR_CONFIG);
    snprintf(want, sizeof want, "%s:5: 'legacy.hardware' must be an integer", path);
    assert_string_equal(err, want);
    sp_config_free(&c);
}

static void expect_error(const char *text, const char *want)
{
    sp_config c;
    char full[700];
    write_conf(text);
    assert_int_equal(sp_config_load(&c, path, err, sizeof err), SECPROV_ERR_CONFIG);
    snprintf(full, sizeof full, "%s%s", path, want);   /* want starts after the path */
    if (strcmp(err, full) != 0)
        fail_msg("error was '%s', wanted '%s'", err, full);
}

static void errors_name_file_line_and_value(void **state)
{
    (void)state;
    expect_error("fallback = true;\nprovider = 3;\n", ":2: 'provider' must be a string");
    expect_error("provider = \"../tpm\";\n", ":1: unknown provider '../tpm' (auto, tpm, legacy "
                 "or the name of an installed provider module: [a-z][a-z0-9_]{0,31})");
    /* a group that is not the core's must be named like a provider module
     * (whether that module is installed is checked at open) */
    expect_error("Tpm = { x = 1; };\n", ":1: unknown key 'Tpm'");
    expect_error("example_file = 3;\n", ":1: unknown key 'example_file'");
    expect_error("\nlog_level = \"loud\";\n",
                 ":2: unknown log_level 'loud' (debug, info, warning, error or none)");
    expect_error("provider = \"auto\";\nproviedr = \"x\";\n", ":2: unknown key 'proviedr'");
}

static void syntax_and_missing_file(void **state)
{
    (void)state;
    sp_config c;
    char want[700];
    expect_error("provider = \"auto\";\ntpm = { devices = [\"/dev/x\" };\n", ":2: syntax error");
    expect_error("tpm = { devices = []; };\n", ":1: 'tpm.devices' is empty");
    expect_error("tpm = { devices = [\"rel\"]; };\n", ":1: 'tpm.devices' entries must be absolute paths");
    expect_error("legacy = { state_dir = \"\"; };\n", ":1: 'legacy.state_dir' must not be empty");
    expect_error("legacy = { state_dir = \"var/x\"; };\n",
                 ":1: 'legacy.state_dir' must be an absolute path, not 'var/x'");
    expect_error("legacy = { state_dir = 3; };\n", ":1: 'legacy.state_dir' must be a string");
    assert_int_equal(sp_config_load(&c, "/nonexistent/secprov.conf", err, sizeof err),
                     SECPROV_ERR_CONFIG);
    snprintf(want, sizeof want, "/nonexistent/secprov.conf: cannot read config file: "
             "No such file or directory");
    assert_string_equal(err, want);
}

/* tpm.retry_interval_s (issue 12 item 4) is the core's: auto's retry. */
static void retry_key(void **state)
{
    (void)state;
    sp_config c;
    write_conf("tpm = { lock_timeout_ms = 250; retry_interval_s = 0; };\n");
    assert_int_equal(sp_config_load(&c, path, err, sizeof err), SECPROV_OK);
    assert_int_equal(c.tpm_retry_interval_s, 0);
    sp_config_free(&c);
    expect_error("tpm = { retry_interval_s = 86401; };\n", ":1: 'tpm.retry_interval_s' must be 0 to 86400");
    expect_error("tpm = { retry_interval_s = \"1s\"; };\n", ":1: 'tpm.retry_interval_s' must be an integer");
}

/* At most SP_CONFIG_GROUPS_MAX provider groups, so no caller drops one;
 * what config_get hands out is made once however often it is asked. */
static void groups_bounded_and_values_kept(void **state)
{
    (void)state;
    static char text[SP_CONFIG_GROUPS_MAX * 40];
    char want[200];
    size_t n = 0;
    sp_config c;

    for (int i = 0; i < SP_CONFIG_GROUPS_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "p%d = { x = [\"a\", \"b\"]; };\n", i);
    write_conf(text);
    assert_int_equal(sp_config_load(&c, path, err, sizeof err), SECPROV_OK);
    const char *a = NULL, *b = NULL;
    secprov_config_strings la, lb;
    assert_int_equal(sp_config_get(&c, "p1", "state_dir", SECPROV_CONFIG_STRING, &a), SECPROV_OK);
    assert_int_equal(sp_config_get(&c, "p1", "state_dir", SECPROV_CONFIG_STRING, &b), SECPROV_OK);
    assert_string_equal(a, "/var/lib/secprov/p1");
    assert_ptr_equal(a, b);
    assert_int_equal(sp_config_get(&c, "p2", "x", SECPROV_CONFIG_STRINGS, &la), SECPROV_OK);
    assert_int_equal(sp_config_get(&c, "p2", "x", SECPROV_CONFIG_STRINGS, &lb), SECPROV_OK);
    assert_int_equal(la.count, 2);
    assert_string_equal(la.items[1], "b");
    assert_ptr_equal(la.items, lb.items);
    sp_config_free(&c);
    snprintf(text + n, sizeof text - n, "one_more = { };\n");
    snprintf(want, sizeof want, ": %d provider groups, more than the %d allowed",
             SP_CONFIG_GROUPS_MAX + 1, SP_CONFIG_GROUPS_MAX);
    expect_error(text, want);
}

UNIT_MAIN(cmocka_unit_test(missing_default_means_defaults),
          cmocka_unit_test(every_key),
          cmocka_unit_test(errors_name_file_line_and_value),
          cmocka_unit_test(syntax_and_missing_file),
          cmocka_unit_test(retry_key),
          cmocka_unit_test(groups_bounded_and_values_kept))
