/* The selection rules as a table, with a fake opener: this tests the rules
 * in isolation (which provider is asked for, what is logged, what fails);
 * the same rules against real swtpm instances are in tests/tpm/test_selection.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "secprov.h"
#include "select.h"
#include "tools/unit.h"

struct fake {
    int tpm_rc, legacy_rc;
    char tried[64];
};

static int fake_open(void *ctx, const char *provider, char *why, size_t why_len)
{
    struct fake *f = ctx;
    strcat(f->tried, provider);
    strcat(f->tried, " ");
    int rc = strcmp(provider, "tpm") == 0 ? f->tpm_rc : f->legacy_rc;
    if (rc != SECPROV_OK)
        snprintf(why, why_len, "%s broke", provider);
    return rc;
}

static char logged[2048];
static int warnings;

static void capture(int level, const char *msg, void *user)
{
    (void)user;
    if (level == SECPROV_LOG_WARNING)
        warnings++;
    snprintf(logged + strlen(logged), sizeof logged - strlen(logged), "%d:%s|", level, msg);
}

static const sp_logger logger = {SECPROV_LOG_DEBUG, capture, NULL, 0};

static void wish_precedence(void **state)
{
    (void)state;
    sp_wish w;
    const char *src, *named;
    char err[256];
    assert_int_equal(sp_select_wish("legacy", "tpm", "tpm", &w, &named, &src, err, sizeof err), SECPROV_OK);
    assert_int_equal(w, SP_WISH_LEGACY);
    assert_string_equal(src, "options");
    assert_int_equal(sp_select_wish(NULL, "tpm", "legacy", &w, &named, &src, err, sizeof err), SECPROV_OK);
    assert_int_equal(w, SP_WISH_TPM);
    assert_string_equal(src, "SECURITY_PROVIDER");
    assert_int_equal(sp_select_wish(NULL, NULL, "legacy", &w, &named, &src, err, sizeof err), SECPROV_OK);
    assert_int_equal(w, SP_WISH_LEGACY);
    assert_string_equal(src, "config");
    assert_int_equal(sp_select_wish(NULL, NULL, NULL, &w, &named, &src, err, sizeof err), SECPROV_OK);
    assert_int_equal(w, SP_WISH_AUTO);
    assert_string_equal(src, "default");
    assert_int_equal(sp_select_wish(NULL, "TPM", NULL, &w, &named, &src, err, sizeof err), SECPROV_ERR_CONFIG);
    assert_string_equal(err, "unknown provider 'TPM' in SECURITY_PROVIDER (auto, tpm, legacy or "
                             "the name of an installed provider module: [a-z][a-z0-9_]{0,31}, "
                             "never a path)");
    /* another module's name: a name, never a path */
    assert_int_equal(sp_select_wish("example_file", NULL, NULL, &w, &named, &src, err, sizeof err),
                     SECPROV_OK);
    assert_int_equal(w, SP_WISH_NAMED);
    assert_string_equal(named, "example_file");
    static const char *const refused[] = {"../tpm", "/usr/lib/x.so", "x.so", "Tpm", "1x", "a-b",
                                          "", "abcdefghijklmnopqrstuvwxyz0123456"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(sp_select_wish(refused[i], NULL, NULL, &w, &named, &src, err, sizeof err),
                         SECPROV_ERR_CONFIG);
}

struct row {
    sp_wish wish;
    const char *device;
    int fallback, tpm_rc;
    int want_rc;
    const char *want_provider, *want_tried;
    int want_fell_back, want_warnings;
    const char *want_log;
};

/* One row a line: the table's shorthands. */
#define W_AUTO SP_WISH_AUTO
#define W_TPM SP_WISH_TPM
#define W_LEGACY SP_WISH_LEGACY
#define OK SECPROV_OK
#define E_TPM SECPROV_ERR_TPM
#define E_UNAV SECPROV_ERR_UNAVAILABLE
#define E_BUSY SECPROV_ERR_BUSY
/* wish, device, fallback, the TPM's open status;
 *   want: status, provider, providers tried, fell_back, warnings, log */
