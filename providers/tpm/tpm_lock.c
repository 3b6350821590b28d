/* The tpm provider's cross-process lock: see tpm_lock.h. */
#include "tpm_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "secprov.h"
#include "state_files.h"

int tpm_lock_open(tpm_lock *l, const char *state_dir, int timeout_ms, char *why, size_t why_len)
{
    int err;

    l->fd = -1;
    l->timeout_ms = timeout_ms;
    if (sp_path_join(l->path, sizeof l->path, state_dir, "lock") != SECPROV_OK) {
        snprintf(why, why_len, "state folder path too long: %s", state_dir);
        return SECPROV_ERR_TOO_LARGE;
    }
    l->fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (l->fd >= 0)
        return SECPROV_OK;
    err = errno;
    if (err == EROFS || err == EACCES || err == EPERM) {         /* cannot write here */
        l->fd = open(l->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (l->fd >= 0)
            return SECPROV_OK;
        if (errno == ENOENT) {                                     /* lock the folder */
            snprintf(l->path, sizeof l->path, "%s", state_dir);
            l->fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (l->fd >= 0)
                return SECPROV_OK;
        }
        err = errno;
    }
    snprintf(why, why_len, "cannot open the lock %s: %s", l->path, strerror(err));
    return err == ELOOP ? SECPROV_ERR_PERMISSION : SECPROV_ERR_IO;
}

static long now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int tpm_lock_take(tpm_lock *l, char *why, size_t why_len)
{
    long start = now_ms(), pause_ms = 1;

    while (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
        long waited = now_ms() - start;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            snprintf(why, why_len, "cannot lock %s: %s", l->path, strerror(errno));
            return SECPROV_ERR_IO;
        }
        if (waited >= l->timeout_ms) {
            snprintf(why, why_len, "another process holds the lock %s (waited %d ms: "
                     "tpm.lock_timeout_ms)", l->path, l->timeout_ms);
            return SECPROV_ERR_BUSY;
        }
        if (pause_ms > l->timeout_ms - waited)
            pause_ms = l->timeout_ms - waited;
        struct timespec pause = {pause_ms / 1000, (pause_ms % 1000) * 1000000};
        nanosleep(&pause, NULL);
        if (pause_ms < 20)
            pause_ms *= 2;
    }
    return SECPROV_OK;
}

void tpm_lock_release(tpm_lock *l)
{
    flock(l->fd, LOCK_UN);
}

void tpm_lock_close(tpm_lock *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}
