/*
 * secprov legacy ...: the legacy scheme's operations for operators.
 *
 *   hw-hash [--hardware STRING]          no flag: this device's fingerprint
 *   fingerprint                          the collected fingerprint string
 *   api-key --email E --hw-hash H --password-file F
 *   resource-key
 *   encrypt --key-file F [IN [OUT]]      IN/OUT default to stdin/stdout
 *   decrypt --key-file F [IN [OUT]]
 *   split --small SMALL_OUT --big BIG_OUT [IN]
 *   join --small SMALL --big BIG [OUT]
 *   archive-decrypt --fragment-file F [IN [OUT]]
 *
 * A key or password file holds it on its first line (the newline is not
 * part of it). An OUT file is written to a temp file beside it and renamed
 * only on success: a failure leaves no partial OUT behind. An OUT that is a
 * device or fifo (/dev/null, a pipe) is written in place, never replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "secprov_legacy.h"

#define SECRET_FILE_MAX 4096

static const char legacy_usage[] =
    "usage: secprov legacy COMMAND\n"
    "  hw-hash [--hardware STRING]\n"
    "  fingerprint\n"
    "  api-key --email E --hw-hash H --password-file F\n"
    "  resource-key\n"
    "  encrypt --key-file F [IN [OUT]]\n"
    "  decrypt --key-file F [IN [OUT]]\n"
    "  split --small SMALL_OUT --big BIG_OUT [IN]\n"
    "  join --small SMALL --big BIG [OUT]\n"
    "  archive-decrypt --fragment-file F [IN [OUT]]\n";

/* Options "--name value" and up to two positionals. */
struct args {
    const char *opt_names[4];
    const char *opt_values[4];
    const char *pos[2];
    int npos;
};

static int parse(int argc, char **argv, const char *const *allowed, int max_pos, struct args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            int k = 0;
            while (allowed[k] != NULL && strcmp(allowed[k], argv[i]) != 0)
                k++;
            if (allowed[k] == NULL)
                return cli_error(CLI_USAGE, "legacy %s: unknown option '%s'", argv[0], argv[i]);
            if (i + 1 >= argc)
                return cli_error(CLI_USAGE, "legacy %s: %s needs a value", argv[0], argv[i]);
            a->opt_names[k] = allowed[k];
            a->opt_values[k] = argv[++i];
        } else if (a->npos < max_pos) {
            a->pos[a->npos++] = argv[i];
        } else {
            return cli_error(CLI_USAGE, "legacy %s: too many arguments", argv[0]);
        }
    }
    return CLI_OK;
}

static const char *opt(const struct args *a, int k)
{
    return a->opt_values[k];
}

static int fail(const char *what, int rc)
{
    return cli_error(CLI_FAIL, "legacy %s: %s", what, secprov_strerror(rc));
}

/* The first line of a file, without its newline; zero it when done. */
static int read_first_line(const char *path, char *out, size_t out_len, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cli_error(CLI_FAIL, "cannot open %s: %s", path, strerror(errno));
    ssize_t n = read(fd, out, out_len - 1);
    close(fd);
    if (n < 0)
        return cli_error(CLI_FAIL, "cannot read %s: %s", path, strerror(errno));
    out[n] = '\0';
    char *nl = memchr(out, '\n', (size_t)n);
    if (nl == NULL && (size_t)n == out_len - 1)
        return cli_error(CLI_FAIL, "%s: first line longer than %d bytes", path, SECRET_FILE_MAX);
    if (nl != NULL)
        *nl = '\0';
    *len = nl != NULL ? (size_t)(nl - out) : (size_t)n;
    if (*len > 0 && out[*len - 1] == '\r')
        out[--*len] = '\0';
    if (*len == 0)
        return cli_error(CLI_FAIL, "%s: the first line is empty", path);
    return CLI_OK;
}

static int open_in(const char *path)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return STDIN_FILENO;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        cli_error(CLI_FAIL, "cannot open %s: %s", path, strerror(errno));
    return fd;
}

/* An output: a temp file beside path, renamed over it on success. */
struct output {
    int fd;
    int close_fd;               /* a device opened in place */
    const char *path;
    char tmp[4096];
};

