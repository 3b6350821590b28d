/* libFuzzer: secprov_verify_block() on any input: block, enrollment and
 * expected PCRs, separated by NUL bytes (a missing part is NULL). It must
 * return one of its results with a detail line, never crash or leak. The
 * corpus seeds are a genuine swtpm block (payload id "req-4711/answer")
 * with its enrollment, and an unavailable block. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secprov_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3), *parts[3] = {NULL, NULL, NULL}, detail[256];
    static const char id[] = "req-4711/answer";
    size_t n = 0;

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    for (char *p = buf; n < 3 && p <= buf + size; p += strlen(p) + 1)
        parts[n++] = p;
    int rc = secprov_verify_block(parts[0], id, sizeof id - 1,
                                  parts[1] != NULL && parts[1][0] != '\0' ? parts[1] : NULL,
                                  parts[2] != NULL && parts[2][0] != '\0' ? parts[2] : NULL,
                                  detail, sizeof detail);
    if (rc < 0 || rc > SECPROV_VERIFY_NOMEM || strcmp(secprov_verify_reason(rc), "unknown") == 0 ||
        detail[0] == '\0' || memchr(detail, '\0', sizeof detail) == NULL)
        abort();
    free(buf);
    return 0;
}
