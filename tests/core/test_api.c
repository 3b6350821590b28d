/* The public API on the legacy provider (no TPM involved): statuses, options,
 * logging, AC-3 (no device -> legacy, libtss2 never loaded), the legacy
 * store's integrity and refusal of planted files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secprov.h"
#include "secprov_legacy.h"
#include "tools/name_rule.h"
#include "tools/unit.h"

static char dir[512], conf[600], store[600];
static char logged[4096];

static void capture(int level, const char *msg, void *user)
{
    (void)user;
    snprintf(logged + strlen(logged), sizeof logged - strlen(logged), "%d:%s|", level, msg);
}

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("SECPROV_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/apiXXXXXX", base ? base : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(conf, sizeof conf, "%s/secprov.conf", dir);
    snprintf(store, sizeof store, "%s/legacy", dir);
    FILE *f = fopen(conf, "w");
    fprintf(f, "tpm = { devices = [\"%s/no-tpmrm0\", \"%s/no-tpm0\"]; state_dir = \"%s/tpm\"; };\n"
               "legacy = { state_dir = \"%s\"; hardware = \"CPU: t. GPU: g. Memory: 1. DriveSerial: s\"; };\n",
            dir, dir, dir, store);
    fclose(f);
    unsetenv("SECURITY_PROVIDER");
    unsetenv("SECPROV_LOG_LEVEL");
    logged[0] = '\0';
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static secprov *open_legacy(void)
{
    secprov_options o = SECPROV_OPTIONS_INIT;
    secprov *sp = NULL;
    o.config_path = conf;
    o.log_fn = capture;
    o.log_level = SECPROV_LOG_INFO;
    assert_int_equal(secprov_open(&sp, &o), SECPROV_OK);
    assert_string_equal(secprov_provider_name(sp), "legacy");
    return sp;
}

/* NAME sealed on SP with VALUE (a string); PATH gets its file's path. */
static void seal_at(secprov *sp, const char *name, const char *value, char *path, size_t path_len)
{
    assert_int_equal(secprov_seal(sp, name, value, strlen(value)), SECPROV_OK);
    snprintf(path, path_len, "%s/%s.sec", store, name);
}

static void statuses(void **state)
{
    (void)state;
    for (int a = SECPROV_ERR_INTERNAL; a <= SECPROV_OK; a++) {
        const char *s = secprov_strerror(a);
        assert_true(strlen(s) > 0);
        assert_string_not_equal(s, "unknown status");
        for (int b = SECPROV_ERR_INTERNAL; b < a; b++)
            assert_string_not_equal(s, secprov_strerror(b));
    }
    assert_string_equal(secprov_strerror(-1000), "unknown status");
    assert_string_equal(secprov_strerror(5), "unknown status");
    assert_string_equal(secprov_version(), "0.1.0");
}

static void names(void **state)
{
    (void)state;
    check_name_rule(secprov_name_check);
}

static void bad_options(void **state)
{
    (void)state;
    secprov_options o = {0};
    secprov *sp = (secprov *)1;
    assert_int_equal(secprov_open(NULL, NULL), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_INVALID_ARG);   /* .size not set */
    assert_null(sp);
    o.size = sizeof o;
    o.config_path = conf;
    o.log_level = 99;
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_INVALID_ARG);
    o.log_level = 0;
    o.provider = "Hsm";                                   /* not a provider name */
    o.log_fn = capture;
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(logged, "unknown provider 'Hsm' in options"));
    o.provider = "hsm";                                   /* a name, no such module */
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(logged, "provider 'hsm' (options) is not installed"));
    setenv("SECPROV_LOG_LEVEL", "chatty", 1);
    o.provider = NULL;
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(logged, "unknown SECPROV_LOG_LEVEL 'chatty'"));
    unsetenv("SECPROV_LOG_LEVEL");
    /* NULL handles */
    assert_null(secprov_provider_name(NULL));
    assert_int_equal(secprov_fell_back(NULL), 0);
    assert_int_equal(secprov_delete(NULL, "x"), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_list(NULL, NULL, NULL), SECPROV_ERR_INVALID_ARG);
    secprov_close(NULL);
    secprov_free(NULL, 10);
}

