/*
 * Reading a file in a state folder (state_files.h): only a private regular
 * file of this user, never through a symlink, of at most a given size.
 */
#include "state_files.h"
#include "state_files_os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secprov.h"

/* Open dir/file for reading if it is a private regular file of this user
 * (no symlink followed, no fifo or device, not group/world-writable) of at
 * most max bytes: the fd, or a negative status. */
static int open_checked(const char *dir, const char *file, size_t max, struct stat *st)
{
    int dfd, fd, rc = SECPROV_OK;

    sp_os_error_begin(dir, file);
    dfd = sp_open_dir(dir);
    if (dfd < 0)
        return sp_status_from_errno(errno);
    fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    int err = errno;
    close(dfd);
    if (fd < 0)
        return sp_status_from_errno(err);

    if (fstat(fd, st) != 0) {
        rc = sp_status_from_errno(errno);
    } else if (!S_ISREG(st->st_mode)) {
        rc = SECPROV_ERR_PERMISSION;          /* a fifo/device planted there */
    } else if (st->st_uid != geteuid() || (st->st_mode & 022) != 0) {
        rc = SECPROV_ERR_PERMISSION;          /* someone else could have written it */
    } else if ((uintmax_t)st->st_size > max) {
        rc = SECPROV_ERR_TOO_LARGE;
    }
    if (rc != SECPROV_OK) {
        close(fd);
        return rc;
    }
    return fd;
}

int sp_file_check(const char *dir, const char *file, size_t max)
{
    struct stat st;
    int fd = open_checked(dir, file, max, &st);

    if (fd < 0)
        return fd;
    close(fd);
    return SECPROV_OK;
}

int sp_file_read(const char *dir, const char *file, size_t max, void **data, size_t *len)
{
    struct stat st;
    unsigned char *buf = NULL;
    size_t cap, used = 0;
    int fd, rc = SECPROV_OK;

    *data = NULL;
    *len = 0;
    if ((fd = open_checked(dir, file, max, &st)) < 0)
        return fd;

    cap = (size_t)st.st_size + 1;             /* +1 to notice growth */
    buf = malloc(cap);
    if (buf == NULL) {
        close(fd);
        return SECPROV_ERR_NOMEM;
    }
    for (;;) {
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = sp_status_from_errno(errno);
            break;
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used == cap) {                    /* grew while we read: refuse */
            rc = SECPROV_ERR_IO;
            break;
        }
    }
    close(fd);
    if (rc != SECPROV_OK) {
        explicit_bzero(buf, cap);
        free(buf);
        return rc;
    }
    *data = buf;
    *len = used;
    return SECPROV_OK;
}
