/*
 * The trust rule for code and configuration files (core/host_env.c), the
 * config file's type/size checks (core/config_file.c) and the state_dir
 * rule (core/config_groups.c), and the filling of closed standard fds.
 * Compiled with the core's config reader directly. The tcti rule is the
 * tpm provider's: tests/tpm/test_tpm_settings.c. The cases that need another owner (chown) need root: they
 * print "SKIP" and pass vacuously otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config.h"
#include "host_env.h"
#include "secprov.h"

#define NOBODY 65534

static char tmp[1024], why[700], real[PATH_MAX];

static const char *at(const char *rel)
{
    static char p[4][PATH_MAX];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", tmp, rel);
    return p[i];
}

static void put(const char *rel, const char *text, mode_t mode)
{
    FILE *f = fopen(at(rel), "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(at(rel), mode), 0);
}

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("SECPROV_TEST_TMP");
    snprintf(tmp, sizeof tmp, "%s/trust.XXXXXX", base ? base : "/tmp");
    assert_non_null(mkdtemp(tmp));
    return 0;
}

static struct stat st_of(uid_t uid, mode_t mode)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_uid = uid;
    st.st_mode = mode;
    return st;
}

static struct stat st_ofg(uid_t uid, gid_t gid, mode_t mode)
{
    struct stat st = st_of(uid, mode);
    st.st_gid = gid;
    return st;
}

/* The rule itself, on made-up stat results. */
static void rule_owner_and_mode(void **state)
{
    (void)state;
    struct stat st;
    char w[128];
    st = st_of(0, S_IFREG | 0644);      assert_true(sp_trust_rule(&st, 0, 1000, w, sizeof w));
    st = st_of(1000, S_IFREG | 0600);   assert_true(sp_trust_rule(&st, 0, 1000, w, sizeof w));
    st = st_of(1001, S_IFREG | 0644);   assert_false(sp_trust_rule(&st, 0, 1000, w, sizeof w));
    assert_non_null(strstr(w, "owned by uid 1001"));
    /* Group-writable: only the owner's own group (root:root here). */
    st = st_of(0, S_IFREG | 0664);      assert_true(sp_trust_rule(&st, 0, 1000, w, sizeof w));
    st = st_ofg(0, NOBODY, S_IFREG | 0664);
    assert_false(sp_trust_rule(&st, 0, 1000, w, sizeof w));
    assert_non_null(strstr(w, "its group gid 65534"));
    st = st_of(0, S_IFREG | 0646);      assert_false(sp_trust_rule(&st, 0, 1000, w, sizeof w));
    assert_non_null(strstr(w, "others"));
    /* Sticky helps a folder above, never the object itself. */
    st = st_of(0, S_IFDIR | 01777);     assert_true(sp_trust_rule(&st, 1, 1000, w, sizeof w));
    st = st_of(0, S_IFDIR | 01777);     assert_false(sp_trust_rule(&st, 0, 1000, w, sizeof w));
    st = st_of(0, S_IFDIR | 0777);      assert_false(sp_trust_rule(&st, 1, 1000, w, sizeof w));
    assert_non_null(strstr(w, "not sticky"));
    st = st_of(0, S_IFDIR | 0775);      assert_true(sp_trust_rule(&st, 1, 1000, w, sizeof w));
    st = st_ofg(0, NOBODY, S_IFDIR | 0775);
    assert_false(sp_trust_rule(&st, 1, 1000, w, sizeof w));
    assert_non_null(strstr(w, "not sticky"));
    st = st_of(0, S_IFDIR | 0777);      assert_false(sp_trust_rule(&st, 0, 1000, w, sizeof w));
    /* A sticky folder owned by someone else: they could rename what is in it. */
    st = st_of(1001, S_IFDIR | 01777);  assert_false(sp_trust_rule(&st, 1, 1000, w, sizeof w));
    /* Root is always trusted, whatever the euid. */
    st = st_of(0, S_IFDIR | 0755);      assert_true(sp_trust_rule(&st, 1, 0, w, sizeof w));
    st = st_of(NOBODY, S_IFREG | 0644); assert_false(sp_trust_rule(&st, 0, 0, w, sizeof w));
}

/* Group-writable is trusted only for the owner's private group: gid 0 for
 * root; else the owner's primary group when it bears the owner's name
 * (daemon:daemon on Debian), never a shared primary group (nobody's is
 * nogroup) nor any other group. */
