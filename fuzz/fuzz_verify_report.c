/* libFuzzer: secprov_verify_report() on any input: report, enrollment and
 * expected PCRs, separated by NUL bytes (a missing part is NULL / empty).
 * It must return one of its results with a detail line, never crash or
 * leak. The corpus seeds are a genuine swtpm report with its enrollment. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secprov_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3), *parts[3] = {NULL, NULL, NULL}, detail[256];
    size_t n = 0;

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    for (char *p = buf; n < 3 && p <= buf + size; p += strlen(p) + 1)
        parts[n++] = p;
    static const unsigned char nonce[16] = {0x5e, 0xc9, 0x40, 0x11, 0x8d, 0x4a, 0x60, 0x7b,
                                            0x33, 0x02, 0xfa, 0x19, 0xc6, 0x71, 0x0e, 0x84};
    int rc = secprov_verify_report(parts[0], nonce, sizeof nonce, parts[1] ? parts[1] : "",
                                   parts[2] != NULL && parts[2][0] != '\0' ? parts[2] : NULL,
                                   detail, sizeof detail);
    if (rc < 0 || rc > SECPROV_VERIFY_EK_CERTIFICATE || strcmp(secprov_verify_reason(rc), "unknown") == 0 ||
        detail[0] == '\0' || memchr(detail, '\0', sizeof detail) == NULL)
        abort();
    free(buf);
    return 0;
}
