/*
 * The state folder and the folders in it (state_files.h): made 0700 and
 * synced into their parents, checked (ours, a real folder, not writable by
 * others), asked whether writable; symlinks never followed. And the joining
 * of a folder and a file name.
 */
#include "state_files.h"
#include "state_files_os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "secprov.h"

int sp_path_join(char *out, size_t out_len, const char *dir, const char *file)
{
    int n = snprintf(out, out_len, "%s/%s", dir, file);

    if (n < 0 || (size_t)n >= out_len)
        return SECPROV_ERR_TOO_LARGE;
    return SECPROV_OK;
}

__attribute__((format(printf, 3, 4)))
static void say(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;

    if (why == NULL || why_len == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
}

/* Sync the folder open at fd (possibly an O_PATH fd, which fsync refuses)
 * so that an entry just made in it is durable. A folder this process may
 * search and write but not read cannot be opened for that: then it is left
 * as the kernel writes it back. 0 or an errno. */
static int sync_dir(int fd)
{
    int d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

    if (d < 0)
        return errno == EACCES ? 0 : errno;
    if (fsync(d) != 0)
        err = errno;
    close(d);
    return err;
}

/* Make the missing folders of rel (a/b/c) under the folder open at fd,
 * which this closes: each one 0700 and synced into its parent, so that a
 * file later synced inside it survives a power cut. Intermediate folders
 * are only looked up (O_PATH: search permission is enough, as for mkdir -p);
 * one that is a symlink is followed only if follow. The last component is
 * made if absent but not entered (the caller checks it). 0 or an errno. */
static int make_dirs_at(int fd, const char *rel, int follow)
{
    char path[4096], *save = NULL, *next;
    int err = 0;

    if (strlen(rel) >= sizeof path) {
        close(fd);
        return ENAMETOOLONG;
    }
    strcpy(path, rel);
    for (char *p = strtok_r(path, "/", &save); p != NULL && err == 0; p = next) {
        next = strtok_r(NULL, "/", &save);
        if (mkdirat(fd, p, 0700) == 0)
            err = sync_dir(fd);
        else if (errno != EEXIST)
            err = errno;
        if (err == 0 && next != NULL) {
            int sub = openat(fd, p, O_PATH | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
            if (sub < 0)
                err = errno;
            close(fd);
            fd = sub;
        }
    }
    if (fd >= 0)
        close(fd);
    return err;
}

/* mkdir -p with mode 0700 for every missing component, each synced. */
static int make_dirs(const char *dir)
{
    int fd = open(dir[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? errno : make_dirs_at(fd, dir, 1);
}

int sp_state_dir_prepare(const char *dir, char *why, size_t why_len)
{
    struct stat st;
    int err;

    if (dir == NULL || dir[0] == '\0') {
        say(why, why_len, "state folder not set");
        return SECPROV_ERR_CONFIG;
    }
    sp_os_error_begin(dir, NULL);
    err = make_dirs(dir);
    if (err != 0) {
        say(why, why_len, "cannot create state folder %s: %s", dir, strerror(err));
        return sp_status_from_errno(err);
    }
    if (lstat(dir, &st) != 0) {
        err = errno;
        say(why, why_len, "cannot stat state folder %s: %s", dir, strerror(err));
        return sp_status_from_errno(err);
    }
    if (S_ISLNK(st.st_mode)) {
        say(why, why_len, "state folder %s is a symlink (refused)", dir);
        return SECPROV_ERR_PERMISSION;
    }
    if (!S_ISDIR(st.st_mode)) {
        say(why, why_len, "state folder %s is not a directory", dir);
        return SECPROV_ERR_IO;
    }
    if (st.st_uid != geteuid()) {
        say(why, why_len, "state folder %s is owned by another user (refused)", dir);
        return SECPROV_ERR_PERMISSION;
    }
    /* Never chmod: a folder secprov did not make is the operator's. */
    if ((st.st_mode & 022) != 0) {
        say(why, why_len, "state folder %s is writable by group or others (mode %04o): "
            "refused (make it 0700)", dir, (unsigned)(st.st_mode & 07777));
        return SECPROV_ERR_PERMISSION;
    }
    return SECPROV_OK;
}

int sp_dir_writable(const char *dir, char *why, size_t why_len)
{
    struct statvfs vfs;
    int err = 0;

    sp_os_error_begin(dir, NULL);
    if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
        err = EROFS;
    else if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
        err = errno;
    if (err == 0)
        return SECPROV_OK;
    /* The line ends "PATH: strerror", as every file system error's does. */
    say(why, why_len, "the state folder is %s: %s: %s",
        err == EROFS || err == EACCES || err == EPERM ? "read-only" : "not writable", dir,
        strerror(err));
    return sp_status_from_errno(err);  /* EROFS: SECPROV_ERR_IO; EACCES, EPERM: PERMISSION */
}

int sp_open_dir(const char *dir)
{
    return open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int sp_dirs_make(const char *base, const char *rel)
{
    sp_os_error_begin(base, rel);
    int fd = sp_open_dir(base);
    int err = fd < 0 ? errno : make_dirs_at(fd, rel, 0);

    if (err == ELOOP || err == ENOTDIR)
        return SECPROV_ERR_PERMISSION;          /* a symlink or a file planted there */
    return err == 0 ? SECPROV_OK : sp_status_from_errno(err);
}