static void rule_owners_group(void **state)
{
    (void)state;
    struct stat st;
    char w[128];
    assert_true(sp_group_is_owners(0, 0));
    assert_false(sp_group_is_owners(0, 1));
    assert_false(sp_group_is_owners(NOBODY, NOBODY));     /* nobody:nogroup */
    struct passwd *pw = getpwnam("daemon");
    struct group *gr = pw != NULL ? getgrgid(pw->pw_gid) : NULL;
    if (gr == NULL || strcmp(gr->gr_name, "daemon") != 0) {
        printf("SKIP private groups: no daemon:daemon account here\n");
        return;
    }
    uid_t u = pw->pw_uid;
    gid_t g = pw->pw_gid;
    assert_true(sp_group_is_owners(u, g));
    assert_false(sp_group_is_owners(u, g + 1));
    assert_false(sp_group_is_owners(u, 0));
    st = st_ofg(u, g, S_IFREG | 0664);  assert_true(sp_trust_rule(&st, 0, u, w, sizeof w));
    st = st_ofg(u, g, S_IFDIR | 0775);  assert_true(sp_trust_rule(&st, 1, u, w, sizeof w));
    st = st_ofg(u, g + 1, S_IFREG | 0664);
    assert_false(sp_trust_rule(&st, 0, u, w, sizeof w));
    st = st_ofg(u, 0, S_IFDIR | 0775);  assert_false(sp_trust_rule(&st, 1, u, w, sizeof w));
    st = st_ofg(u, g, S_IFREG | 0666);  assert_false(sp_trust_rule(&st, 0, u, w, sizeof w));
    assert_non_null(strstr(w, "others"));
    st = st_ofg(NOBODY, NOBODY, S_IFREG | 0664);
    assert_false(sp_trust_rule(&st, 0, NOBODY, w, sizeof w));
}

