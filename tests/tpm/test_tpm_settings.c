/* The tpm provider's own keys of its group (providers/tpm/tpm_settings.c),
 * read as tpm.so reads them: the core's config and env (core/config*.c,
 * core/provider_env.c compiled in), the group's keys checked against
 * tpm_config_keys, then tpm_settings_read. No TPM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "provider_env.h"
#include "secprov.h"
#include "tools/unit.h"
#include "salt_key.h"
#include "tpm_settings.h"

static char path[512];
static char err[700];
static sp_config cfg;
static sp_logger quiet_log = {SECPROV_LOG_NONE, NULL, NULL, 0};

static const char *write_conf(const char *text)
{
    return unit_write_file(path, sizeof path, "tpm.conf", text);
}

/* The config text as tpm.so sees it: SECPROV_OK with *s, or the status
 * with err. cfg stays loaded (free with sp_config_free) on SECPROV_OK. */
static int settings_of(const char *text, tpm_settings *s)
{
    int rc = sp_config_load(&cfg, text != NULL ? write_conf(text) : NULL, err, sizeof err);
    if (rc != SECPROV_OK)
        return rc;
    sp_env_source src = {&quiet_log, &cfg};
    sp_env e;
    if ((rc = sp_config_check_group(&cfg, "tpm", tpm_config_keys, err, sizeof err)) == SECPROV_OK &&
        (rc = sp_env_init(&e, "tpm", &src)) == SECPROV_OK)
        rc = tpm_settings_read(&e.env, s, err, sizeof err);
    if (rc != SECPROV_OK)
        sp_config_free(&cfg);
    return rc;
}

static void expect_error(const char *text, const char *want)
{
    tpm_settings s;
    char full[800];

    assert_int_equal(settings_of(text, &s), SECPROV_ERR_CONFIG);
    snprintf(full, sizeof full, "%s%s", path, want);   /* want starts after the path */
    if (strcmp(err, full) != 0)
        fail_msg("error was '%s', wanted '%s'", err, full);
}

static void defaults(void **state)
{
    (void)state;
    tpm_settings s;

    assert_int_equal(settings_of("tpm = { devices = [\"/nonexistent/tpmrm0\", \"/dev/null\"]; };\n",
                                 &s), SECPROV_OK);
    assert_string_equal(s.tcti, "device:/dev/null");          /* the first present */
    assert_int_equal(s.lock_timeout_ms, 3000);
    assert_int_equal(s.probe_ms, 3000);
    assert_int_equal(s.call_ms, 4000);
    assert_int_equal(s.keep_session, 0);                       /* auto: not a tpmrm */
    assert_string_equal(s.pcrs, "sha256:7");
    sp_config_free(&cfg);
    assert_int_equal(settings_of("tpm = { devices = [\"/nonexistent/tpmrm0\"]; };\n", &s),
                     SECPROV_OK);
    assert_string_equal(s.tcti, "device:/nonexistent/tpmrm0"); /* none present: the first */
    assert_int_equal(s.keep_session, 1);                       /* auto: a tpmrm by name */
    sp_config_free(&cfg);
}

static void every_key(void **state)
{
    (void)state;
    tpm_settings s;

    assert_int_equal(settings_of("tpm = { tcti = \"swtpm:path=/x\"; lock_timeout_ms = 250;"
                                 " resource_manager = \"no\"; probe_timeout_ms = 500;"
                                 " call_timeout_ms = 20000; };\n"
                                 "attest = { pcrs = \"sha256:0,7\"; };\n", &s), SECPROV_OK);
    assert_string_equal(s.tcti, "swtpm:path=/x");
    assert_int_equal(s.lock_timeout_ms, 250);
    assert_int_equal(s.keep_session, 0);
    assert_int_equal(s.probe_ms, 500);
    assert_int_equal(s.call_ms, 20000);
    assert_string_equal(s.pcrs, "sha256:0,7");
    sp_config_free(&cfg);
    assert_int_equal(settings_of("tpm = { resource_manager = \"yes\"; };\n", &s), SECPROV_OK);
    assert_int_equal(s.keep_session, 1);
    sp_config_free(&cfg);
    assert_int_equal(settings_of("tpm = { tcti = \"tabrmd\"; };\n", &s), SECPROV_OK);
    assert_int_equal(s.keep_session, 1);                       /* auto: tabrmd is one */
    sp_config_free(&cfg);
}

