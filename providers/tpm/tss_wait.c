/* Bounded tpm2-tss calls: see tss_wait.h. */
#include "tss_wait.h"

#include <poll.h>
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

/* FAPI's poll handles are its pending file, else the TPM's. FAPI also says
 * TRY_AGAIN when it only moved to its next state (nothing to wait for): a
 * poll on the TPM then would sleep for nothing. So each wait is one short
 * slice: a pending answer wakes it at once, a bare state change costs at
 * most a slice. */
#define WAIT_SLICE_MS 1

TSS2_RC fapi_wait_io(FAPI_CONTEXT *fapi, const tpm_deadline *deadline)
{
    FAPI_POLL_HANDLE *handles = NULL;
    size_t n = 0;
    int left = tpm_deadline_left_ms(deadline);

    if (left == 0)
        return TSS_RC_DEADLINE;
    if (Fapi_GetPollHandles(fapi, &handles, &n) != TSS2_RC_SUCCESS || n == 0) {
        Fapi_Free(handles);
        return TSS2_RC_SUCCESS;
    }
    (void)poll(handles, (nfds_t)n, left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS);
    Fapi_Free(handles);
    return TSS2_RC_SUCCESS;     /* ready, a hang-up or the slice's end: _Finish tells */
}
