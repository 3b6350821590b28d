/* The tpm provider's cross-process lock: see tpm_lock.h. */
#include "tpm_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "secprov.h"
#include "state_files.h"

static int opened(tpm_lock *l)
{
    struct stat st;

    if (fstat(l->fd, &st) == 0) {
        l->dev = st.st_dev;
        l->ino = st.st_ino;
    }
    return SECPROV_OK;
}

int tpm_lock_open(tpm_lock *l, const char *state_dir, int timeout_ms, char *why, size_t why_len)
{
    int err;

    l->fd = -1;
    l->held = -1;
    l->timeout_ms = timeout_ms;
    if (sp_path_join(l->path, sizeof l->path, state_dir, "lock") != SECPROV_OK) {
        snprintf(why, why_len, "state folder path too long: %s", state_dir);
        return SECPROV_ERR_TOO_LARGE;
    }
    l->fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (l->fd >= 0)
        return opened(l);
    err = errno;
    if (err == EROFS || err == EACCES || err == EPERM) {         /* cannot write here */
        l->fd = open(l->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (l->fd >= 0)
            return opened(l);
        if (errno == ENOENT) {                    /* lock the keystore folder instead */
            if (snprintf(l->path, sizeof l->path, "%s/keystore", state_dir) >= (int)sizeof l->path)
                return SECPROV_ERR_TOO_LARGE;
            l->fd = open(l->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (l->fd >= 0)
                return opened(l);
        }
        err = errno;
    }
    snprintf(why, why_len, "cannot open the lock %s: %s", l->path, strerror(err));
    return err == ELOOP ? SECPROV_ERR_PERMISSION : SECPROV_ERR_IO;
}

/*
 * A wait for a lock another process holds. Polling with LOCK_NB is unfair
 * (a holder that releases and takes the lock again between two calls wins
 * every time) and starves waiters; a blocking flock is woken at the
 * release, but has no timeout. So the blocking flock runs in a helper
 * thread, on an fd of its own, while the caller waits for it at most
 * timeout_ms; a helper whose caller gave up releases the lock as soon as it
 * gets it and ends.
 */
typedef struct waiter {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int fd;
    int got;            /* the helper holds the lock on fd */
    int abandoned;      /* the caller gave up: the helper cleans up */
} waiter;

static void waiter_free(waiter *w)
{
    pthread_mutex_destroy(&w->mutex);
    pthread_cond_destroy(&w->cond);
    free(w);
}

static void *wait_blocking(void *arg)
{
    waiter *w = arg;
    int rc;

    while ((rc = flock(w->fd, LOCK_EX)) != 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&w->mutex);
    if (w->abandoned) {
        pthread_mutex_unlock(&w->mutex);
        if (rc == 0)                    /* explicitly: a forked child may share the fd's */
            flock(w->fd, LOCK_UN);      /* open file description, and a close alone */
        close(w->fd);                   /* would then not release it */
        waiter_free(w);
        return NULL;
    }
    w->got = rc == 0 ? 1 : -1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mutex);
    return NULL;
}

/* Wait at most timeout_ms: the fd that holds the lock, or -1 (BUSY). */
static int wait_for(tpm_lock *l)
{
    struct timespec until;
    pthread_attr_t attr;
    pthread_t thread;
    waiter *w = calloc(1, sizeof *w);
    int fd;

    if (w == NULL)
        return -1;
    w->fd = open(l->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (w->fd < 0) {
        free(w);
        return -1;
    }
    pthread_mutex_init(&w->mutex, NULL);
    pthread_cond_init(&w->cond, NULL);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attr, wait_blocking, w) != 0) {
        pthread_attr_destroy(&attr);
        close(w->fd);
        waiter_free(w);
        return -1;
    }
    pthread_attr_destroy(&attr);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += l->timeout_ms / 1000;
    until.tv_nsec += (long)(l->timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&w->mutex);
    while (w->got == 0 && pthread_cond_timedwait(&w->cond, &w->mutex, &until) == 0)
        ;
    if (w->got == 0) {
        w->abandoned = 1;               /* the helper frees w */
        pthread_mutex_unlock(&w->mutex);
        return -1;
    }
    fd = w->got > 0 ? w->fd : -1;
    pthread_mutex_unlock(&w->mutex);
    if (fd < 0)
        close(w->fd);
    waiter_free(w);
    return fd;
}

int tpm_lock_take(tpm_lock *l, char *why, size_t why_len)
{
    if (flock(l->fd, LOCK_EX | LOCK_NB) == 0) {
        l->held = l->fd;
        return SECPROV_OK;
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
        snprintf(why, why_len, "cannot lock %s: %s", l->path, strerror(errno));
        return SECPROV_ERR_IO;
    }
    if (l->timeout_ms > 0 && (l->held = wait_for(l)) >= 0)
        return SECPROV_OK;
    snprintf(why, why_len, "another process holds the lock %s (waited %d ms: "
             "tpm.lock_timeout_ms)", l->path, l->timeout_ms);
    return SECPROV_ERR_BUSY;
}

void tpm_lock_release(tpm_lock *l)
{
    if (l->held == l->fd)
        flock(l->fd, LOCK_UN);
    else if (l->held >= 0) {            /* a helper's fd: see wait_for; unlocked */
        flock(l->held, LOCK_UN);        /* first, as a child forked meanwhile holds */
        close(l->held);                 /* a copy of it (tpm_lock_abandon) */
    }
    l->held = -1;
}

/* The child's copy of an fd, closed only while it is still the one opened
 * (the child may have closed it and reused the number). */
static void close_if_same(int fd, dev_t dev, ino_t ino)
{
    struct stat st;

    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
        close(fd);
}

void tpm_lock_abandon(tpm_lock *l)
{
    if (l->held >= 0 && l->held != l->fd)
        close_if_same(l->held, l->dev, l->ino);
    close_if_same(l->fd, l->dev, l->ino);
    l->fd = -1;
    l->held = -1;
}

void tpm_lock_close(tpm_lock *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}