static int out_open(struct output *o, const char *path)
{
    struct stat st;

    o->path = path;
    o->close_fd = 0;
    o->tmp[0] = '\0';
    if (path == NULL || strcmp(path, "-") == 0) {
        o->fd = STDOUT_FILENO;
        o->path = NULL;
        return CLI_OK;
    }
    /* A device or fifo (e.g. /dev/null) is written in place: never replaced. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->fd = open(path, O_WRONLY | O_CLOEXEC);
        o->path = NULL;
        if (o->fd < 0)
            return cli_error(CLI_FAIL, "cannot open %s: %s", path, strerror(errno));
        o->close_fd = 1;
        return CLI_OK;
    }
    char copy[4096], copy2[4096];
    snprintf(copy, sizeof copy, "%s", path);
    snprintf(copy2, sizeof copy2, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.XXXXXX", dirname(copy), basename(copy2));
    o->fd = mkostemp(o->tmp, O_CLOEXEC);
    if (o->fd < 0)
        return cli_error(CLI_FAIL, "cannot create a file beside %s: %s", path, strerror(errno));
    return CLI_OK;
}

static int out_finish(struct output *o, int ok)
{
    if (o->path == NULL) {
        if (o->close_fd && close(o->fd) != 0)
            ok = 0;
        return ok ? CLI_OK : CLI_FAIL;
    }
    int good = ok && fsync(o->fd) == 0;
    good = close(o->fd) == 0 && good;
    if (good && rename(o->tmp, o->path) == 0)
        return CLI_OK;
    unlink(o->tmp);
    return ok ? cli_error(CLI_FAIL, "cannot write %s: %s", o->path, strerror(errno)) : CLI_FAIL;
}

static int print_key(int rc, const char *what, char *key)
{
    if (rc != SECPROV_OK)
        return fail(what, rc);
    printf("%s\n", key);
    explicit_bzero(key, SECPROV_LEGACY_KEY_LEN + 1);
    return fflush(stdout) == 0 ? CLI_OK : cli_error(CLI_FAIL, "cannot write to stdout");
}

static int cmd_hw_hash(secprov_legacy *lg, int argc, char **argv)
{
    static const char *const allowed[] = {"--hardware", NULL};
    char out[SECPROV_LEGACY_KEY_LEN + 1];
    struct args a;
    int rc = parse(argc, argv, allowed, 0, &a);
    if (rc != CLI_OK)
        return rc;
    return print_key(secprov_legacy_hw_hash(lg, opt(&a, 0), out), "hw-hash", out);
}

static int cmd_fingerprint(secprov_legacy *lg, int argc, char **argv)
{
    static const char *const allowed[] = {NULL};
    char out[1024];
    struct args a;
    int rc = parse(argc, argv, allowed, 0, &a);
    if (rc != CLI_OK)
        return rc;
    if ((rc = secprov_legacy_collect_fingerprint(lg, out, sizeof out)) != SECPROV_OK)
        return fail("fingerprint", rc);
    printf("%s\n", out);
    return fflush(stdout) == 0 ? CLI_OK : cli_error(CLI_FAIL, "cannot write to stdout");
}

static int cmd_api_key(secprov_legacy *lg, int argc, char **argv)
{
    static const char *const allowed[] = {"--email", "--hw-hash", "--password-file", NULL};
    char password[SECRET_FILE_MAX + 1], out[SECPROV_LEGACY_KEY_LEN + 1];
    size_t len;
    struct args a;
    int rc = parse(argc, argv, allowed, 0, &a);
    if (rc != CLI_OK)
        return rc;
    if (!opt(&a, 0) || !opt(&a, 1) || !opt(&a, 2))
        return cli_error(CLI_USAGE, "usage: secprov legacy api-key --email E --hw-hash H --password-file F");
    if ((rc = read_first_line(opt(&a, 2), password, sizeof password, &len)) != CLI_OK)
        return rc;
    rc = secprov_legacy_api_key(lg, opt(&a, 0), password, opt(&a, 1), out);
    explicit_bzero(password, sizeof password);
    return print_key(rc, "api-key", out);
}

static int cmd_resource_key(secprov_legacy *lg, int argc, char **argv)
{
    static const char *const allowed[] = {NULL};
    char out[SECPROV_LEGACY_KEY_LEN + 1];
    struct args a;
    int rc = parse(argc, argv, allowed, 0, &a);
    if (rc != CLI_OK)
        return rc;
    return print_key(secprov_legacy_resource_key(lg, out), "resource-key", out);
}

/* encrypt / decrypt / archive-decrypt: secret file option, [IN [OUT]]. */
static int cmd_stream(secprov_legacy *lg, int argc, char **argv)
{
    int archive = strcmp(argv[0], "archive-decrypt") == 0;
    int encrypt = strcmp(argv[0], "encrypt") == 0;
    const char *const key_opt[] = {"--key-file", NULL};
    const char *const frag_opt[] = {"--fragment-file", NULL};
    char key[SECRET_FILE_MAX + 1];
    size_t len;
    struct output o;
    struct args a;
    int rc = parse(argc, argv, archive ? frag_opt : key_opt, 2, &a);
    if (rc != CLI_OK)
        return rc;
    if (opt(&a, 0) == NULL)
        return cli_error(CLI_USAGE, "legacy %s: %s is required", argv[0],
                         archive ? "--fragment-file" : "--key-file");
    if (archive) {       /* a raw fragment: the whole file, bytes as they are */
        int fd = open(opt(&a, 0), O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, key, sizeof key);
        if (fd >= 0)
            close(fd);
        if (n <= 0 || (size_t)n == sizeof key)
            return cli_error(CLI_FAIL, "cannot read the fragment from %s", opt(&a, 0));
        len = (size_t)n;
    } else if ((rc = read_first_line(opt(&a, 0), key, sizeof key, &len)) != CLI_OK) {
        return rc;
    }
    int in = open_in(a.pos[0]);
    if (in < 0 || out_open(&o, a.pos[1]) != CLI_OK) {
        explicit_bzero(key, sizeof key);
        if (in > STDIN_FILENO)
            close(in);
        return CLI_FAIL;
    }
    if (archive)
        rc = secprov_legacy_archive_decrypt_fd(lg, key, len, in, o.fd);
    else if (encrypt)
        rc = secprov_legacy_encrypt_fd(lg, key, NULL, in, o.fd);
    else
        rc = secprov_legacy_decrypt_fd(lg, key, in, o.fd);
    explicit_bzero(key, sizeof key);
    if (in > STDIN_FILENO)
        close(in);
    if (out_finish(&o, rc == SECPROV_OK) != CLI_OK)
        return rc != SECPROV_OK ? fail(argv[0], rc) : CLI_FAIL;
    return CLI_OK;
}

static int cmd_split(secprov_legacy *lg, int argc, char **argv)
{
    static const char *const allowed[] = {"--small", "--big", NULL};
    struct output small, big;
    struct args a;
    int rc = parse(argc, argv, allowed, 1, &a);
    if (rc != CLI_OK)
        return rc;
    if (!opt(&a, 0) || !opt(&a, 1))
        return cli_error(CLI_USAGE, "usage: secprov legacy split --small SMALL_OUT --big BIG_OUT [IN]");
    int in = open_in(a.pos[0]);
    if (in < 0)
        return CLI_FAIL;
    if (out_open(&small, opt(&a, 0)) != CLI_OK || out_open(&big, opt(&a, 1)) != CLI_OK) {
        if (in > STDIN_FILENO)
            close(in);
        return CLI_FAIL;
    }
    rc = secprov_legacy_split_fd(lg, NULL, in, small.fd, big.fd);
    if (in > STDIN_FILENO)
        close(in);
    int r1 = out_finish(&small, rc == SECPROV_OK);
    int r2 = out_finish(&big, rc == SECPROV_OK && r1 == CLI_OK);
    if (rc == SECPROV_ERR_INVALID_ARG)
        return cli_error(CLI_FAIL, "legacy split: IN must be a regular file (its length comes first)");
    if (rc != SECPROV_OK)
        return fail("split", rc);
    return r1 == CLI_OK && r2 == CLI_OK ? CLI_OK : CLI_FAIL;
}

static int cmd_join(secprov_legacy *lg, int argc, char **argv)
{
    static const char *const allowed[] = {"--small", "--big", NULL};
    unsigned char small[8192];
    struct output o;
    struct args a;
    int rc = parse(argc, argv, allowed, 1, &a);
    if (rc != CLI_OK)
        return rc;
    if (!opt(&a, 0) || !opt(&a, 1))
        return cli_error(CLI_USAGE, "usage: secprov legacy join --small SMALL --big BIG [OUT]");
    int sfd = open(opt(&a, 0), O_RDONLY | O_CLOEXEC);
    if (sfd < 0)
        return cli_error(CLI_FAIL, "cannot open %s: %s", opt(&a, 0), strerror(errno));
    ssize_t n = read(sfd, small, sizeof small);
    close(sfd);
    if (n < 0 || (size_t)n == sizeof small)
        return cli_error(CLI_FAIL, "%s: not a small part (at most %d bytes)", opt(&a, 0), 3072);
    int big = open_in(opt(&a, 1));
    if (big < 0)
        return CLI_FAIL;
    if (out_open(&o, a.pos[0]) != CLI_OK) {
        close(big);
        return CLI_FAIL;
    }
    rc = secprov_legacy_join_fd(lg, small, (size_t)n, big, o.fd);
    close(big);
    if (out_finish(&o, rc == SECPROV_OK) != CLI_OK)
        return rc != SECPROV_OK ? fail("join", rc) : CLI_FAIL;
    return CLI_OK;
}

struct legacy_command {
    const char *name;
    int (*run)(secprov_legacy *lg, int argc, char **argv);
};

static const struct legacy_command legacy_commands[] = {
    {"hw-hash", cmd_hw_hash}, {"fingerprint", cmd_fingerprint}, {"api-key", cmd_api_key},
    {"resource-key", cmd_resource_key}, {"encrypt", cmd_stream}, {"decrypt", cmd_stream},
    {"split", cmd_split}, {"join", cmd_join}, {"archive-decrypt", cmd_stream}, {NULL, NULL},
};

int secprov_cli_legacy(int argc, char **argv)
{
    const struct legacy_command *c;
    secprov_legacy *lg;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(legacy_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (c = legacy_commands; c->name != NULL && strcmp(c->name, argv[1]) != 0; c++)
        ;
    if (c->name == NULL)
        return cli_error(CLI_USAGE, "unknown legacy command '%s' (see secprov legacy --help)", argv[1]);
    int rc = secprov_legacy_open(&lg, NULL);
    if (rc != SECPROV_OK)
        return fail("cannot load the legacy scheme", rc);
    rc = c->run(lg, argc - 1, argv + 1);
    secprov_legacy_close(lg);
    return rc;
}
