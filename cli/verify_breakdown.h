/* `secprov verify`'s options beyond the report's own (--max-skew, --since,
 * --now) and its --json output: the breakdown (docs/attestation.md). */
#ifndef SECPROV_CLI_VERIFY_BREAKDOWN_H
#define SECPROV_CLI_VERIFY_BREAKDOWN_H

#include "secprov_verify.h"

/* Seconds from an option's text: 0, or -1 (not a whole number 0..10^12). */
int cli_verify_seconds(const char *text, long long *out);

/* {"result": "ok"|reason, "detail": ..., "checks": {"signature": "pass", ...}}
 * on stdout. */
void cli_verify_print_json(const char *reason, const char *detail,
                           const secprov_verify_breakdown *b);

#endif
