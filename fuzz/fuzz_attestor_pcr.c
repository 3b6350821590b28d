/* libFuzzer: the attestor's "BANK:INDEX=HEX" (attestor/pcr_text.c). What
 * it accepts is a known bank, an index 0..23 and exactly that bank's digest
 * in lower-case hex; what it refuses says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attestor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), why[AT_WHY] = "";
    at_pcr p;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';                /* a C string ends at the first NUL */
    if (at_pcr_parse(text, &p, why, sizeof why) == 0) {
        size_t want = !strcmp(p.bank, "sha1")     ? 40
                      : !strcmp(p.bank, "sha256") ? 64
                      : !strcmp(p.bank, "sha384") ? 96
                      : !strcmp(p.bank, "sha512") ? 128 : 0;
        if (want == 0 || p.index < 0 || p.index > 23 || strlen(p.hex) != want ||
            strspn(p.hex, "0123456789abcdef") != want)
            abort();
    } else if (why[0] == '\0') {
        abort();                      /* every refusal says why */
    }
    free(text);
    return 0;
}
