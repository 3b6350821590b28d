/* The `secprov` command's parts. */
#ifndef SECPROV_CLI_COMMANDS_H
#define SECPROV_CLI_COMMANDS_H

#include <stddef.h>

/* Exit statuses: 0 success, 1 the operation failed, 2 usage error. */
#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* Print "secprov: error: ..." as one line on stderr; returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* `secprov legacy ...` (cli/cmd_legacy.c); argv[0] is "legacy". */
int secprov_cli_legacy(int argc, char **argv);

/* `secprov attest ...` and `secprov verify ...` (cli/cmd_attest.c);
 * argv[0] is the command's name. */
struct secprov;
int secprov_cli_attest(struct secprov *sp, int argc, char **argv);
int secprov_cli_verify(int argc, char **argv);

#endif
