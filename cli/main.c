/*
 * secprov [GLOBAL OPTIONS] COMMAND [ARG...]: see docs/command.md.
 * Success exits 0; failure prints one line "secprov: error: ..." on stderr
 * and exits 1 (2 for a usage error).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* The subcommands, in the order `secprov --help` lists them. */
static const cli_command *const commands[] = {
    &cli_cmd_info,
    &cli_cmd_seal,
    &cli_cmd_unseal,
    &cli_cmd_delete,
    &cli_cmd_list,
    &cli_cmd_locate,
    &cli_cmd_gc,
    &cli_cmd_attest,
    &cli_cmd_verify,
    &cli_cmd_activation,
    &cli_cmd_seal_to,
    &cli_cmd_import,
    &cli_cmd_unwrap,
    &cli_cmd_config,
    &cli_cmd_legacy,
    &cli_cmd_attestor,
    NULL,
};

int cli_error(int code, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fprintf(stderr, "secprov: error: %s\n", line);
    return code;
}

/* Lines below the error level are printed as they come; the error line
 * is taken from secprov_last_error() into the one line of the failure. */
static void cli_log(int level, const char *message, void *user)
{
    static const char *const names[] = {"", "debug", "info", "warning", "error"};
    (void)user;
    if (level >= SECPROV_LOG_DEBUG && level < SECPROV_LOG_ERROR)
        fprintf(stderr, "secprov: %s: %s\n", names[level], message);
}

int cli_fail_status(const char *what, const char *name, int rc)
{
    char last[1024];

    snprintf(last, sizeof last, "%s", secprov_last_error());
    /* a line that already names what and name: as it is, never twice */
    char head[SECPROV_NAME_MAX + 80];
    snprintf(head, sizeof head, "%s '%s':", what, name != NULL ? name : "");
    if (name != NULL && strncmp(last, head, strlen(head)) == 0)
        return cli_error(CLI_FAIL, "%s", last);
    /* a file system error: the line names the path and errno's meaning */
    if (name != NULL && last[0] != '\0' && rc == SECPROV_ERR_IO)
        return cli_error(CLI_FAIL, "%s '%s': %s", what, name, last);
    if (name != NULL && last[0] != '\0')
        return cli_error(CLI_FAIL, "%s '%s': %s (%s)", what, name, secprov_strerror(rc), last);
    if (name != NULL)
        return cli_error(CLI_FAIL, "%s '%s': %s", what, name, secprov_strerror(rc));
    if (last[0] != '\0')
        return cli_error(CLI_FAIL, "%s", last);
    return cli_error(CLI_FAIL, "%s: %s", what, secprov_strerror(rc));
}

int cli_open(const cli_call *c, secprov **sp)
{
    int rc = secprov_open(sp, &c->opts);
    return rc == SECPROV_OK ? CLI_OK : cli_fail_status("cannot open secprov", NULL, rc);
}

int cli_open_legacy(const cli_call *c, secprov_legacy **lg)
{
    int rc = secprov_legacy_open(lg, &c->opts);
    if (rc == SECPROV_OK)
        return CLI_OK;
    if (secprov_last_error()[0] != '\0')
        return cli_fail_status("cannot load the legacy scheme", NULL, rc);
    return cli_error(CLI_FAIL, "legacy: cannot load the legacy scheme: %s", secprov_strerror(rc));
}

int main(int argc, char **argv)
{
    cli_call c;
    int rc;

    if (cli_stdfds_guard() != 0)
        return CLI_FAIL;        /* fds 0-2 could not be made safe: touch nothing */
    rc = cli_parse(argc, argv, commands, &c);
    if (rc == CLI_OK && c.cmd != NULL) {
        c.opts.log_fn = cli_log;
        rc = c.cmd->no_legacy_names ? cli_openssl_without_legacy_names() : CLI_OK;
        if (rc == CLI_OK)
            rc = c.cmd->run(&c);
    }
    return cli_stdout_close(rc);
}
