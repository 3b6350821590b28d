/* `secprov gc [--dry-run]`: the store's leftovers (docs/tpm-store.md), one
 * line each: "removed NAME LOCATION: REASON" ("would remove" with
 * --dry-run, which removes nothing), then "N leftover(s)". */
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

int cli_cmd_gc(secprov *sp, int argc, char **argv)
{
    int dry_run = argc == 2 && strcmp(argv[1], "--dry-run") == 0;

    if (argc > 2 || (argc == 2 && !dry_run))
        return cli_error(CLI_USAGE, "usage: secprov gc [--dry-run]");
    struct gc_out out = {dry_run ? "would remove" : "removed", 0};
    int rc = secprov_gc(sp, dry_run, print_leftover, &out);
    printf("%zu leftover(s)%s\n", out.count, dry_run ? ", none removed (dry run)" : " removed");
    if (fflush(stdout) != 0)
        return cli_error(CLI_FAIL, "gc: cannot write to stdout");
    if (rc != SECPROV_OK) {
        const char *why = secprov_last_error();
        return why[0] != '\0' ? cli_error(CLI_FAIL, "gc: %s (%s)", secprov_strerror(rc), why)
                              : cli_error(CLI_FAIL, "gc: %s", secprov_strerror(rc));
    }
    return CLI_OK;
}
