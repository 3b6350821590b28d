/* secprov verify's options and JSON breakdown: see verify_breakdown.h. */
#include "verify_breakdown.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int cli_verify_seconds(const char *text, long long *out)
{
    char *end;

    errno = 0;
    *out = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || *out < 0 || *out > 1000000000000LL)
        return -1;
    return 0;
}

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static const char *check_name(int v)
{
    return v == SECPROV_VERIFY_PASS ? "pass" : v == SECPROV_VERIFY_FAIL ? "fail" : "not_checked";
}

void cli_verify_print_json(const char *reason, const char *detail,
                           const secprov_verify_breakdown *b)
{
    const struct {
        const char *name;
        int value;
    } checks[] = {
        {"signature", b->signature}, {"ak_binding", b->ak_binding}, {"nonce", b->nonce},
        {"freshness", b->freshness}, {"pcr_drift", b->pcr_drift}, {"mldsa", b->mldsa},
        {"activation", b->activation},
    };

    printf("{\"result\": ");
    json_string(reason);
    printf(", \"detail\": ");
    json_string(detail);
    printf(", \"checks\": {");
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        printf("%s\"%s\": \"%s\"", i ? ", " : "", checks[i].name, check_name(checks[i].value));
    printf("}}\n");
}
