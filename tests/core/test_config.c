/* The config file: defaults, every key, and errors that name file and line.
 * Compiled with core/config.c and core/log.c directly. */
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
    const char *dir = getenv("SECPROV_TEST_TMP");
    snprintf(path, sizeof path, "%s/test.conf", dir ? dir : "/tmp");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void missing_default_means_defaults(void **state)
{
    (void)state;
    sp_config c;
    /* The default path does not exist on a test machine: all defaults. */
    assert_int_equal(sp_config_load(&c, NULL, err, sizeof err), SECPROV_OK);
    assert_null(c.provider);
    assert_int_equal(c.fallback, 1);
    assert_int_equal(c.log_level, 0);
    assert_int_equal(c.tpm_device_count, 2);
    assert_string_equal(c.tpm_devices[0], "/dev/tpmrm0");
    assert_string_equal(c.tpm_devices[1], "/dev/tpm0");
    assert_string_equal(c.tpm_tcti, "");
    assert_string_equal(c.tpm_state_dir, "/var/lib/secprov/tpm");
    assert_string_equal(c.legacy_state_dir, "/var/lib/secprov/legacy");
    assert_string_equal(c.legacy_hardware, "");
    assert_int_equal(c.tpm_lock_timeout_ms, 3000);
    assert_int_equal(c.tpm_retry_interval_s, 60);
    sp_config_free(&c);
}

static void every_key(void **state)
{
    (void)state;
    sp_config c;
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
    assert_string_equal(c.tpm_tcti, "swtpm:path=/x");
    assert_string_equal(c.tpm_state_dir, "/s/tpm");
    assert_string_equal(c.legacy_state_dir, "/s/legacy");
    assert_string_equal(c.legacy_hardware, "CPU: x");
    assert_string_equal(c.path, path);
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
    expect_error("tpm = { color = \"red\"; };\n", ":1: unknown key 'tpm.color'");
    expect_error("legacy = { state_dir = \"\"; };\n", ": a state_dir must not be empty");
    assert_int_equal(sp_config_load(&c, "/nonexistent/secprov.conf", err, sizeof err),
                     SECPROV_ERR_CONFIG);
    snprintf(want, sizeof want, "/nonexistent/secprov.conf: cannot read config file: "
             "No such file or directory");
    assert_string_equal(err, want);
}

/* tpm.resource_manager and the TPM's bounded waits (issue 16). */
static void tpm_session_and_timeout_keys(void **state)
{
    (void)state;
    sp_config c;
    assert_int_equal(sp_config_load(&c, NULL, err, sizeof err), SECPROV_OK);
    assert_int_equal(c.tpm_resource_manager, SECPROV_TPM_RM_AUTO);
    assert_int_equal(c.tpm_probe_timeout_ms, 3000);
    assert_int_equal(c.tpm_call_timeout_ms, 4000);
    sp_config_free(&c);
    write_conf("tpm = { resource_manager = \"no\"; probe_timeout_ms = 500;"
               " call_timeout_ms = 20000; };\n");
    assert_int_equal(sp_config_load(&c, path, err, sizeof err), SECPROV_OK);
    assert_int_equal(c.tpm_resource_manager, SECPROV_TPM_RM_NO);
    assert_int_equal(c.tpm_probe_timeout_ms, 500);
    assert_int_equal(c.tpm_call_timeout_ms, 20000);
    sp_config_free(&c);
    write_conf("tpm = { resource_manager = \"yes\"; };\n");
    assert_int_equal(sp_config_load(&c, path, err, sizeof err), SECPROV_OK);
    assert_int_equal(c.tpm_resource_manager, SECPROV_TPM_RM_YES);
    sp_config_free(&c);
    expect_error("tpm = {\n resource_manager = \"maybe\"; };\n",
                 ":2: unknown tpm.resource_manager 'maybe' (auto, yes or no)");
    expect_error("tpm = { resource_manager = true; };\n", ":1: 'tpm.resource_manager' must be a string");
    expect_error("tpm = { call_timeout_ms = 0; };\n",
                 ":1: 'tpm.call_timeout_ms' must be 1 to 600000 (milliseconds), not 0");
    expect_error("tpm = { probe_timeout_ms = 700000; };\n",
                 ":1: 'tpm.probe_timeout_ms' must be 1 to 600000 (milliseconds), not 700000");
    expect_error("tpm = { call_timeout_ms = \"4s\"; };\n", ":1: 'tpm.call_timeout_ms' must be an integer");
}

/* tpm.lock_timeout_ms and tpm.retry_interval_s (issue 12 item 4). */
static void lock_and_retry_keys(void **state)
{
    (void)state;
    sp_config c;
    write_conf("tpm = { lock_timeout_ms = 250; retry_interval_s = 0; };\n");
    assert_int_equal(sp_config_load(&c, path, err, sizeof err), SECPROV_OK);
    assert_int_equal(c.tpm_lock_timeout_ms, 250);
    assert_int_equal(c.tpm_retry_interval_s, 0);
    sp_config_free(&c);
    expect_error("tpm = {\n lock_timeout_ms = -1; };\n", ":2: 'tpm.lock_timeout_ms' must be 0 to 600000");
    expect_error("tpm = { lock_timeout_ms = 600001; };\n", ":1: 'tpm.lock_timeout_ms' must be 0 to 600000");
    expect_error("tpm = { retry_interval_s = 86401; };\n", ":1: 'tpm.retry_interval_s' must be 0 to 86400");
    expect_error("tpm = { lock_timeout_ms = \"3s\"; };\n", ":1: 'tpm.lock_timeout_ms' must be an integer");
    expect_error("tpm = { lock_timeout = 3; };\n", ":1: unknown key 'tpm.lock_timeout'");
}

UNIT_MAIN(cmocka_unit_test(missing_default_means_defaults),
          cmocka_unit_test(every_key),
          cmocka_unit_test(errors_name_file_line_and_value),
          cmocka_unit_test(syntax_and_missing_file),
          cmocka_unit_test(tpm_session_and_timeout_keys),
          cmocka_unit_test(lock_and_retry_keys))