static int libtss2_loaded(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[1024];
    int found = 0;
    while (fgets(line, sizeof line, f) != NULL)
        found |= strstr(line, "libtss2") != NULL;
    fclose(f);
    return found;
}

static void ac3_no_device_means_legacy_and_no_tss(void **state)
{
    (void)state;
    secprov *sp = open_legacy();
    assert_int_equal(secprov_fell_back(sp), 0);
    assert_null(secprov_fallback_reason(sp));
    assert_string_equal(logged, "2:provider legacy selected (auto: no TPM device)|");
    assert_false(libtss2_loaded());
    struct stat st;
    char tpm_state[600];
    snprintf(tpm_state, sizeof tpm_state, "%s/tpm", dir);
    assert_int_equal(stat(tpm_state, &st), -1);         /* nothing of the TPM's made */
    secprov_close(sp);
}

static void emit(const char *k, const char *v, void *user)
{
    char *out = user;
    snprintf(out + strlen(out), 2048 - strlen(out), "%s=%s\n", k, v);
}

static void info_and_locate(void **state)
{
    (void)state;
    char out[2048] = "", want[2048], where[1024];
    secprov *sp = open_legacy();
    assert_int_equal(secprov_info(sp, emit, out), SECPROV_OK);
    snprintf(want, sizeof want, "provider=legacy\nfallback=no\nstate_dir=%s\nhardware_source=config\n", store);
    assert_string_equal(out, want);
    assert_int_equal(secprov_seal(sp, "k1", "v", 1), SECPROV_OK);
    assert_int_equal(secprov_locate(sp, "k1", where, sizeof where), SECPROV_OK);
    snprintf(want, sizeof want, "file:%s/k1.sec", store);
    assert_string_equal(where, want);
    assert_int_equal(secprov_locate(sp, "nope", where, sizeof where), SECPROV_ERR_NOT_FOUND);
    secprov_close(sp);
}

static void corrupt(const char *file, long off, int len_or_trunc)
{
    int fd = open(file, O_RDWR);
    assert_true(fd >= 0);
    if (len_or_trunc < 0) {
        assert_int_equal(ftruncate(fd, off), 0);
    } else {
        unsigned char b;
        assert_int_equal(pread(fd, &b, 1, off), 1);
        b ^= 0x01;
        assert_int_equal(pwrite(fd, &b, 1, off), 1);
    }
    close(fd);
}

