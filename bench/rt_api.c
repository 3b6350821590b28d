/*
 * rt_api N SIZE: N seal+unseal round-trips of a SIZE-byte secret through the
 * public API with one open handle (provider and config from the
 * environment). Prints one latency in microseconds a line, then checks the
 * bytes every time. Exit 1 on any failure. RT_UNIQUE=1: a new name each
 * time (so no earlier generation is deleted by the seal). RT_NAME: the
 * name (default "bench"), so that processes running at once can differ.
 * RT_HOLD=1: after the round-trips print "held" and wait, handle open, until
 * killed (tests/tpm/test_sessions.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "secprov.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100;
    size_t size = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 32;
    unsigned char *data = malloc(size ? size : 1);
    secprov *sp;
    int rc;

    for (size_t i = 0; i < size; i++)
        data[i] = (unsigned char)(i * 31 + 7);
    double t0 = now_us();
    if ((rc = secprov_open(&sp, NULL)) != SECPROV_OK) {
        fprintf(stderr, "rt_api: open: %s\n", secprov_strerror(rc));
        return 1;
    }
    fprintf(stderr, "rt_api: provider %s, open %.0f us\n", secprov_provider_name(sp), now_us() - t0);
    for (int i = 0; i < n; i++) {
        void *out;
        size_t len;
        char name[64];
        const char *base = getenv("RT_NAME") != NULL ? getenv("RT_NAME") : "bench";
        if (getenv("RT_UNIQUE") != NULL)       /* no earlier generation to delete */
            snprintf(name, sizeof name, "%.40s%d", base, i);
        else
            snprintf(name, sizeof name, "%.40s", base);
        data[0] = (unsigned char)i;
        double t = now_us();
        if ((rc = secprov_seal(sp, name, data, size)) != SECPROV_OK ||
            (rc = secprov_unseal(sp, name, &out, &len)) != SECPROV_OK) {
            fprintf(stderr, "rt_api: round-trip %d: %s\n", i, secprov_strerror(rc));
            return 1;
        }
        double dt = now_us() - t;
        int same = len == size && memcmp(out, data, size) == 0;
        secprov_free(out, len);
        if (!same) {
            fprintf(stderr, "rt_api: round-trip %d returned other bytes\n", i);
            return 1;
        }
        printf("%.0f\n", dt);
    }
    if (getenv("RT_HOLD") != NULL) {
        printf("held\n");
        fflush(stdout);
        for (;;)
            pause();
    }
    secprov_close(sp);
    free(data);
    return 0;
}