/* tpm.resource_manager and the TPM's bounded waits (issue 16). */
static void session_and_timeout_errors(void **state)
{
    (void)state;
    expect_error("tpm = {\n resource_manager = \"maybe\"; };\n",
                 ":2: unknown tpm.resource_manager 'maybe' (auto, yes or no)");
    expect_error("tpm = { resource_manager = true; };\n", ":1: 'tpm.resource_manager' must be a string");
    expect_error("tpm = { call_timeout_ms = 0; };\n",
                 ":1: 'tpm.call_timeout_ms' must be 1 to 600000 (milliseconds), not 0");
    expect_error("tpm = { probe_timeout_ms = 700000; };\n",
                 ":1: 'tpm.probe_timeout_ms' must be 1 to 600000 (milliseconds), not 700000");
    expect_error("tpm = { call_timeout_ms = \"4s\"; };\n", ":1: 'tpm.call_timeout_ms' must be an integer");
}

/* tpm.salt_key (issue 24): auto by default, ecc, rsa; anything else named. */
static void salt_key(void **state)
{
    (void)state;
    tpm_settings s;
    static const struct { const char *conf; tpm_salt_choice want; } good[] = {
        {"tpm = { };\n", TPM_SALT_AUTO},
        {"tpm = { salt_key = \"auto\"; };\n", TPM_SALT_AUTO},
        {"tpm = { salt_key = \"ecc\"; };\n", TPM_SALT_ECC},
        {"tpm = { salt_key = \"rsa\"; };\n", TPM_SALT_RSA},
    };

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(settings_of(good[i].conf, &s), SECPROV_OK);
        assert_int_equal(s.salt_key, good[i].want);
        sp_config_free(&cfg);
    }
    expect_error("tpm = {\n salt_key = \"RSA\"; };\n",
                 ":2: unknown tpm.salt_key 'RSA' (auto, ecc or rsa)");
    expect_error("tpm = { salt_key = \"dsa\"; };\n",
                 ":1: unknown tpm.salt_key 'dsa' (auto, ecc or rsa)");
    expect_error("tpm = { salt_key = 2048; };\n", ":1: 'tpm.salt_key' must be a string");
}

/* auto's table (salt_key.h): the Orin's fTPM (MSFT) rsa, Infineon and
 * swtpm ecc, anything else ecc; and the RSA salt key's template check. */
static void salt_table(void **state)
{
    (void)state;
    const char *why;
    TPM2B_PUBLIC pub = salt_rsa_template;

    assert_int_equal(salt_key_by_tpm(0x4D534654u, 0x20170619u, 0x00163636u, &why), TPM_SALT_RSA);
    assert_non_null(strstr(why, "Jetson Orin"));
    assert_int_equal(salt_key_by_tpm(0x49465800u, 0, 0, &why), TPM_SALT_ECC);
    assert_int_equal(salt_key_by_tpm(0x49424D00u, 0, 0, &why), TPM_SALT_ECC);
    assert_int_equal(salt_key_by_tpm(0x53544D20u, 0, 0, &why), TPM_SALT_ECC);   /* "STM " */
    assert_non_null(strstr(why, "not in the table"));

    pub.publicArea.unique.rsa.size = 256;
    assert_int_equal(salt_key_check_public(&pub, &why), 0);
    pub.publicArea.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;   /* a decryption oracle */
    assert_int_equal(salt_key_check_public(&pub, &why), -1);
    assert_non_null(strstr(why, "attributes"));
    pub = salt_rsa_template;
    pub.publicArea.unique.rsa.size = 128;                          /* RSA-1024 */
    pub.publicArea.parameters.rsaDetail.keyBits = 1024;
    assert_int_equal(salt_key_check_public(&pub, &why), -1);
    assert_string_equal(why, "it is not a 2048-bit key");
    pub = salt_rsa_template;
    pub.publicArea.type = TPM2_ALG_ECC;
    assert_int_equal(salt_key_check_public(&pub, &why), -1);
    assert_string_equal(why, "it is not an RSA key");
}

