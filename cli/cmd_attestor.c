/* `secprov attestor verify` and `secprov attestor audit-verify FILE
 * [PREV_HEAD]`: both run secprov-attestor from the folder of this command
 * (PREFIX/bin, or build/bin), so this command links neither libmicrohttpd,
 * json-c nor OpenSSL (docs/attestor.md). verify asks the running daemon
 * through its listen and exits 0 only when it is attested; it never
 * attests by itself. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int run_attestor(const cli_call *c, char *const extra[], size_t n)
{
    char self[PATH_MAX], path[PATH_MAX + 32];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    char *argv[8];
    size_t k = 0;

    if (len <= 0)
        return cli_error(CLI_FAIL, "attestor: cannot find this command's folder: %s",
                         strerror(errno));
    self[len] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(path, sizeof path, "%s/secprov-attestor", self);
    argv[k++] = path;
    for (size_t i = 0; i < n && k < 5; i++)
        argv[k++] = extra[i];
    if (c->opts.config_path != NULL) {
        argv[k++] = (char *)"--config";
        argv[k++] = (char *)c->opts.config_path;
    }
    argv[k] = NULL;
    fflush(stdout);
    execv(path, argv);
    return cli_error(CLI_FAIL, "attestor: cannot run %s: %s", path, strerror(errno));
}

static int run_verify(cli_call *c)
{
    char *extra[] = {(char *)"--client-verify"};
    return run_attestor(c, extra, 1);
}

static int run_audit_verify(cli_call *c)
{
    char *extra[] = {(char *)"--audit-verify", c->argv[0], c->argc > 1 ? c->argv[1] : NULL};
    cli_call plain = *c;

    plain.opts.config_path = NULL;       /* --audit-verify reads no config */
    return run_attestor(&plain, extra, c->argc > 1 ? 3 : 2);
}

static const cli_command cmd_verify = {
    "verify", "", "ask the running attestor: exit 0 only when the device is attested",
    NULL, 0, 0, 0, run_verify, NULL, 0,
};
static const cli_command cmd_audit_verify = {
    "audit-verify", "FILE [PREV_HEAD]", "check an attestor audit log's hash chain",
    NULL, 1, 2, 0, run_audit_verify, NULL, 0,
};
static const cli_command *const attestor_commands[] = {&cmd_verify, &cmd_audit_verify, NULL};

const cli_command cli_cmd_attestor = {
    "attestor", "COMMAND", "the runtime attestor (secprov attestor verify | audit-verify)",
    NULL, 0, 0, 0, NULL, attestor_commands, 0,
};