/* The rule on real paths: the object, each folder above, symlinks resolved. */
static void check_real_paths(void **state)
{
    (void)state;
    assert_int_equal(chmod(tmp, 0755), 0);
    put("good.so", "x", 0644);
    assert_int_equal(sp_trust_check(at("good.so"), SP_TRUST_FILE, real, why, sizeof why), SECPROV_OK);
    assert_int_equal(sp_trust_check(tmp, SP_TRUST_DIR, real, why, sizeof why), SECPROV_OK);

    put("gw.so", "x", 0664);
    if (getegid() == 0 || sp_group_is_owners(geteuid(), getegid())) {
        /* A file of a release tarball extracted as root, or of a umask-002
         * tree with a private group: trusted. */
        assert_int_equal(sp_trust_check(at("gw.so"), SP_TRUST_FILE, real, why, sizeof why),
                         SECPROV_OK);
    }
    put("ww.so", "x", 0666);
    assert_int_equal(sp_trust_check(at("ww.so"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, at("ww.so")));
    assert_non_null(strstr(why, "writable by others"));

    assert_int_equal(sp_trust_check(at("absent.so"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_NOT_FOUND);
    assert_int_equal(sp_trust_check(tmp, SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, "is a folder"));

    /* A world-writable folder above, not sticky: refused, naming the folder. */
    assert_int_equal(mkdir(at("open"), 0755), 0);
    assert_int_equal(chmod(at("open"), 0777), 0);
    put("open/m.so", "x", 0644);
    assert_int_equal(sp_trust_check(at("open/m.so"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, "the folder "));
    assert_non_null(strstr(why, at("open")));
    /* The same folder sticky: no one else can rename what root/euid owns there. */
    assert_int_equal(chmod(at("open"), 01777), 0);
    assert_int_equal(sp_trust_check(at("open/m.so"), SP_TRUST_FILE, real, why, sizeof why), SECPROV_OK);
    /* ... but the folder as the object checked is refused (anyone adds files). */
    assert_int_equal(sp_trust_check(at("open"), SP_TRUST_DIR, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);

    /* A symlink in a world-writable folder to a good file: the file is
     * checked and its resolved path returned (open that, not the link). */
    assert_int_equal(chmod(at("open"), 0777), 0);
    assert_int_equal(symlink(at("good.so"), at("open/link.so")), 0);
    assert_int_equal(sp_trust_check(at("open/link.so"), SP_TRUST_FILE, real, why, sizeof why), SECPROV_OK);
    char want[PATH_MAX];
    assert_non_null(realpath(at("good.so"), want));
    assert_string_equal(real, want);
    /* A symlink in a good folder to a file in the world-writable one: refused. */
    assert_int_equal(symlink(at("open/m.so"), at("to-open.so")), 0);
    assert_int_equal(sp_trust_check(at("to-open.so"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);

    assert_int_equal(mkfifo(at("fifo"), 0600), 0);
    assert_int_equal(sp_trust_check(at("fifo"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, "is a fifo"));
}

static void check_other_owner(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        printf("SKIP other owners: needs root (chown)\n");
        return;
    }
    put("nobody.so", "x", 0644);
    assert_int_equal(chown(at("nobody.so"), NOBODY, NOBODY), 0);
    assert_int_equal(sp_trust_check(at("nobody.so"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, "owned by uid 65534"));
    /* A folder of another user above a root-owned file: they could swap it. */
    assert_int_equal(mkdir(at("theirs"), 0755), 0);
    put("theirs/m.so", "x", 0644);
    assert_int_equal(chown(at("theirs"), NOBODY, NOBODY), 0);
    assert_int_equal(sp_trust_check(at("theirs/m.so"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, at("theirs")));
    /* A sticky world-writable folder owned by root, file of another user: refused. */
    assert_int_equal(mkdir(at("sticky"), 0755), 0);
    assert_int_equal(chmod(at("sticky"), 01777), 0);
    put("sticky/m.so", "x", 0644);
    assert_int_equal(chown(at("sticky/m.so"), NOBODY, NOBODY), 0);
    assert_int_equal(sp_trust_check(at("sticky/m.so"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);
    /* Root's file and folder, 0664/0775: trusted with group root, refused
     * with a group another user may be in (nogroup), naming what is wrong. */
    assert_int_equal(mkdir(at("grp"), 0755), 0);
    assert_int_equal(chmod(at("grp"), 0775), 0);
    put("grp/m.so", "x", 0664);
    assert_int_equal(chown(at("grp"), 0, 0), 0);
    assert_int_equal(chown(at("grp/m.so"), 0, 0), 0);
    assert_int_equal(sp_trust_check(at("grp/m.so"), SP_TRUST_FILE, real, why, sizeof why), SECPROV_OK);
    assert_int_equal(chown(at("grp/m.so"), 0, NOBODY), 0);
    assert_int_equal(sp_trust_check(at("grp/m.so"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, "writable by its group gid 65534"));
    assert_int_equal(chown(at("grp/m.so"), 0, 0), 0);
    assert_int_equal(chown(at("grp"), 0, NOBODY), 0);
    assert_int_equal(sp_trust_check(at("grp/m.so"), SP_TRUST_FILE, real, why, sizeof why),
                     SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, at("grp")));
    assert_non_null(strstr(why, "gid 65534"));
    sp_config c;
    char err[600];
    put("grp.conf", "provider = \"legacy\";\n", 0664);
    assert_int_equal(chown(at("grp.conf"), 0, NOBODY), 0);
    assert_int_equal(sp_config_load(&c, at("grp.conf"), err, sizeof err), SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(err, "writable by its group gid 65534"));
}

/* Config files: the trust rule (PERMISSION), not a regular file or too
 * large (CONFIG, before it is opened: a fifo would block). */
/* REL's config (put first with TEXT unless that is NULL) loads with status
 * WANT, its error message containing SAYS (unless NULL); a loaded one is freed. */
/* REL (under the scratch folder) made of LEN bytes of DATA, NULs and all. */
static void put_bytes(const char *rel, const void *data, size_t len)
{
    FILE *f = fopen(at(rel), "w");
    assert_non_null(f);
    fwrite(data, 1, len, f);
    assert_int_equal(fclose(f), 0);
}

static void load_is(const char *rel, const char *text, int want, const char *says)
{
    sp_config c;
    char err[600];

    if (text != NULL)
        put(rel, text, 0644);
    assert_int_equal(sp_config_load(&c, at(rel), err, sizeof err), want);
    if (says != NULL)
        assert_non_null(strstr(err, says));
    if (want == SECPROV_OK)
        sp_config_free(&c);
}

static void config_files(void **state)
{
    (void)state;
    sp_config c;
    char err[600];

    put("ok.conf", "provider = \"legacy\";\n", 0644);
    assert_int_equal(sp_config_load(&c, at("ok.conf"), err, sizeof err), SECPROV_OK);
    sp_config_free(&c);

    put("ww.conf", "provider = \"legacy\";\n", 0602);
    assert_int_equal(sp_config_load(&c, at("ww.conf"), err, sizeof err), SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(err, at("ww.conf")));
    /* Group-writable by the owner's own group (root:root, or a private
     * group): the same rule as for modules; another group: check_other_owner. */
    put("gw.conf", "provider = \"legacy\";\n", 0664);
    if (getegid() == 0 || sp_group_is_owners(geteuid(), getegid())) {
        assert_int_equal(sp_config_load(&c, at("gw.conf"), err, sizeof err), SECPROV_OK);
        sp_config_free(&c);
    }

    assert_int_equal(mkfifo(at("c.fifo"), 0644), 0);
    alarm(5);                           /* the unfixed code blocks on the fifo */
    assert_int_equal(sp_config_load(&c, at("c.fifo"), err, sizeof err), SECPROV_ERR_CONFIG);
    alarm(0);
    assert_non_null(strstr(err, at("c.fifo")));
    assert_non_null(strstr(err, "is a fifo"));

    assert_int_equal(mkdir(at("c.dir"), 0755), 0);
    assert_int_equal(sp_config_load(&c, at("c.dir"), err, sizeof err), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(err, "is a folder"));
    assert_null(strstr(err, "Success"));

    assert_int_equal(sp_config_load(&c, "/dev/null", err, sizeof err), SECPROV_ERR_CONFIG);
    assert_non_null(strstr(err, "/dev/null: is a device"));

    /* 1 MiB is allowed, one byte more is not. */
    char *big = malloc(SP_CONFIG_MAX);
    assert_non_null(big);
    for (int i = 0; i < SP_CONFIG_MAX - 1; i++)
        big[i] = i % 64 == 63 ? '\n' : ' ';
    big[SP_CONFIG_MAX - 1] = '\n';
    put_bytes("big.conf", big, SP_CONFIG_MAX);
    free(big);
    load_is("big.conf", NULL, SECPROV_OK, NULL);
    assert_int_equal(truncate(at("big.conf"), SP_CONFIG_MAX + 1), 0);
    load_is("big.conf", NULL, SECPROV_ERR_CONFIG, "more than the 1048576 allowed");
}

/* FAPI expands a path starting with ~ or $HOME from the environment. */
static void config_state_dir_home(void **state)
{
    (void)state;
    load_is("home.conf", "tpm = {\n  state_dir = \"~/tpm\";\n};\n", SECPROV_ERR_CONFIG,
            ":2: 'tpm.state_dir' starts with ~ or $HOME");
    load_is("home.conf", "tpm = { state_dir = \"$HOME/tpm\"; };\n", SECPROV_ERR_CONFIG, NULL);
    load_is("home.conf", "tpm = { state_dir = \"/var/lib/x~y\"; };\n", SECPROV_OK, NULL);
}

/* @include would read a file the trust rule never saw; a NUL would cut the text. */
static void config_include_and_nul(void **state)
{
    (void)state;
    load_is("inc.conf", "provider = \"legacy\";\n  @include \"other.conf\"\n", SECPROV_ERR_CONFIG,
            ":2: @include is not allowed");
    load_is("str.conf", "legacy = { hardware = \"x @include y\"; };\n", SECPROV_OK, NULL);
    put_bytes("nul.conf", "provider = \"legacy\";\n\0provider = 1;\n", 37);
    load_is("nul.conf", NULL, SECPROV_ERR_CONFIG, "contains a NUL byte");
}

static int fd_is_devnull(int fd)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat("/dev/null", &b) == 0 && a.st_rdev == b.st_rdev &&
           S_ISCHR(a.st_mode);
}

/* Closed 0, 1, 2 (each combination) are filled with /dev/null; open ones stay. */
static void std_fds_filled(void **state)
{
    (void)state;
    int keep[3];

    for (int i = 0; i < 3; i++)
        keep[i] = fcntl(i, F_DUPFD_CLOEXEC, 10);
    for (int mask = 1; mask < 8; mask++) {
        for (int i = 0; i < 3; i++)
            if (mask & (1 << i))
                close(i);
        assert_int_equal(sp_std_fds_fill(why, sizeof why), SECPROV_OK);
        for (int i = 0; i < 3; i++) {
            if (mask & (1 << i))
                assert_true(fd_is_devnull(i));
            assert_true(fcntl(i, F_GETFD) >= 0);
        }
        int next = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(next > 2);
        close(next);
        for (int i = 0; i < 3; i++)
            if (keep[i] >= 0)
                dup2(keep[i], i);
    }
}

static void env_outside_privilege(void **state)
{
    (void)state;
    assert_int_equal(sp_env_secure(), 0);
    setenv("SECPROV_T", "v", 1);
    assert_string_equal(sp_env_get("SECPROV_T"), "v");
    setenv("SECPROV_T", "", 1);
    assert_null(sp_env_get("SECPROV_T"));
    /* Not privileged: tpm2-tss's variables are the operator's to set. */
    setenv("TSS2_LOGFILE", "/x", 1);
    sp_env_tss_scrub();
    assert_string_equal(getenv("TSS2_LOGFILE"), "/x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rule_owner_and_mode), cmocka_unit_test(rule_owners_group),
        cmocka_unit_test(check_real_paths),
        cmocka_unit_test(check_other_owner), cmocka_unit_test(config_files),
        cmocka_unit_test(config_include_and_nul), cmocka_unit_test(config_state_dir_home),
        cmocka_unit_test(std_fds_filled),
        cmocka_unit_test(env_outside_privilege),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
