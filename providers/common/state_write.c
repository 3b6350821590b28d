/*
 * Changing a file in a state folder (state_files.h): the atomic replace
 * (a locked temp file in the same folder, fsync, rename, fsync the folder;
 * the temp file protocol is in state_files_os.h) and the removal.
 */
#include "state_files.h"
#include "state_files_os.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "secprov.h"

int sp_write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Make and lock the temp file tmp in the folder open at dfd (see TEMP_PREFIX):
 * its fd, or -1 with errno set. */
static int temp_create(int dfd, const char *tmp)
{
    int fd, err = 0;

    while (flock(dfd, LOCK_SH) != 0)
        if (errno != EINTR)
            return -1;
    fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        err = errno;
        unlinkat(dfd, tmp, 0);
        close(fd);
        fd = -1;
    }
    if (fd < 0 && err == 0)
        err = errno;
    flock(dfd, LOCK_UN);
    errno = err;
    return fd;
}

int sp_file_write_atomic(const char *dir, const char *file, const void *data, size_t len)
{
    char tmp[NAME_MAX + 1];
    uint32_t rnd = 0;
    int dfd, fd, err = 0;

    if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        rnd = (uint32_t)getpid() ^ (uint32_t)(uintptr_t)&rnd;
    int n = snprintf(tmp, sizeof(tmp), TEMP_PREFIX "%ld.%08" PRIx32 ".%s",
                     (long)getpid(), rnd, file);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return SECPROV_ERR_TOO_LARGE;

    sp_os_error_begin(dir, file);
    dfd = sp_open_dir(dir);
    if (dfd < 0)
        return sp_status_from_errno(errno);
    fd = temp_create(dfd, tmp);
    if (fd < 0) {
        err = errno;
        close(dfd);
        return sp_status_from_errno(err);
    }
    err = sp_write_all(fd, data, len);
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    /* Renamed while still locked: the sweep never takes a live file. */
    if (err == 0 && renameat(dfd, tmp, dfd, file) != 0)
        err = errno;
    if (err != 0)
        unlinkat(dfd, tmp, 0);
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err != 0) {
        close(dfd);
        return err == ENOENT ? SECPROV_ERR_IO : sp_status_from_errno(err);
    }
    /* The rename is durable only once the folder is synced. */
    if (fsync(dfd) != 0)
        err = errno;
    close(dfd);
    return err == 0 ? SECPROV_OK : sp_status_from_errno(err);
}

static int remove_file(const char *dir, const char *file, int sync)
{
    sp_os_error_begin(dir, file);
    int dfd = sp_open_dir(dir);
    int err = 0;

    if (dfd < 0)
        return sp_status_from_errno(errno);
    if (unlinkat(dfd, file, 0) != 0)
        err = errno;
    else if (sync && fsync(dfd) != 0)
        err = errno;
    close(dfd);
    return err == 0 ? SECPROV_OK : sp_status_from_errno(err);
}

int sp_file_remove(const char *dir, const char *file)
{
    return remove_file(dir, file, 1);
}

int sp_file_remove_unsynced(const char *dir, const char *file)
{
    return remove_file(dir, file, 0);
}
