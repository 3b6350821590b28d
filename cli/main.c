/*
 * secprov [--provider P] [--config FILE] [--log-level L] COMMAND ...
 *   info | seal NAME [FILE] | unseal NAME | delete NAME | list | legacy ...
 * Success exits 0; failure prints one line "secprov: error: ..." on stderr
 * and exits 1 (2 for a usage error).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "secprov.h"

static const char usage_text[] =
    "usage: secprov [--provider auto|tpm|legacy] [--config FILE] [--log-level LEVEL] COMMAND\n"
    "\n"
    "commands:\n"
    "  info                 the provider in use and why (key: value lines)\n"
    "  seal NAME [FILE]     seal FILE (or stdin) under NAME, replacing it atomically\n"
    "  unseal NAME          write the secret NAME to stdout\n"
    "  delete NAME          delete the secret NAME\n"
    "  list                 the names of all secrets, one a line\n"
    "  locate NAME          where NAME is kept (tpm: its FAPI path; legacy: its file)\n"
    "  legacy ...           the legacy scheme's operations (secprov legacy --help)\n"
    "  attest enroll        the attestation key's enrollment record (JSON)\n"
    "  attest --nonce HEX [--require-tpm]   a TPM quote bound to HEX (JSON report)\n"
    "  verify REPORT --nonce HEX --enrollment FILE [--pcrs FILE]   check a report offline\n"
    "  help, --version\n"
    "\n"
    "NAME is 1 to 64 of A-Z a-z 0-9 _ -. Environment: SECURITY_PROVIDER, SECPROV_CONFIG,\n"
    "SECPROV_LOG_LEVEL, SECPROV_PROVIDER_DIR. Exit status: 0 ok, 1 failed, 2 usage.\n";

int cli_error(int code, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "secprov: error: %s\n", line);
    return code;
}

/* The library's error-level message is kept and becomes the one error
 * line; other levels are printed as they come. */
static char last_error[1024];

static void cli_log(int level, const char *message, void *user)
{
    static const char *const names[] = {"", "debug", "info", "warning", "error"};
    (void)user;
    if (level >= SECPROV_LOG_ERROR)
        snprintf(last_error, sizeof last_error, "%s", message);
    else if (level >= SECPROV_LOG_DEBUG)
        fprintf(stderr, "secprov: %s: %s\n", names[level], message);
}

static int fail_status(const char *what, const char *name, int rc)
{
    if (name != NULL && last_error[0] != '\0')
        return cli_error(CLI_FAIL, "%s '%s': %s (%s)", what, name, secprov_strerror(rc), last_error);
    if (name != NULL)
        return cli_error(CLI_FAIL, "%s '%s': %s", what, name, secprov_strerror(rc));
    if (last_error[0] != '\0')
        return cli_error(CLI_FAIL, "%s", last_error);
    return cli_error(CLI_FAIL, "%s: %s", what, secprov_strerror(rc));
}

