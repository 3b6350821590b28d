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

/* The value of the option k of the call (NULL when not given). */
static const char *opt(const cli_call *c, int k)
{
    return c->opt[k];
}

/* The positional argument i, or NULL. */
static const char *pos(const cli_call *c, int i)
{
    return i < c->argc ? c->argv[i] : NULL;
}

static int is_std(const char *path)
{
    return path == NULL || strcmp(path, "-") == 0;
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

/* Read the start of the file at path (at most cap bytes) into buf: -1
 * (errno set) when it cannot be opened, else 0 with *n what read gave. */
static int read_start(const char *path, void *buf, size_t cap, ssize_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    *n = read(fd, buf, cap);
    close(fd);
    return 0;
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

/* Close an IN that open_in opened (not stdin). */
static void close_in(int fd)
{
    if (fd > STDIN_FILENO)
        close(fd);
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

/* Print line and a newline on stdout, flushed. */
static int print_line(const char *line)
{
    printf("%s\n", line);
    return fflush(stdout) == 0 ? CLI_OK
                               : cli_error(CLI_FAIL, "cannot write to stdout: %s", strerror(errno));
}

static int print_key(int rc, const char *what, char *key)
{
    if (rc != SECPROV_OK)
        return fail(what, rc);
    rc = print_line(key);
    explicit_bzero(key, SECPROV_LEGACY_KEY_LEN + 1);
    return rc;
}

static int cmd_hw_hash(secprov_legacy *lg, cli_call *c)
{
    char out[SECPROV_LEGACY_KEY_LEN + 1];
    return print_key(secprov_legacy_hw_hash(lg, opt(c, 0), out), "hw-hash", out);
}

static int cmd_fingerprint(secprov_legacy *lg, cli_call *c)
{
    char out[1024];
    int rc;

    (void)c;
    if ((rc = secprov_legacy_collect_fingerprint(lg, out, sizeof out)) != SECPROV_OK)
        return fail("fingerprint", rc);
    return print_line(out);
}

static int cmd_api_key(secprov_legacy *lg, cli_call *c)
{
    char password[SECRET_FILE_MAX + 1], out[SECPROV_LEGACY_KEY_LEN + 1];
    size_t len;
    int rc;

    if (!opt(c, 0) || !opt(c, 1) || !opt(c, 2))
        return cli_error(CLI_USAGE, "usage: secprov legacy api-key --email E --hw-hash H --password-file F");
    if ((rc = read_first_line(opt(c, 2), password, sizeof password, &len)) != CLI_OK)
        return rc;
    rc = secprov_legacy_api_key(lg, opt(c, 0), password, opt(c, 1), out);
    explicit_bzero(password, sizeof password);
    return print_key(rc, "api-key", out);
}

static int cmd_resource_key(secprov_legacy *lg, cli_call *c)
{
    char out[SECPROV_LEGACY_KEY_LEN + 1];
    (void)c;
    return print_key(secprov_legacy_resource_key(lg, out), "resource-key", out);
}

/* encrypt / decrypt / archive-decrypt: secret file option, [IN [OUT]]. */
static int cmd_stream(secprov_legacy *lg, cli_call *c)
{
    const char *what = c->cmd->name;
    int archive = strcmp(what, "archive-decrypt") == 0;
    int encrypt = strcmp(what, "encrypt") == 0;
    char key[SECRET_FILE_MAX + 1];
    size_t len;
    struct output o;
    int rc;

    if (opt(c, 0) == NULL)
        return cli_error(CLI_USAGE, "legacy %s: %s is required", what,
                         archive ? "--fragment-file" : "--key-file");
    if (archive) {       /* a raw fragment: the whole file, bytes as they are */
        ssize_t n = -1;
        if (read_start(opt(c, 0), key, sizeof key, &n) != 0 || n <= 0 || (size_t)n == sizeof key)
            return cli_error(CLI_FAIL, "cannot read the fragment from %s", opt(c, 0));
        len = (size_t)n;
    } else if ((rc = read_first_line(opt(c, 0), key, sizeof key, &len)) != CLI_OK) {
        return rc;
    }
    int in = open_in(pos(c, 0));
    if (in < 0 || out_open(&o, pos(c, 1)) != CLI_OK) {
        explicit_bzero(key, sizeof key);
        close_in(in);
        return CLI_FAIL;
    }
    if (archive)
        rc = secprov_legacy_archive_decrypt_fd(lg, key, len, in, o.fd);
    else if (encrypt)
        rc = secprov_legacy_encrypt_fd(lg, key, NULL, in, o.fd);
    else
        rc = secprov_legacy_decrypt_fd(lg, key, in, o.fd);
    explicit_bzero(key, sizeof key);
    close_in(in);
    if (out_finish(&o, rc == SECPROV_OK) != CLI_OK)
        return rc != SECPROV_OK ? fail(what, rc) : CLI_FAIL;
    return CLI_OK;
}

static int cmd_split(secprov_legacy *lg, cli_call *c)
{
    struct output small, big;
    int rc;

    if (!opt(c, 0) || !opt(c, 1))
        return cli_error(CLI_USAGE, "usage: secprov legacy split --small SMALL_OUT --big BIG_OUT [IN]");
    int in = open_in(pos(c, 0));
    if (in < 0)
        return CLI_FAIL;
    if (out_open(&small, opt(c, 0)) != CLI_OK || out_open(&big, opt(c, 1)) != CLI_OK) {
        close_in(in);
        return CLI_FAIL;
    }
    rc = secprov_legacy_split_fd(lg, NULL, in, small.fd, big.fd);
    close_in(in);
    int r1 = out_finish(&small, rc == SECPROV_OK);
    int r2 = out_finish(&big, rc == SECPROV_OK && r1 == CLI_OK);
    if (rc == SECPROV_ERR_INVALID_ARG)
        return cli_error(CLI_FAIL, "legacy split: IN must be a regular file (its length comes first)");
    if (rc != SECPROV_OK)
        return fail("split", rc);
    return r1 == CLI_OK && r2 == CLI_OK ? CLI_OK : CLI_FAIL;
}

static int cmd_join(secprov_legacy *lg, cli_call *c)
{
    unsigned char small[8192];
    struct output o;
    int rc;

    if (!opt(c, 0) || !opt(c, 1))
        return cli_error(CLI_USAGE, "usage: secprov legacy join --small SMALL --big BIG [OUT]");
    ssize_t n = -1;
    if (read_start(opt(c, 0), small, sizeof small, &n) != 0)
        return cli_error(CLI_FAIL, "cannot open %s: %s", opt(c, 0), strerror(errno));
    if (n < 0 || (size_t)n == sizeof small)
        return cli_error(CLI_FAIL, "%s: not a small part (at most %d bytes)", opt(c, 0), 3072);
    int big = open_in(opt(c, 1));
    if (big < 0)
        return CLI_FAIL;
    if (out_open(&o, pos(c, 0)) != CLI_OK) {
        close_in(big);
        return CLI_FAIL;
    }
    rc = secprov_legacy_join_fd(lg, small, (size_t)n, big, o.fd);
    explicit_bzero(small, sizeof small);
    close_in(big);
    if (out_finish(&o, rc == SECPROV_OK) != CLI_OK)
        return rc != SECPROV_OK ? fail("join", rc) : CLI_FAIL;
    return CLI_OK;
}

/* Each legacy subcommand: the standard streams it uses must be open (fd 0
 * for an IN of stdin, fd 1 for an OUT or a printed result); then the
 * legacy scheme is loaded with the global options (--config's
 * legacy.hardware, --log-level) and the command runs. */
static int with_scheme(cli_call *c, int (*fn)(secprov_legacy *, cli_call *), int reads_stdin,
                       int writes_stdout)
{
    secprov_legacy *lg;
    int rc;

    if (reads_stdin && (rc = cli_need_stdin(c)) != CLI_OK)
        return rc;
    if (writes_stdout && (rc = cli_need_stdout(c)) != CLI_OK)
        return rc;
    if ((rc = cli_open_legacy(c, &lg)) != CLI_OK)
        return rc;
    rc = fn(lg, c);
    secprov_legacy_close(lg);
    return rc;
}

/* Where a subcommand's IN or OUT may be a standard stream. */
enum std_use { STD_NEVER, STD_ALWAYS, STD_POS0, STD_POS1, STD_OPT1 };

static int uses_std(const cli_call *c, enum std_use u)
{
    switch (u) {
    case STD_ALWAYS: return 1;
    case STD_POS0: return is_std(pos(c, 0));
    case STD_POS1: return is_std(pos(c, 1));
    case STD_OPT1: return is_std(opt(c, 1));
    default: return 0;
    }
}

/* A subcommand: its entry in the parser's table, first (the parser hands
 * run_legacy a pointer to it), then what it runs and its streams. */
typedef struct legacy_command {
    cli_command cmd;
    int (*fn)(secprov_legacy *, cli_call *);
    enum std_use in, out;
} legacy_command;

static int run_legacy(cli_call *c)
{
    const legacy_command *l = (const legacy_command *)(const void *)c->cmd;
    return with_scheme(c, l->fn, uses_std(c, l->in), uses_std(c, l->out));
}

static const cli_option hw_hash_opts[] = {{"hardware", 1}, {NULL, 0}};
static const cli_option api_key_opts[] = {{"email", 1}, {"hw-hash", 1}, {"password-file", 1}, {NULL, 0}};
static const cli_option key_file_opts[] = {{"key-file", 1}, {NULL, 0}};
static const cli_option fragment_opts[] = {{"fragment-file", 1}, {NULL, 0}};
static const cli_option parts_opts[] = {{"small", 1}, {"big", 1}, {NULL, 0}};

/* name, synopsis, summary, options, min/max args; then fn, IN, OUT. */
#define LEGACY(name, synopsis, summary, opts, max_args) \
    {name, synopsis, summary, opts, 0, max_args, 0, run_legacy, NULL, 0}
static const legacy_command commands[] = {
    {LEGACY("hw-hash", "[--hardware STRING]",
            "the hash of STRING, or of this device's fingerprint", hw_hash_opts, 0),
     cmd_hw_hash, STD_NEVER, STD_ALWAYS},
    {LEGACY("fingerprint", "", "the collected fingerprint string", NULL, 0),
     cmd_fingerprint, STD_NEVER, STD_ALWAYS},
    {LEGACY("api-key", "--email E --hw-hash H --password-file F", "the API encryption key",
            api_key_opts, 0),
     cmd_api_key, STD_NEVER, STD_ALWAYS},
    {LEGACY("resource-key", "", "the resource encryption key", NULL, 0),
     cmd_resource_key, STD_NEVER, STD_ALWAYS},
    {LEGACY("encrypt", "--key-file F [IN [OUT]]", "encrypt IN (stdin) to OUT (stdout)",
            key_file_opts, 2),
     cmd_stream, STD_POS0, STD_POS1},
    {LEGACY("decrypt", "--key-file F [IN [OUT]]", "decrypt IN (stdin) to OUT (stdout)",
            key_file_opts, 2),
     cmd_stream, STD_POS0, STD_POS1},
    {LEGACY("split", "--small SMALL_OUT --big BIG_OUT [IN]",
            "encrypt a resource into a small and a big part", parts_opts, 1),
     cmd_split, STD_POS0, STD_NEVER},
    {LEGACY("join", "--small SMALL --big BIG [OUT]", "the resource back from its two parts",
            parts_opts, 1),
     cmd_join, STD_OPT1, STD_POS0},
    {LEGACY("archive-decrypt", "--fragment-file F [IN [OUT]]",
            "decrypt a docker archive with its key fragment", fragment_opts, 2),
     cmd_stream, STD_POS0, STD_POS1},
};
#undef LEGACY

static const cli_command *const legacy_commands[] = {
    &commands[0].cmd, &commands[1].cmd, &commands[2].cmd, &commands[3].cmd, &commands[4].cmd,
    &commands[5].cmd, &commands[6].cmd, &commands[7].cmd, &commands[8].cmd, NULL,
};

const cli_command cli_cmd_legacy = {
    "legacy", "COMMAND ...", "the legacy scheme's operations (secprov legacy --help)",
    NULL, 0, 0, 0, NULL, legacy_commands, 0,
};
