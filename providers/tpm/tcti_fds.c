/* The TCTI's fds close-on-exec: see tcti_fds.h. */
#include "tcti_fds.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

size_t tpm_tcti_fds(TSS2_TCTI_CONTEXT *tcti, tpm_fd_id *ids, size_t max)
{
    TSS2_TCTI_POLL_HANDLE h[8];
    struct stat st;
    size_t n = 0, got = 0;

    if (tcti == NULL || Tss2_Tcti_GetPollHandles(tcti, NULL, &n) != TSS2_RC_SUCCESS ||
        n == 0 || n > sizeof h / sizeof h[0] ||
        Tss2_Tcti_GetPollHandles(tcti, h, &n) != TSS2_RC_SUCCESS)
        return 0;
    for (size_t i = 0; i < n && got < max; i++)
        if (fstat(h[i].fd, &st) == 0)
            ids[got++] = (tpm_fd_id){h[i].fd, st.st_dev, st.st_ino};
    return got;
}

void tpm_fd_close_if_same(const tpm_fd_id *id)
{
    struct stat st;

    if (id->fd >= 0 && fstat(id->fd, &st) == 0 && st.st_dev == id->dev && st.st_ino == id->ino)
        close(id->fd);
}