/* Read all of fd into a buffer whose old copies are zeroed as it grows. */
static int read_secret(int fd, unsigned char **out, size_t *out_len)
{
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);

    if (buf == NULL)
        return SECPROV_ERR_NOMEM;
    for (;;) {
        if (len == cap) {
            if (cap > SECPROV_SECRET_MAX) {
                explicit_bzero(buf, len);
                free(buf);
                return SECPROV_ERR_TOO_LARGE;
            }
            unsigned char *bigger = malloc(cap * 2);
            if (bigger == NULL) {
                explicit_bzero(buf, len);
                free(buf);
                return SECPROV_ERR_NOMEM;
            }
            memcpy(bigger, buf, len);
            explicit_bzero(buf, len);
            free(buf);
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            explicit_bzero(buf, len);
            free(buf);
            return SECPROV_ERR_IO;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = buf;
    *out_len = len;
    return SECPROV_OK;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void print_info(const char *key, const char *value, void *user)
{
    (void)user;
    printf("%s: %s\n", key, value);
}

static int cmd_info(secprov *sp, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return cli_error(CLI_USAGE, "usage: secprov info");
    int rc = secprov_info(sp, print_info, NULL);
    if (fflush(stdout) != 0)
        return cli_error(CLI_FAIL, "info: cannot write to stdout");
    return rc == SECPROV_OK ? CLI_OK : fail_status("info", NULL, rc);
}

static int cmd_seal(secprov *sp, int argc, char **argv)
{
    unsigned char *data;
    size_t len;
    int fd = 0, rc;

    if (argc < 2 || argc > 3)
        return cli_error(CLI_USAGE, "usage: secprov seal NAME [FILE]");
    if (secprov_name_check(argv[1]) != SECPROV_OK)
        return cli_error(CLI_USAGE, "invalid name '%s' (1 to 64 of A-Z a-z 0-9 _ -)", argv[1]);
    if (argc == 3 && (fd = open(argv[2], O_RDONLY | O_CLOEXEC)) < 0)
        return cli_error(CLI_FAIL, "cannot open %s: %s", argv[2], strerror(errno));
    rc = read_secret(fd, &data, &len);
    if (fd != 0)
        close(fd);
    if (rc != SECPROV_OK)
        return fail_status("cannot read the secret", NULL, rc);
    if (len == 0) {
        free(data);
        return cli_error(CLI_FAIL, "seal '%s': the secret is empty", argv[1]);
    }
    rc = secprov_seal(sp, argv[1], data, len);
    explicit_bzero(data, len);
    free(data);
    return rc == SECPROV_OK ? CLI_OK : fail_status("seal", argv[1], rc);
}

static int cmd_unseal(secprov *sp, int argc, char **argv)
{
    void *data;
    size_t len;

    if (argc != 2)
        return cli_error(CLI_USAGE, "usage: secprov unseal NAME");
    int rc = secprov_unseal(sp, argv[1], &data, &len);
    if (rc != SECPROV_OK)
        return fail_status("unseal", argv[1], rc);
    rc = write_all(STDOUT_FILENO, data, len);
    secprov_free(data, len);
    return rc == 0 ? CLI_OK : cli_error(CLI_FAIL, "unseal '%s': cannot write to stdout: %s",
                                        argv[1], strerror(errno));
}

static int cmd_delete(secprov *sp, int argc, char **argv)
{
    if (argc != 2)
        return cli_error(CLI_USAGE, "usage: secprov delete NAME");
    int rc = secprov_delete(sp, argv[1]);
    return rc == SECPROV_OK ? CLI_OK : fail_status("delete", argv[1], rc);
}

static int cmd_list(secprov *sp, int argc, char **argv)
{
    char **names;
    size_t count;

    (void)argv;
    if (argc != 1)
        return cli_error(CLI_USAGE, "usage: secprov list");
    int rc = secprov_list(sp, &names, &count);
    if (rc != SECPROV_OK)
        return fail_status("list", NULL, rc);
    for (size_t i = 0; i < count; i++)
        printf("%s\n", names[i]);
    secprov_list_free(names, count);
    return fflush(stdout) == 0 ? CLI_OK : cli_error(CLI_FAIL, "list: cannot write to stdout");
}

static int cmd_locate(secprov *sp, int argc, char **argv)
{
    char where[4096];

    if (argc != 2)
        return cli_error(CLI_USAGE, "usage: secprov locate NAME");
    int rc = secprov_locate(sp, argv[1], where, sizeof where);
    if (rc != SECPROV_OK)
        return fail_status("locate", argv[1], rc);
    printf("%s\n", where);
    return fflush(stdout) == 0 ? CLI_OK : cli_error(CLI_FAIL, "locate: cannot write to stdout");
}

struct command {
    const char *name;
    int (*run)(secprov *sp, int argc, char **argv);
};

static const struct command commands[] = {
    {"info", cmd_info}, {"seal", cmd_seal}, {"unseal", cmd_unseal},
    {"delete", cmd_delete}, {"list", cmd_list}, {"locate", cmd_locate},
    {"attest", secprov_cli_attest},
    {NULL, NULL},
};

static int log_level_of(const char *s)
{
    static const char *const names[] = {"debug", "info", "warning", "error", "none"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return SECPROV_LOG_DEBUG + i;
    return 0;
}

int main(int argc, char **argv)
{
    secprov_options opts = SECPROV_OPTIONS_INIT;
    const struct command *cmd;
    opts.log_fn = cli_log;
    secprov *sp;
    int i = 1, rc;

    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        if (strcmp(opt, "--version") == 0) {
            printf("secprov %s\n", secprov_version());
            return CLI_OK;
        }
        if (i + 1 >= argc)
            return cli_error(CLI_USAGE, "option %s needs a value (see secprov --help)", opt);
        if (strcmp(opt, "--provider") == 0)
            opts.provider = argv[++i];
        else if (strcmp(opt, "--config") == 0)
            opts.config_path = argv[++i];
        else if (strcmp(opt, "--log-level") == 0) {
            opts.log_level = log_level_of(argv[++i]);
            if (opts.log_level == 0)
                return cli_error(CLI_USAGE, "unknown log level '%s' (debug, info, warning, "
                                 "error or none)", argv[i]);
        } else
            return cli_error(CLI_USAGE, "unknown option '%s' (see secprov --help)", opt);
    }
    if (i >= argc)
        return cli_error(CLI_USAGE, "no command given (see secprov --help)");
    if (strcmp(argv[i], "help") == 0) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    if (strcmp(argv[i], "verify") == 0)
        return secprov_cli_verify(argc - i, argv + i);
    if (strcmp(argv[i], "legacy") == 0) {
        return secprov_cli_legacy(argc - i, argv + i);
    }
    for (cmd = commands; cmd->name != NULL && strcmp(cmd->name, argv[i]) != 0; cmd++)
        ;
    if (cmd->name == NULL)
        return cli_error(CLI_USAGE, "unknown command '%s' (see secprov --help)", argv[i]);

    rc = secprov_open(&sp, &opts);
    if (rc != SECPROV_OK)
        return fail_status("cannot open secprov", NULL, rc);
    rc = cmd->run(sp, argc - i, argv + i);
    secprov_close(sp);
    return rc;
}
