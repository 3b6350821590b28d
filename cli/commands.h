/*
 * The `secprov` command's parts. cli/main.c holds the table of subcommands
 * and the one parser (cli/parse.c, getopt_long) for all of them; each
 * subcommand is a `cli_command` descriptor defined in its own file.
 *
 * To add a subcommand: define `const cli_command cli_cmd_NAME = {...}` in
 * cli/cmd_NAME.c, declare it below, and add `&cli_cmd_NAME,` to the table
 * in cli/main.c. The parser checks the options and the number of
 * arguments; run() gets them in a cli_call and opens the handle it needs
 * with cli_open() (after cli_need_stdin()/cli_need_stdout() when it reads
 * or writes a secret there).
 */
#ifndef SECPROV_CLI_COMMANDS_H
#define SECPROV_CLI_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

#include "secprov.h"
#include "secprov_legacy.h"

/* Exit statuses: 0 success, 1 the operation failed, 2 usage error. */
#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

#define CLI_OPTS_MAX 12

/* One option of a subcommand: --name (a flag) or --name VALUE. */
typedef struct cli_option {
    const char *name;           /* without the leading "--" */
    int has_value;
} cli_option;

/* A parsed call of a subcommand. */
typedef struct cli_call {
    const struct cli_command *cmd;
    const char *path;           /* "seal", "legacy hw-hash": for messages */
    secprov_options opts;       /* the global options (log_fn set) */
    const char *opt[CLI_OPTS_MAX];  /* cmd->options[k]: its value, "" for a flag, NULL absent */
    int argc;                   /* the arguments left (after options and --) */
    char **argv;
} cli_call;

typedef struct cli_command {
    const char *name;
    const char *synopsis;       /* what follows the name in the usage line */
    const char *summary;        /* one line for `secprov --help` */
    const cli_option *options;  /* up to CLI_OPTS_MAX, ended by {NULL}; NULL: none */
    int min_args, max_args;
    int name_arg;               /* 1: argv[0] is a secret NAME (checked by the parser) */
    int (*run)(cli_call *c);
    const struct cli_command *const *group;   /* set instead of run: its subcommands */
    int no_legacy_names;        /* 1: never needs OpenSSL's legacy name tables (X.509, PEM):
                                 * main() has OpenSSL skip them (cli/openssl_names.c) */
} cli_command;

/* Print "secprov: error: ..." as one line on stderr; returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The failure of a library call: "WHAT 'NAME': status (last error line)". */
int cli_fail_status(const char *what, const char *name, int rc);

/* Parse argv (the whole command line) against the table; on success *c is
 * the call to run. Usage errors are printed here: returns CLI_USAGE, or
 * CLI_OK with c->cmd NULL after --help/--version was answered. */
int cli_parse(int argc, char **argv, const cli_command *const *table, cli_call *c);
void cli_usage(FILE *to, const cli_command *const *table, const char *prefix);

/* The standard fds: cli_stdfds_guard() runs first of all; it notes which of
 * 0-2 were closed and fills them with /dev/null. The checks refuse (exit 1,
 * with a line naming the fd) when the secret's stream was closed. */
int cli_stdfds_guard(void);
int cli_need_stdin(const cli_call *c);
int cli_need_stdout(const cli_call *c);
/* Flush and close stdout at the end: a write error there is a failure. */
int cli_stdout_close(int rc);

/* Before a command with no_legacy_names runs: OpenSSL never loads its
 * legacy cipher and digest name tables in this process. */
int cli_openssl_without_legacy_names(void);

/* Open the handle for c's global options (the error line printed). */
int cli_open(const cli_call *c, secprov **sp);
int cli_open_legacy(const cli_call *c, secprov_legacy **lg);

/* Read all of fd into secret memory (secprov_secret_alloc; grown without
 * leaving an unzeroed copy); release with secprov_free(*out, *cap). */
int cli_read_secret(int fd, unsigned char **out, size_t *len, size_t *cap);

extern const cli_command cli_cmd_info, cli_cmd_seal, cli_cmd_unseal, cli_cmd_delete,
    cli_cmd_list, cli_cmd_locate, cli_cmd_gc, cli_cmd_attest, cli_cmd_verify, cli_cmd_config,
    cli_cmd_legacy;
extern const cli_command cli_cmd_seal_to, cli_cmd_import, cli_cmd_unwrap;   /* cmd_seal_to.c */
extern const cli_command cli_cmd_activation;
extern const cli_command cli_cmd_attestor;   /* cmd_attestor.c */


#endif
