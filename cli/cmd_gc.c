/* `secprov gc [--dry-run]`: the store's leftovers (docs/tpm-store.md), one
 * line each: "removed NAME LOCATION: REASON" ("would remove" with
 * --dry-run, which removes nothing), then "N leftover(s)". */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "secprov.h"

struct gc_out {
    const char *verb;
    size_t count;
};

static void print_leftover(const char *name, const char *location, const char *reason, void *user)
{
    struct gc_out *out = user;
    printf("%s %s %s: %s\n", out->verb, name, location, reason);
    out->count++;
}

static int run_gc(cli_call *c)
{
    int dry_run = c->opt[0] != NULL;
    struct gc_out out = {dry_run ? "would remove" : "removed", 0};
    secprov *sp;
    int rc = cli_need_stdout(c);

    if (rc != CLI_OK || (rc = cli_open(c, &sp)) != CLI_OK)
        return rc;
    int st = secprov_gc(sp, dry_run, print_leftover, &out);
    printf("%zu leftover(s)%s\n", out.count, dry_run ? ", none removed (dry run)" : " removed");
    if (fflush(stdout) != 0)
        rc = cli_error(CLI_FAIL, "gc: cannot write to stdout: %s", strerror(errno));
    else if (st != SECPROV_OK)
        rc = cli_fail_status("gc", NULL, st);
    secprov_close(sp);
    return rc;
}

static const cli_option gc_options[] = {{"dry-run", 0}, {NULL, 0}};

const cli_command cli_cmd_gc = {
    "gc", "[--dry-run]", "remove (with --dry-run: list) the store's leftover objects",
    gc_options, 0, 0, 0, run_gc, NULL, 1,
};
