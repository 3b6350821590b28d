/*
 * The one parser of the `secprov` command (getopt_long), for every level:
 *
 *   secprov [GLOBAL...] COMMAND [GROUP-COMMAND] [OPTION | GLOBAL | ARG]... [--] [ARG...]
 *
 * The global options (--config, --provider, --log-level, --help, --version)
 * are taken before the command and among a subcommand's own options alike,
 * so they reach every subcommand, `secprov legacy ...` included. At the top
 * and group levels the first argument that is not an option is the
 * command; a subcommand's options may come before or after its arguments.
 * `--` ends the options of its level: what follows are arguments, and `--`
 * itself never is one. A secret NAME that begins with '-' must come after
 * `--`. Every usage error prints one line naming the problem and gives
 * exit status 2.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "secprov_name_rules.h"

enum {
    ID_CONFIG = 1000, ID_PROVIDER, ID_LOG_LEVEL, ID_HELP, ID_VERSION,
};

static const struct option global_options[] = {
    {"config", required_argument, NULL, ID_CONFIG},
    {"provider", required_argument, NULL, ID_PROVIDER},
    {"log-level", required_argument, NULL, ID_LOG_LEVEL},
    {"help", no_argument, NULL, ID_HELP},
    {"version", no_argument, NULL, ID_VERSION},
};
#define N_GLOBAL (sizeof global_options / sizeof global_options[0])

static int log_level_of(const char *s)
{
    static const char *const names[] = {"debug", "info", "warning", "error", "none"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return SECPROV_LOG_DEBUG + i;
    return SECPROV_LOG_UNSET;
}

static int global_option(int id, const char *value, cli_call *c)
{
    switch (id) {
    case ID_CONFIG:
        if (value[0] == '\0')
            return cli_error(CLI_USAGE, "--config needs a file name, not an empty string");
        c->opts.config_path = value;
        return CLI_OK;
    case ID_PROVIDER:
        if (!secprov_provider_name_rule_ok(value))     /* auto, tpm, legacy or an installed module */
            return cli_error(CLI_USAGE, "unknown provider '%s' (auto, tpm, legacy or the name of "
                             "an installed provider module: [a-z][a-z0-9_]{0,31})", value);
        c->opts.provider = value;
        return CLI_OK;
    case ID_LOG_LEVEL:
        c->opts.log_level = log_level_of(value);
        if (c->opts.log_level == SECPROV_LOG_UNSET)
            return cli_error(CLI_USAGE, "unknown log level '%s' (debug, info, warning, error "
                             "or none)", value);
        return CLI_OK;
    default:
        return cli_error(CLI_USAGE, "internal: option %d", id);
    }
}

struct level {
    int first;          /* index of the first argument */
    int dashdash;       /* the options ended with "--" */
    int help, version;
};

/* One getopt_long pass over argv (argv[0]: the level's name): cmd's own
 * options (NULL: none) and the global ones. permute 0: stop at the first
 * argument (it names the command). */
static int parse_level(int argc, char **argv, const cli_command *cmd, int permute,
                       const char *where, cli_call *c, struct level *lv)
{
    struct option longopts[CLI_OPTS_MAX + N_GLOBAL + 1];
    const char *last_value = NULL;
    size_t n = 0;
    const char *sep = where[0] != '\0' ? ": " : "", *sp = where[0] != '\0' ? " " : "";
    int ch, rc;

    memset(lv, 0, sizeof *lv);
    for (int k = 0; cmd != NULL && cmd->options != NULL && cmd->options[k].name != NULL; k++)
        longopts[n++] = (struct option){cmd->options[k].name,
                                        cmd->options[k].has_value ? required_argument : no_argument,
                                        NULL, k + 1};
    for (size_t g = 0; g < N_GLOBAL; g++)
        longopts[n++] = global_options[g];
    longopts[n] = (struct option){NULL, 0, NULL, 0};

    opterr = 0;
    optind = 0;                 /* glibc: start afresh at argv[1] */
    while ((ch = getopt_long(argc, argv, permute ? ":h" : "+:h", longopts, NULL)) != -1) {
        if (ch == '?' && optopt == 0)
            return cli_error(CLI_USAGE, "%s%sunknown option '%s' (see secprov%s%s --help)",
                             where, sep, argv[optind - 1], sp, where);
        if (ch == '?' && (optopt <= CLI_OPTS_MAX || optopt >= ID_CONFIG))
            return cli_error(CLI_USAGE, "%s%soption '%s' takes no value", where, sep,
                             argv[optind - 1]);
        if (ch == '?')
            return cli_error(CLI_USAGE, "%s%sunknown option '-%c' (see secprov%s%s --help)",
                             where, sep, optopt, sp, where);
        if (ch == ':')
            return cli_error(CLI_USAGE, "%s%soption '%s' needs a value", where, sep,
                             argv[optind - 1]);
        if (optarg != NULL)
            last_value = optarg;
        if (ch == 'h' || ch == ID_HELP)
            lv->help = 1;
        else if (ch == ID_VERSION)
            lv->version = 1;
        else if (ch >= 1 && ch <= CLI_OPTS_MAX)
            c->opt[ch - 1] = optarg != NULL ? optarg : "";
        else if ((rc = global_option(ch, optarg, c)) != CLI_OK)
            return rc;
    }
    lv->first = optind;
    lv->dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0 && argv[optind - 1] != last_value;
    return CLI_OK;
}

