/*
 * The temp file sweep (state_files.h): removes the temp files of writers
 * that died mid-write, keeping those a live writer holds locked (the
 * protocol: state_files_os.h).
 */
#include "state_files.h"
#include "state_files_os.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Remove the temp file entry of the folder open at dfd if no writer holds
 * its lock (see TEMP_PREFIX). */
static void temp_remove_if_dead(int dfd, const char *entry)
{
    struct stat a, b;
    int fd = openat(dfd, entry, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0)
        return;
    if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        fstatat(dfd, entry, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        unlinkat(dfd, entry, 0);                      /* still the file we locked */
    close(fd);
}

void sp_temp_sweep(const char *dir)
{
    struct dirent *de;
    int dfd = sp_open_dir(dir);
    DIR *d;

    if (dfd < 0)
        return;
    d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return;
    }
    while (flock(dfd, LOCK_EX) != 0)
        if (errno != EINTR) {
            closedir(d);
            return;
        }
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0)
            temp_remove_if_dead(dfd, de->d_name);
    flock(dfd, LOCK_UN);            /* explicitly: a child forked meanwhile shares the fd's */
    closedir(d);                    /* open file description, so a close would not release it */
}