static void integrity_of_the_store(void **state)
{
    (void)state;
    char a[700], b[700];
    void *out;
    size_t len;
    secprov *sp = open_legacy();
    seal_at(sp, "alpha", "secret-alpha", a, sizeof a);
    seal_at(sp, "beta", "secret-beta", b, sizeof b);

    struct stat st;
    assert_int_equal(stat(store, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(a, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    for (long off = 0; off < 64; off += 7) {           /* header, salt, nonce, tag, data */
        corrupt(a, off, 1);
        assert_int_equal(secprov_unseal(sp, "alpha", &out, &len), SECPROV_ERR_INTEGRITY);
        corrupt(a, off, 1);                             /* flip back */
    }
    assert_int_equal(secprov_unseal(sp, "alpha", &out, &len), SECPROV_OK);
    assert_memory_equal(out, "secret-alpha", 12);
    secprov_free(out, len);

    assert_int_equal(rename(a, b), 0);                  /* moved to another name */
    assert_int_equal(secprov_unseal(sp, "beta", &out, &len), SECPROV_ERR_INTEGRITY);
    assert_non_null(strstr(logged, "failed its integrity check"));
    assert_int_equal(secprov_seal(sp, "alpha", "secret-alpha", 12), SECPROV_OK);
    corrupt(a, 40, -1);                                 /* truncated */
    assert_int_equal(secprov_unseal(sp, "alpha", &out, &len), SECPROV_ERR_INTEGRITY);
    assert_null(out);
    corrupt(a, 0, -1);                                  /* empty */
    assert_int_equal(secprov_unseal(sp, "alpha", &out, &len), SECPROV_ERR_INTEGRITY);
    secprov_close(sp);
}

static void planted_files_refused(void **state)
{
    (void)state;
    char a[700];
    void *out;
    size_t len;
    secprov *sp = open_legacy();
    seal_at(sp, "gamma", "g", a, sizeof a);
    assert_int_equal(chmod(a, 0660), 0);                /* group-writable */
    assert_int_equal(secprov_unseal(sp, "gamma", &out, &len), SECPROV_ERR_PERMISSION);
    assert_int_equal(chmod(a, 0600), 0);
    assert_int_equal(secprov_unseal(sp, "gamma", &out, &len), SECPROV_OK);
    secprov_free(out, len);
    char target[700];
    snprintf(target, sizeof target, "%s/elsewhere.sec", dir);
    assert_int_equal(rename(a, target), 0);
    assert_int_equal(symlink(target, a), 0);            /* symlink: not followed */
    assert_int_equal(secprov_unseal(sp, "gamma", &out, &len), SECPROV_ERR_PERMISSION);
    secprov_close(sp);
}

/* secprov_last_error: the failed call's error line on this thread, also
 * when logging is off and for an open that returned no handle; cleared by
 * the next call. */
static void last_error_text(void **state)
{
    (void)state;
    secprov_options o = SECPROV_OPTIONS_INIT;
    void *out;
    size_t len;
    secprov *sp = NULL;
    o.config_path = "/nonexistent/secprov.conf";
    o.log_level = SECPROV_LOG_NONE;
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(secprov_last_error(), "/nonexistent/secprov.conf"));
    sp = open_legacy();
    assert_int_equal(secprov_unseal(sp, "absent", &out, &len), SECPROV_ERR_NOT_FOUND);
    char a[700];
    seal_at(sp, "present", "x", a, sizeof a);
    assert_string_equal(secprov_last_error(), "");
    assert_int_equal(chmod(a, 0666), 0);
    assert_int_equal(secprov_unseal(sp, "present", &out, &len), SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(secprov_last_error(), "present"));
    assert_int_equal(secprov_delete(sp, "present"), SECPROV_OK);
    assert_string_equal(secprov_last_error(), "");
    secprov_close(sp);
}

/* The legacy scheme's handle reads options, environment and config by the
 * same rules as secprov_open (core/options.c): a bad SECPROV_LOG_LEVEL, a
 * missing explicit config and the config's log_level reach it too. */
static void legacy_handle_same_options(void **state)
{
    (void)state;
    secprov_options o = SECPROV_OPTIONS_INIT;
    secprov_legacy *lg = NULL;
    char hash[SECPROV_LEGACY_KEY_LEN + 1];
    o.log_fn = capture;
    o.config_path = conf;
    setenv("SECPROV_LOG_LEVEL", "chatty", 1);
    assert_int_equal(secprov_legacy_open(&lg, &o), SECPROV_ERR_CONFIG);
    assert_null(lg);
    assert_non_null(strstr(logged, "unknown SECPROV_LOG_LEVEL 'chatty'"));
    unsetenv("SECPROV_LOG_LEVEL");
    o.config_path = "/nonexistent/secprov.conf";
    assert_int_equal(secprov_legacy_open(&lg, &o), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(secprov_last_error(), "/nonexistent/secprov.conf"));
    o.config_path = conf;                              /* legacy.hardware from it */
    assert_int_equal(secprov_legacy_open(&lg, &o), SECPROV_OK);
    assert_int_equal(secprov_legacy_hw_hash(lg, NULL, hash), SECPROV_OK);
    char want[SECPROV_LEGACY_KEY_LEN + 1];
    assert_int_equal(secprov_legacy_hw_hash(lg, "CPU: t. GPU: g. Memory: 1. DriveSerial: s", want),
                     SECPROV_OK);
    assert_string_equal(hash, want);
    secprov_legacy_close(lg);
}

/* secprov_options.config_text: the program's config without a file. It
 * is read as the file would be (the same keys, messages name
 * "config_text:LINE"), wins over $SECPROV_CONFIG, and is refused together
 * with config_path; @include and an oversized text are refused; a size
 * that ends before the field (an older caller) means a file is read. */
static void config_from_text(void **state)
{
    (void)state;
    char text[1200], secret[] = "from-text";
    secprov_options o = SECPROV_OPTIONS_INIT;
    secprov *sp = NULL;
    void *out;
    size_t len;
    FILE *f = fopen(conf, "r");
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    o.config_text = text;
    o.log_fn = capture;
    setenv("SECPROV_CONFIG", "/nonexistent/ignored.conf", 1);   /* config_text wins */
    assert_int_equal(secprov_open(&sp, &o), SECPROV_OK);
    unsetenv("SECPROV_CONFIG");
    assert_string_equal(secprov_provider_name(sp), "legacy");
    assert_int_equal(secprov_seal(sp, "t1", secret, strlen(secret)), SECPROV_OK);
    secprov_close(sp);
    sp = open_legacy();                                /* the same store, from the file */
    assert_int_equal(secprov_unseal(sp, "t1", &out, &len), SECPROV_OK);
    assert_memory_equal(out, secret, strlen(secret));
    secprov_free(out, len);
    secprov_close(sp);

    o.config_path = conf;                              /* both: refused */
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_INVALID_ARG);
    assert_null(sp);
    assert_non_null(strstr(secprov_last_error(), "config_text and config_path"));
    o.config_path = NULL;
    o.config_text = "provider = \"legacy\";\nbogus_key = 1;\n";
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(secprov_last_error(), "config_text:2"));
    o.config_text = "  @include \"/etc/passwd\"\n";
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(secprov_last_error(), "@include is not allowed"));
    char *big = malloc((1 << 20) + 2);
    memset(big, ' ', (1 << 20) + 1);
    big[(1 << 20) + 1] = '\0';
    o.config_text = big;
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(secprov_last_error(), "config_text: more than"));
    free(big);
    /* An older caller's struct ends before config_text: never read. */
    o.config_text = "this is not libconfig";
    o.config_path = conf;
    o.size = offsetof(secprov_options, config_text);
    assert_int_equal(secprov_open(&sp, &o), SECPROV_OK);
    secprov_close(sp);
}

