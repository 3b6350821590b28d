/*
 * The tpm provider's cross-process lock: every TPM use holds it, so that
 * processes sharing a TPM without a resource manager never interleave
 * commands, and two writers of one state folder never interleave a seal.
 *
 * Where it lives: <state_dir>/lock, made 0600 when missing. On a state
 * folder this process cannot write (a read-only bind mount, or a folder it
 * may only read) an existing lock file is opened read-only (flock needs no
 * write access); a missing one cannot be made, and the lock is then the
 * folder <state_dir>/keystore (flock on a directory; not the state folder
 * itself, whose flock is the temp-file protocol's: state_files.c). Such a
 * folder was never opened read-write by secprov (that makes the file), so
 * no writer uses it.
 *
 * Contention is not failure: a call waits at most tpm.lock_timeout_ms for
 * another process's lock, then returns SECPROV_ERR_BUSY. The wait is a
 * blocking flock in a helper thread (woken at the release, so waiters are
 * not starved as by polling); a helper whose caller gave up takes the lock
 * when it comes free, drops it at once and ends. Such a helper may outlive
 * the handle: tpm.so is linked -z nodelete, so it is never unmapped under it.
 */
#ifndef SECPROV_TPM_LOCK_H
#define SECPROV_TPM_LOCK_H

#include <stddef.h>
#include <sys/types.h>

typedef struct tpm_lock {
    int fd;                     /* the lock file's, or the folder's */
    int held;                   /* the fd that holds the lock now, or -1 */
    int timeout_ms;
    dev_t dev;                  /* fd's file, to know it again after a fork */
    ino_t ino;
    char path[4096];            /* what is locked, for messages */
} tpm_lock;

/* Open the lock for state_dir (see above); why says what failed. */
int tpm_lock_open(tpm_lock *l, const char *state_dir, int timeout_ms, char *why, size_t why_len);
/* Take it, waiting at most timeout_ms: SECPROV_OK or SECPROV_ERR_BUSY (why says
 * who holds what). */
int tpm_lock_take(tpm_lock *l, char *why, size_t why_len);
void tpm_lock_release(tpm_lock *l);
void tpm_lock_close(tpm_lock *l);
/* In a forked child: drop the inherited lock without touching the parent's
 * (no LOCK_UN: flock belongs to the open file description, which parent
 * and child share; the child's copies of the fds are closed, which releases
 * nothing while the parent holds its own). tpm_lock_open then gives the
 * child a lock of its own, a new open file description. The parent
 * releases a helper's fd with LOCK_UN before close for the same reason. */
void tpm_lock_abandon(tpm_lock *l);

#endif
