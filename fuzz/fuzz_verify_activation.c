/* libFuzzer: credential activation's parsers on any input: enrollment,
 * the kept challenge state and the device's answer, separated by NUL bytes.
 * secprov_verify_make_credential() on the enrollment and
 * secprov_verify_enroll() on all three must return a known result, a
 * detail that is not "ok" on a refusal, and outputs only on success;
 * never crash or leak. Seeds: a genuine swtpm enrollment and its state. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secprov_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rc, const char *detail, const void *out)
{
    if (rc < 0 || strcmp(secprov_verify_reason(rc), "unknown") == 0 || detail[0] == '\0' ||
        (rc != 0 && (strcmp(detail, "ok") == 0 || out != NULL)) || (rc == 0 && out == NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3), *parts[3] = {NULL, NULL, NULL}, detail[256], *state = NULL,
         *record = NULL;
    unsigned char *cred = NULL;
    size_t n = 0, cred_len = 0;

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    for (char *p = buf; n < 3 && p <= buf + size; p += strlen(p) + 1)
        parts[n++] = p;
    const char *enr = parts[0], *st = parts[1] ? parts[1] : "", *ans = parts[2] ? parts[2] : "";
    int rc = secprov_verify_make_credential(enr, &cred, &cred_len, &state, detail, sizeof detail);
    check(rc, detail, cred);
    secprov_verify_free(cred);
    secprov_verify_free(state);
    rc = secprov_verify_enroll(enr, st, ans, strlen(ans), &record, detail, sizeof detail);
    check(rc, detail, record);
    secprov_verify_free(record);
    free(buf);
    return 0;
}
