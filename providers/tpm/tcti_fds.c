/* The TCTI's fds close-on-exec: see tcti_fds.h. */
#include "tcti_fds.h"

#include <fcntl.h>

void tpm_tcti_cloexec(TSS2_TCTI_CONTEXT *tcti)
{
    TSS2_TCTI_POLL_HANDLE h[8];
    size_t n = 0;

    if (tcti == NULL || Tss2_Tcti_GetPollHandles(tcti, NULL, &n) != TSS2_RC_SUCCESS)
        return;                               /* none kept open (swtpm) */
    if (n == 0 || n > sizeof h / sizeof h[0] ||
        Tss2_Tcti_GetPollHandles(tcti, h, &n) != TSS2_RC_SUCCESS)
        return;
    for (size_t i = 0; i < n; i++) {
        int flags = fcntl(h[i].fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC))
            fcntl(h[i].fd, F_SETFD, flags | FD_CLOEXEC);
    }
}