/* tpm.lock_timeout_ms (issue 12 item 4). */
static void lock_errors(void **state)
{
    (void)state;
    expect_error("tpm = {\n lock_timeout_ms = -1; };\n", ":2: 'tpm.lock_timeout_ms' must be 0 to 600000");
    expect_error("tpm = { lock_timeout_ms = 600001; };\n", ":1: 'tpm.lock_timeout_ms' must be 0 to 600000");
    expect_error("tpm = { lock_timeout_ms = \"3s\"; };\n", ":1: 'tpm.lock_timeout_ms' must be an integer");
    expect_error("tpm = { lock_timeout = 3; };\n", ":1: unknown key 'tpm.lock_timeout'");
    expect_error("tpm = { color = \"red\"; };\n", ":1: unknown key 'tpm.color'");
}

/* tpm.tcti names a TCTI secprov supports, never a library to dlopen. */
static void tcti_names(void **state)
{
    (void)state;
    static const char *const good[] = {"device", "device:/dev/tpmrm0", "swtpm:path=/x",
                                       "mssim:host=localhost,port=2321", "tabrmd:bus_type=system"};
    static const char *const bad[] = {"/tmp/evil.so", "/tmp/evil.so:conf", "libtss2-tcti-device.so.0:/dev/tpm0",
                                      "cmd:tpm2_send", "pcap:device:/dev/tpm0", "evil", "devices:x",
                                      "./libtss2-tcti-evil.so", "libtss2-tcti-swtpm.so"};
    tpm_settings s;
    char text[256];

    assert_int_equal(settings_of("tpm = { tcti = \"\"; devices = [\"/dev/null\"]; };\n", &s),
                     SECPROV_OK);
    assert_string_equal(s.tcti, "device:/dev/null");           /* "" is the default */
    sp_config_free(&cfg);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(text, sizeof text, "tpm = { tcti = \"%s\"; };\n", good[i]);
        assert_int_equal(settings_of(text, &s), SECPROV_OK);
        assert_string_equal(s.tcti, good[i]);
        sp_config_free(&cfg);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "tpm = {\n  tcti = \"%s\";\n};\n", bad[i]);
        assert_int_equal(settings_of(text, &s), SECPROV_ERR_CONFIG);
        assert_non_null(strstr(err, ":2: 'tpm.tcti' names the TCTI"));
    }
}

/* attest.pcrs is checked when tpm.so is loaded, naming file and line. */
static void attest_pcrs(void **state)
{
    (void)state;
    expect_error("\nattest = { pcrs = \"sha256:7,24\"; };\n",
                 ":2: attest.pcrs 'sha256:7,24': PCR numbers are 0 to 23");
    expect_error("attest = { pcrs = \"md5:7\"; };\n",
                 ":1: attest.pcrs 'md5:7': unknown bank 'md5' (sha1, sha256, sha384, sha512)");
}

UNIT_MAIN(cmocka_unit_test(defaults),
          cmocka_unit_test(every_key),
          cmocka_unit_test(session_and_timeout_errors),
          cmocka_unit_test(lock_errors),
          cmocka_unit_test(salt_key),
          cmocka_unit_test(salt_table),
          cmocka_unit_test(tcti_names),
          cmocka_unit_test(attest_pcrs))
