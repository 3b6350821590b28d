/* `secprov config check`: the configuration checked as `secprov_open`
 * reads it, every installed provider's group included, opening nothing
 * (secprov_config_check). One line per part, "PART: ok ..." or
 * "PART: error: ..." (docs/command.md); exit 0 when all is well, else 1. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "secprov.h"

static void print_part(const char *part, int status, const char *message, void *user)
{
    (void)user;
    /* "not checked (why)": a module with no group here that cannot be
     * loaded; reported, not a failure (secprov.h) */
    if (status == SECPROV_OK || strncmp(message, "not checked", 11) == 0)
        printf("%s: %s\n", part, message);
    else
        printf("%s: error: %s\n", part, message);
}

/* Every line goes through print_part: the library's own log stays quiet. */
static void quiet(int level, const char *message, void *user)
{
    (void)level;
    (void)message;
    (void)user;
}

static int run_check(cli_call *c)
{
    int rc = cli_need_stdout(c);

    if (rc != CLI_OK)
        return rc;
    c->opts.log_fn = quiet;
    int st = secprov_config_check(&c->opts, print_part, NULL);
    if (st != SECPROV_OK)
        return cli_error(CLI_FAIL, "config check: %s", secprov_strerror(st));
    return CLI_OK;
}

static const cli_command cmd_check = {
    "check", "", "check the config file and every installed provider's group in it",
    NULL, 0, 0, 0, run_check, NULL, 0,
};

static const cli_command *const config_commands[] = {&cmd_check, NULL};

const cli_command cli_cmd_config = {
    "config", "COMMAND", "the configuration (secprov config check)",
    NULL, 0, 0, 0, NULL, config_commands, 0,
};
