/*
 * Safe files in a provider's state folder: see state_files.h.
 */
#include "state_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "secprov_name_rules.h"
#include "secprov_provider.h"
#include "secprov.h"

/* Temp files are ".tmp.<pid>.<random>.<file>". Whether a writer is alive
 * is decided by a lock, not by its pid (which means nothing in another PID
 * namespace: two containers sharing a state volume): the writer holds an
 * exclusive flock on its temp file from before its first byte until after
 * the rename. It makes and locks the file while holding a shared flock on
 * the folder; the sweep holds an exclusive one, so it never sees a temp
 * file made but not yet locked. A temp file the sweep can lock has no live
 * writer. */
#define TEMP_PREFIX ".tmp."

/* This thread's last state file operation: its path, and the errno of the
 * system call that failed in it (0: none), for sp_os_error_log. */
static _Thread_local int os_errno;
static _Thread_local char os_path[512];

static void os_error_begin(const char *dir, const char *file)
{
    os_errno = 0;
    snprintf(os_path, sizeof os_path, "%s%s%s", dir, file != NULL ? "/" : "", file != NULL ? file : "");
}

static int status_from_errno(int err)
{
    os_errno = err;
    switch (err) {
    case ENOENT:
        return SECPROV_ERR_NOT_FOUND;
    case EACCES:
    case EPERM:
    case ELOOP:     /* a symlink where O_NOFOLLOW refused it */
        return SECPROV_ERR_PERMISSION;
    case ENOMEM:
        return SECPROV_ERR_NOMEM;
    case ENAMETOOLONG:
        return SECPROV_ERR_TOO_LARGE;
    default:
        return SECPROV_ERR_IO;
    }
}

int sp_name_ok(const char *name)
{
    return secprov_name_rule_ok(name) ? SECPROV_OK : SECPROV_ERR_NAME;
}

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
    os_error_begin(dir, NULL);
    err = make_dirs(dir);
    if (err != 0) {
        say(why, why_len, "cannot create state folder %s: %s", dir, strerror(err));
        return status_from_errno(err);
    }
    if (lstat(dir, &st) != 0) {
        err = errno;
        say(why, why_len, "cannot stat state folder %s: %s", dir, strerror(err));
        return status_from_errno(err);
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

    os_error_begin(dir, NULL);
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
    return status_from_errno(err);  /* EROFS: SECPROV_ERR_IO; EACCES, EPERM: PERMISSION */
}

static int open_dir(const char *dir)
{
    return open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int sp_dirs_make(const char *base, const char *rel)
{
    os_error_begin(base, rel);
    int fd = open_dir(base);
    int err = fd < 0 ? errno : make_dirs_at(fd, rel, 0);

    if (err == ELOOP || err == ENOTDIR)
        return SECPROV_ERR_PERMISSION;          /* a symlink or a file planted there */
    return err == 0 ? SECPROV_OK : status_from_errno(err);
}

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

    os_error_begin(dir, file);
    dfd = open_dir(dir);
    if (dfd < 0)
        return status_from_errno(errno);
    fd = temp_create(dfd, tmp);
    if (fd < 0) {
        err = errno;
        close(dfd);
        return status_from_errno(err);
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
        return err == ENOENT ? SECPROV_ERR_IO : status_from_errno(err);
    }
    /* The rename is durable only once the folder is synced. */
    if (fsync(dfd) != 0)
        err = errno;
    close(dfd);
    return err == 0 ? SECPROV_OK : status_from_errno(err);
}

/* Open dir/file for reading if it is a private regular file of this user
 * (no symlink followed, no fifo or device, not group/world-writable) of at
 * most max bytes: the fd, or a negative status. */
static int open_checked(const char *dir, const char *file, size_t max, struct stat *st)
{
    int dfd, fd, rc = SECPROV_OK;

    os_error_begin(dir, file);
    dfd = open_dir(dir);
    if (dfd < 0)
        return status_from_errno(errno);
    fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    int err = errno;
    close(dfd);
    if (fd < 0)
        return status_from_errno(err);

    if (fstat(fd, st) != 0) {
        rc = status_from_errno(errno);
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
            rc = status_from_errno(errno);
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

static int remove_file(const char *dir, const char *file, int sync)
{
    os_error_begin(dir, file);
    int dfd = open_dir(dir);
    int err = 0;

    if (dfd < 0)
        return status_from_errno(errno);
    if (unlinkat(dfd, file, 0) != 0)
        err = errno;
    else if (sync && fsync(dfd) != 0)
        err = errno;
    close(dfd);
    return err == 0 ? SECPROV_OK : status_from_errno(err);
}

int sp_file_remove(const char *dir, const char *file)
{
    return remove_file(dir, file, 1);
}

int sp_file_remove_unsynced(const char *dir, const char *file)
{
    return remove_file(dir, file, 0);
}

void sp_names_free(char **names, size_t count)
{
    if (names == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* If entry is "<name><suffix>" with a valid name, return a copy of name. */
static char *name_of_entry(const char *entry, const char *suffix)
{
    size_t elen = strlen(entry), slen = strlen(suffix);

    if (elen <= slen || strcmp(entry + elen - slen, suffix) != 0)
        return NULL;
    char *name = strndup(entry, elen - slen);
    if (name != NULL && sp_name_ok(name) != SECPROV_OK) {
        free(name);
        name = NULL;
    }
    return name;
}

int sp_dir_list(const char *dir, const char *suffix, char ***names, size_t *count)
{
    char **list = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int dfd, rc = SECPROV_OK;
    DIR *d;

    *names = NULL;
    *count = 0;
    os_error_begin(dir, NULL);
    dfd = open_dir(dir);
    if (dfd < 0)
        return status_from_errno(errno);
    d = fdopendir(dfd);
    if (d == NULL) {
        rc = status_from_errno(errno);
        close(dfd);
        return rc;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN && de->d_type != DT_DIR)
            continue;
        char *name = name_of_entry(de->d_name, suffix);
        if (name == NULL)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **grown = realloc(list, ncap * sizeof(*list));
            if (grown == NULL) {
                free(name);
                rc = SECPROV_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        list[n++] = name;
    }
    closedir(d);
    if (rc != SECPROV_OK) {
        sp_names_free(list, n);
        return rc;
    }
    if (n > 1)
        qsort(list, n, sizeof(*list), compare_names);
    *names = list;
    *count = n;
    return SECPROV_OK;
}

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
    int dfd = open_dir(dir);
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
    closedir(d);                                      /* and the folder's lock */
}

int sp_os_error_log(const struct secprov_provider_env *env, const char *who, int rc)
{
    int err = os_errno;

    /* an absent file is an answer (SECPROV_ERR_NOT_FOUND), not a failure */
    if (rc == SECPROV_OK || rc == SECPROV_ERR_NOT_FOUND || err == 0 || status_from_errno(err) != rc)
        return 0;
    env->log(env, SECPROV_LOG_ERROR, "%s: %s: %s", who, os_path, strerror(err));
    return 1;
}
