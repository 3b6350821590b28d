/*
 * The subcommands on secrets: info, seal, unseal, delete, list, locate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
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

static int run_info(cli_call *c)
{
    secprov *sp;
    int rc = cli_need_stdout(c);

    if (rc != CLI_OK || (rc = cli_open(c, &sp)) != CLI_OK)
        return rc;
    rc = secprov_info(sp, print_info, NULL);
    rc = rc == SECPROV_OK ? CLI_OK : cli_fail_status("info", NULL, rc);
    secprov_close(sp);
    if (fflush(stdout) != 0 && rc == CLI_OK)
        rc = cli_error(CLI_FAIL, "info: cannot write to stdout: %s", strerror(errno));
    return rc;
}

static int run_seal(cli_call *c)
{
    const char *name = c->argv[0], *file = c->argc > 1 ? c->argv[1] : NULL;
    unsigned char *data;
    size_t len, cap;
    secprov *sp;
    int fd = STDIN_FILENO, rc, err;

    if (file == NULL && (rc = cli_need_stdin(c)) != CLI_OK)
        return rc;
    if (file != NULL && (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
        return cli_error(CLI_FAIL, "seal '%s': cannot open %s: %s", name, file, strerror(errno));
    err = cli_read_secret(fd, &data, &len, &cap);
    if (fd != STDIN_FILENO)
        close(fd);
    if (err == EFBIG)
        return cli_error(CLI_FAIL, "seal '%s': the secret in %s is larger than %zu bytes", name,
                         file != NULL ? file : "stdin", SECPROV_SECRET_MAX);
    if (err != 0)
        return cli_error(CLI_FAIL, "seal '%s': cannot read %s: %s", name,
                         file != NULL ? file : "stdin", strerror(err));
    if (len == 0) {
        secprov_free(data, cap);
        return cli_error(CLI_FAIL, "seal '%s': the secret is empty", name);
    }
    if ((rc = cli_open(c, &sp)) == CLI_OK) {
        rc = secprov_seal(sp, name, data, len);
        rc = rc == SECPROV_OK ? CLI_OK : cli_fail_status("seal", name, rc);
        secprov_close(sp);
    }
    secprov_free(data, cap);
    return rc;
}

static int run_unseal(cli_call *c)
{
    const char *name = c->argv[0];
    secprov *sp;
    void *data;
    size_t len;
    int rc = cli_need_stdout(c);

    if (rc != CLI_OK || (rc = cli_open(c, &sp)) != CLI_OK)
        return rc;
    rc = secprov_unseal(sp, name, &data, &len);
    if (rc != SECPROV_OK) {
        rc = cli_fail_status("unseal", name, rc);
    } else {
        int err = write_all(STDOUT_FILENO, data, len);
        secprov_free(data, len);
        rc = err == 0 ? CLI_OK : cli_error(CLI_FAIL, "unseal '%s': cannot write to stdout: %s",
                                           name, strerror(err));
    }
    secprov_close(sp);
    return rc;
}

static int run_delete(cli_call *c)
{
    secprov *sp;
    int rc = cli_open(c, &sp);

    if (rc != CLI_OK)
        return rc;
    rc = secprov_delete(sp, c->argv[0]);
    rc = rc == SECPROV_OK ? CLI_OK : cli_fail_status("delete", c->argv[0], rc);
    secprov_close(sp);
    return rc;
}

static int run_list(cli_call *c)
{
    char **names;
    size_t count;
    secprov *sp;
    int rc = cli_need_stdout(c);

    if (rc != CLI_OK || (rc = cli_open(c, &sp)) != CLI_OK)
        return rc;
    rc = secprov_list(sp, &names, &count);
    if (rc == SECPROV_OK) {
        for (size_t i = 0; i < count; i++)
            printf("%s\n", names[i]);
        secprov_list_free(names, count);
        rc = fflush(stdout) == 0 ? CLI_OK
                                 : cli_error(CLI_FAIL, "list: cannot write to stdout: %s", strerror(errno));
    } else {
        rc = cli_fail_status("list", NULL, rc);
    }
    secprov_close(sp);
    return rc;
}

static int run_locate(cli_call *c)
{
    char where[4096];
    secprov *sp;
    int rc = cli_need_stdout(c);

    if (rc != CLI_OK || (rc = cli_open(c, &sp)) != CLI_OK)
        return rc;
    rc = secprov_locate(sp, c->argv[0], where, sizeof where);
    if (rc == SECPROV_OK) {
        printf("%s\n", where);
        rc = fflush(stdout) == 0 ? CLI_OK
                                 : cli_error(CLI_FAIL, "locate: cannot write to stdout: %s", strerror(errno));
    } else {
        rc = cli_fail_status("locate", c->argv[0], rc);
    }
    secprov_close(sp);
    return rc;
}

const cli_command cli_cmd_info = {
    "info", "", "the provider in use and why (key: value lines)", NULL, 0, 0, 0, run_info, NULL, 1,
};
const cli_command cli_cmd_seal = {
    "seal", "NAME [FILE]", "seal FILE (or stdin) under NAME, replacing it atomically",
    NULL, 1, 2, 1, run_seal, NULL, 1,
};
const cli_command cli_cmd_unseal = {
    "unseal", "NAME", "write the secret NAME to stdout", NULL, 1, 1, 1, run_unseal, NULL, 1,
};
const cli_command cli_cmd_delete = {
    "delete", "NAME", "delete the secret NAME", NULL, 1, 1, 1, run_delete, NULL, 1,
};
const cli_command cli_cmd_list = {
    "list", "", "the names of all secrets, one a line", NULL, 0, 0, 0, run_list, NULL, 1,
};
const cli_command cli_cmd_locate = {
    "locate", "NAME", "where NAME is kept (tpm: its FAPI path; legacy: its file)",
    NULL, 1, 1, 1, run_locate, NULL, 1,
};