static const cli_command *find(const cli_command *const *table, const char *name)
{
    for (; *table != NULL; table++)
        if (strcmp((*table)->name, name) == 0)
            return *table;
    return NULL;
}

void cli_usage(FILE *to, const cli_command *const *table, const char *prefix)
{
    char left[128];

    if (prefix[0] == '\0')
        fputs("usage: secprov [--provider auto|tpm|legacy] [--config FILE] [--log-level LEVEL] "
              "COMMAND [ARG...]\n\ncommands:\n", to);
    else
        fprintf(to, "usage: secprov [GLOBAL OPTIONS] %s COMMAND [ARG...]\n\ncommands:\n", prefix);
    for (; *table != NULL; table++) {
        snprintf(left, sizeof left, "%s%s%s", (*table)->name, (*table)->synopsis[0] ? " " : "",
                 (*table)->synopsis);
        if (strlen(left) > 28)
            fprintf(to, "  %s\n  %-28s %s\n", left, "", (*table)->summary);
        else
            fprintf(to, "  %-28s %s\n", left, (*table)->summary);
    }
    if (prefix[0] == '\0')
        fputs("  help, --help, --version\n"
              "\n"
              "NAME is 1 to 64 of A-Z a-z 0-9 _ -; a NAME that begins with '-' goes after --\n"
              "(secprov unseal -- -name). Global options may also follow the command.\n"
              "Environment: SECURITY_PROVIDER, SECPROV_CONFIG, SECPROV_LOG_LEVEL,\n"
              "SECPROV_PROVIDER_DIR. Exit status: 0 ok, 1 failed, 2 usage.\n", to);
}

static void command_usage(FILE *to, const char *path, const cli_command *cmd)
{
    fprintf(to, "usage: secprov [GLOBAL OPTIONS] %s%s%s\n%s\n", path, cmd->synopsis[0] ? " " : "",
            cmd->synopsis, cmd->summary);
}

int cli_parse(int argc, char **argv, const cli_command *const *table, cli_call *c)
{
    static char path[128];
    const cli_command *cmd;
    struct level lv;
    int rc;

    memset(c, 0, sizeof *c);
    c->opts = (secprov_options)SECPROV_OPTIONS_INIT;
    path[0] = '\0';
    if ((rc = parse_level(argc, argv, NULL, 0, "", c, &lv)) != CLI_OK)
        return rc;
    if (lv.help || (lv.first < argc && strcmp(argv[lv.first], "help") == 0)) {
        cli_usage(stdout, table, "");
        return CLI_OK;
    }
    if (lv.version) {
        printf("secprov %s\n", secprov_version());
        return CLI_OK;
    }
    if (lv.first >= argc)
        return cli_error(CLI_USAGE, "no command given (see secprov --help)");
    if ((cmd = find(table, argv[lv.first])) == NULL)
        return cli_error(CLI_USAGE, "unknown command '%s' (see secprov --help)", argv[lv.first]);
    snprintf(path, sizeof path, "%s", cmd->name);
    argc -= lv.first;
    argv += lv.first;

    while (cmd->group != NULL) {
        if ((rc = parse_level(argc, argv, NULL, 0, path, c, &lv)) != CLI_OK)
            return rc;
        if (lv.help) {
            cli_usage(stdout, cmd->group, path);
            return CLI_OK;
        }
        if (lv.version)
            break;
        if (lv.first >= argc)
            return cli_error(CLI_USAGE, "%s: no command given (see secprov %s --help)", path, path);
        const cli_command *sub = find(cmd->group, argv[lv.first]);
        if (sub == NULL)
            return cli_error(CLI_USAGE, "unknown %s command '%s' (see secprov %s --help)", path,
                             argv[lv.first], path);
        size_t used = strlen(path);
        snprintf(path + used, sizeof path - used, " %s", sub->name);
        cmd = sub;
        argc -= lv.first;
        argv += lv.first;
    }

    if (!lv.version && (rc = parse_level(argc, argv, cmd, 1, path, c, &lv)) != CLI_OK)
        return rc;
    if (lv.version) {
        printf("secprov %s\n", secprov_version());
        return CLI_OK;
    }
    if (lv.help) {
        command_usage(stdout, path, cmd);
        return CLI_OK;
    }
    c->argc = argc - lv.first;
    c->argv = argv + lv.first;
    if (c->argc < cmd->min_args || c->argc > cmd->max_args) {
        const char *what = c->argc < cmd->min_args ? "too few arguments" : "too many arguments";
        return cli_error(CLI_USAGE, "%s: %s (usage: secprov %s%s%s)", path, what, path,
                         cmd->synopsis[0] ? " " : "", cmd->synopsis);
    }
    if (cmd->name_arg) {
        const char *name = c->argv[0];
        if (name[0] == '-' && !lv.dashdash)
            return cli_error(CLI_USAGE, "%s: the name '%s' begins with '-': put -- before it "
                             "(secprov %s -- %s)", path, name, path, name);
        if (secprov_name_check(name) != SECPROV_OK)
            return cli_error(CLI_USAGE, "invalid name '%s' (1 to 64 of A-Z a-z 0-9 _ -)", name);
    }
    c->cmd = cmd;
    c->path = path;
    return CLI_OK;
}