/* An empty secret is refused saying why; SECPROV_OPT_ERRORS_RETURNED keeps
 * error lines out of the log (only in secprov_last_error) and lower lines
 * in it; an unknown flag is INVALID_ARG. A line the core logs never starts
 * with what the caller's own message starts with ("seal 'x':"). */
static void errors_returned_only(void **state)
{
    (void)state;
    secprov_options o = SECPROV_OPTIONS_INIT;
    secprov *sp = open_legacy();
    void *out;
    size_t len;
    assert_int_equal(secprov_seal(sp, "empty", "", 0), SECPROV_ERR_INVALID_ARG);
    assert_non_null(strstr(secprov_last_error(), "an empty secret (0 bytes) is refused for "
                                                 "'empty': a secret is 1 byte to 16 MiB"));
    assert_non_null(strstr(logged, "an empty secret"));
    secprov_close(sp);

    o.config_path = conf;
    o.log_fn = capture;
    o.log_level = SECPROV_LOG_DEBUG;
    o.flags = 2;
    assert_int_equal(secprov_open(&sp, &o), SECPROV_ERR_INVALID_ARG);
    o.flags = SECPROV_OPT_ERRORS_RETURNED;
    logged[0] = '\0';
    assert_int_equal(secprov_open(&sp, &o), SECPROV_OK);
    logged[0] = '\0';
    char a[700];
    seal_at(sp, "present", "x", a, sizeof a);
    assert_int_equal(chmod(a, 0666), 0);
    assert_int_equal(secprov_unseal(sp, "present", &out, &len), SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(secprov_last_error(), "present"));
    assert_null(strstr(logged, "4:"));                 /* no error line logged */
    assert_int_equal(secprov_seal(sp, "empty", "", 0), SECPROV_ERR_INVALID_ARG);
    assert_non_null(strstr(secprov_last_error(), "empty secret"));
    assert_null(strstr(logged, "empty secret"));
    assert_int_equal(strncmp(secprov_last_error(), "seal 'empty'", 12) != 0, 1);
    secprov_close(sp);
}

UNIT_MAIN(cmocka_unit_test(statuses),
          cmocka_unit_test(names),
          fixture_test(bad_options),
          fixture_test(ac3_no_device_means_legacy_and_no_tss),
          fixture_test(info_and_locate),
          fixture_test(integrity_of_the_store),
          fixture_test(planted_files_refused),
          fixture_test(last_error_text),
          fixture_test(legacy_handle_same_options),
          fixture_test(config_from_text),
          fixture_test(errors_returned_only))
