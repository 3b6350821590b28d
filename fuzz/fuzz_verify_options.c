/* libFuzzer: secprov_verify_report2() with its options and breakdown: the
 * first 16 bytes are `now` and `max_skew_s` (little-endian, as they come),
 * the rest report, enrollment (the v2 reader: one key per member, ek, srk),
 * expected PCRs and the --since report, separated by NUL bytes. It must
 * return one of its results with a detail line and a breakdown of known
 * values, never crash or leak. Seeds: a genuine swtpm v2 report, its
 * enrollment and a second report of the same boot. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secprov_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int known(int v)
{
    return v == SECPROV_VERIFY_NOT_CHECKED || v == SECPROV_VERIFY_PASS || v == SECPROV_VERIFY_FAIL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    secprov_verify_options o = {.size = sizeof o};
    secprov_verify_breakdown b = {.size = sizeof b};
    char *buf, *parts[4] = {NULL, NULL, NULL, NULL}, detail[256];
    size_t n = 0;
    int64_t t[2];

    if (size < sizeof t)
        return 0;
    memcpy(t, data, sizeof t);
    o.now = t[0];
    o.max_skew_s = t[1];
    data += sizeof t, size -= sizeof t;
    if ((buf = malloc(size + 4)) == NULL)
        return 0;
    memcpy(buf, data, size);
    memset(buf + size, 0, 4);
    for (char *p = buf; n < 4 && p <= buf + size; p += strlen(p) + 1)
        parts[n++] = p;
    o.since = parts[3] != NULL && parts[3][0] != '\0' ? parts[3] : NULL;
    static const unsigned char nonce[16] = {0x5e, 0xc9, 0x40, 0x11, 0x8d, 0x4a, 0x60, 0x7b,
                                            0x33, 0x02, 0xfa, 0x19, 0xc6, 0x71, 0x0e, 0x84};
    int rc = secprov_verify_report2(parts[0], nonce, sizeof nonce, parts[1] ? parts[1] : "",
                                    parts[2] != NULL && parts[2][0] != '\0' ? parts[2] : NULL,
                                    &o, &b, detail, sizeof detail);
    if (rc < 0 || strcmp(secprov_verify_reason(rc), "unknown") == 0 || detail[0] == '\0' ||
        memchr(detail, '\0', sizeof detail) == NULL || (rc != 0 && strcmp(detail, "ok") == 0) ||
        b.size != sizeof b || !known(b.signature) || !known(b.ak_binding) || !known(b.nonce) ||
        !known(b.freshness) || !known(b.pcr_drift) || !known(b.mldsa) || !known(b.activation))
        abort();
    free(buf);
    return 0;
}
