/* libFuzzer: secprov_verify_bundle() on any input: bundle, enrollment and
 * expected PCRs, separated by NUL bytes (a missing part is NULL), with and
 * without a verifier's nonce. It must return one of its results with a
 * detail line, never crash or leak. The corpus seeds are a genuine swtpm
 * bundle (nonce 00112233aabb) with its enrollment, and the whole
 * /api/v1/attest answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secprov_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3), *parts[3] = {NULL, NULL, NULL}, detail[256];
    static const unsigned char nonce[] = {0x00, 0x11, 0x22, 0x33, 0xaa, 0xbb};
    size_t n = 0;

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    for (char *p = buf; n < 3 && p <= buf + size; p += strlen(p) + 1)
        parts[n++] = p;
    for (int with_nonce = 0; with_nonce < 2; with_nonce++) {
        int rc = secprov_verify_bundle(parts[0], with_nonce ? nonce : NULL,
                                       with_nonce ? sizeof nonce : 0,
                                       parts[1] != NULL ? parts[1] : "",
                                       parts[2] != NULL && parts[2][0] != '\0' ? parts[2] : NULL,
                                       NULL, NULL, detail, sizeof detail);
        if (rc < 0 || rc > SECPROV_VERIFY_MALFORMED_BUNDLE ||
            strcmp(secprov_verify_reason(rc), "unknown") == 0 || detail[0] == '\0' ||
            memchr(detail, '\0', sizeof detail) == NULL)
            abort();
    }
    free(buf);
    return 0;
}