static const struct row rows[] = {
    /* auto, device present, TPM works */
    {W_AUTO, "/dev/tpmrm0", 1, OK, OK, "tpm", "tpm ", 0, 0, "2:provider tpm selected (auto: /dev/tpmrm0 present)|"},
    /* auto, device present, TPM fails: one warning, legacy */
    {W_AUTO, "/dev/tpmrm0", 1, E_TPM, OK, "legacy", "tpm legacy ", 1, 1, "3:TPM provider failed (tpm broke); falling back to legacy|"},
    /* auto, fallback = false */
    {W_AUTO, "/dev/tpmrm0", 0, E_TPM, E_UNAV, "tpm", "tpm ", 0, 0, "4:TPM provider failed (tpm broke) and fallback = false|"},
    /* auto, no device: legacy at info, the TPM never touched */
    {W_AUTO, NULL, 1, OK, OK, "legacy", "legacy ", 0, 0, "2:provider legacy selected (auto: no TPM device)|"},
    /* explicit tpm fails: unavailable, never legacy */
    {W_TPM, "/dev/tpm0", 1, E_TPM, E_UNAV, "tpm", "tpm ", 0, 0, "4:TPM provider asked for (SECURITY_PROVIDER) but failed: tpm broke|"},
    /* explicit tpm, no device: still tried, still an error */
    {W_TPM, NULL, 1, E_UNAV, E_UNAV, "tpm", "tpm ", 0, 0, "4:TPM provider asked for (SECURITY_PROVIDER) but failed: tpm broke|"},
    /* auto, the TPM provider's lock held by another process: contention is
     * not failure, BUSY and never legacy (also with fallback = true) */
    {W_AUTO, "/dev/tpmrm0", 1, E_BUSY, E_BUSY, "tpm", "tpm ", 0, 0, "4:TPM provider busy: tpm broke|"},
    /* explicit tpm, lock held elsewhere: BUSY, not UNAVAILABLE */
    {W_TPM, "/dev/tpm0", 1, E_BUSY, E_BUSY, "tpm", "tpm ", 0, 0, "4:TPM provider busy: tpm broke|"},
    /* explicit legacy with a working TPM */
    {W_LEGACY, "/dev/tpmrm0", 1, OK, OK, "legacy", "legacy ", 0, 0, "2:provider legacy selected (SECURITY_PROVIDER)|"},
};
#undef W_AUTO
#undef W_TPM
#undef W_LEGACY
#undef OK
#undef E_TPM
#undef E_UNAV
#undef E_BUSY

static void rules_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        struct fake f = {r->tpm_rc, SECPROV_OK, ""};
        sp_selection sel;
        logged[0] = '\0';
        warnings = 0;
        int rc = sp_select_open(r->wish, NULL, "SECURITY_PROVIDER", r->device, r->fallback, fake_open,
                                &f, &logger, &sel);
        if (rc != r->want_rc || strcmp(sel.provider, r->want_provider) != 0 ||
            strcmp(f.tried, r->want_tried) != 0 || sel.fell_back != r->want_fell_back ||
            warnings != r->want_warnings || strcmp(logged, r->want_log) != 0)
            fail_msg("row %zu: rc %d provider %s tried '%s' fell_back %d warnings %d log '%s'",
                     i, rc, sel.provider, f.tried, sel.fell_back, warnings, logged);
    }
}

static void legacy_failing_too(void **state)
{
    (void)state;
    struct fake f = {SECPROV_ERR_TPM, SECPROV_ERR_PERMISSION, ""};
    sp_selection sel;
    logged[0] = '\0';
    assert_int_equal(sp_select_open(SP_WISH_AUTO, NULL, "default", "/dev/tpm0", 1, fake_open, &f, &logger,
                                    &sel), SECPROV_ERR_PERMISSION);
    assert_string_equal(logged, "4:TPM provider failed (tpm broke), and legacy failed too: legacy broke|");
}

UNIT_MAIN(cmocka_unit_test(wish_precedence),
          cmocka_unit_test(rules_table),
          cmocka_unit_test(legacy_failing_too))
