/* Bounded tpm2-tss calls: see tss_wait.h. */
#include "tss_wait.h"

#include <stdlib.h>

void tpm_deadline_set(tpm_deadline *d, int ms_from_now)
{
    clock_gettime(CLOCK_MONOTONIC, d);
    d->tv_sec += ms_from_now / 1000;
    d->tv_nsec += (long)(ms_from_now % 1000) * 1000000L;
    if (d->tv_nsec >= 1000000000L) {
        d->tv_sec++;
        d->tv_nsec -= 1000000000L;
    }
}

int tpm_deadline_left_ms(const tpm_deadline *d)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)(d->tv_sec - now.tv_sec) * 1000 +
                   (d->tv_nsec - now.tv_nsec) / 1000000L;
    return ms <= 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms;
}
