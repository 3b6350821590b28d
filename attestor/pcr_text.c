/* "BANK:INDEX=HEX", the config's way of writing an expected PCR. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attestor.h"

int at_pcr_parse(const char *text, at_pcr *out, char *why, size_t why_len)
{
    static const struct { const char *name; size_t len; } banks[] = {
        {"sha1", 20}, {"sha256", 32}, {"sha384", 48}, {"sha512", 64}};
    const char *colon = strchr(text, ':'), *eq;
    char *end;
    size_t blen, hlen;
    long idx;

    memset(out, 0, sizeof *out);
    if (colon == NULL || (eq = strchr(colon, '=')) == NULL) {
        snprintf(why, why_len, "not BANK:INDEX=HEX (e.g. sha256:7=...)");
        return -1;
    }
    blen = (size_t)(colon - text);
    for (size_t i = 0; i < sizeof banks / sizeof banks[0]; i++) {
        if (strlen(banks[i].name) != blen || strncmp(text, banks[i].name, blen) != 0)
            continue;
        if (!isdigit((unsigned char)colon[1])) {
            snprintf(why, why_len, "the PCR index must be 0 to 23");
            return -1;
        }
        idx = strtol(colon + 1, &end, 10);
        if (end != eq || idx < 0 || idx > 23) {
            snprintf(why, why_len, "the PCR index must be 0 to 23");
            return -1;
        }
        hlen = strlen(eq + 1);
        if (hlen != 2 * banks[i].len) {
            snprintf(why, why_len, "a %s value is %zu hex digits, not %zu", banks[i].name,
                     2 * banks[i].len, hlen);
            return -1;
        }
        for (size_t k = 0; k < hlen; k++) {
            if (!isxdigit((unsigned char)eq[1 + k])) {
                snprintf(why, why_len, "the value is not hex (at digit %zu)", k + 1);
                return -1;
            }
            out->hex[k] = (char)tolower((unsigned char)eq[1 + k]);
        }
        memcpy(out->bank, text, blen);
        out->index = (int)idx;
        return 0;
    }
    snprintf(why, why_len, "unknown bank (sha1, sha256, sha384 or sha512)");
    return -1;
}
