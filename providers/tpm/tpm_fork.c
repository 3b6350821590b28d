/*
 * A handle used in a process other than the one that opened it (fork()):
 * see tpm_ctx.h and docs/fork.md.
 *
 * How the child learns it: the handle records the pid that owns its TPM
 * connection, lock and session, and every call compares it with getpid()
 * under the handle's mutex (tpm_call_begin). A pthread_atfork child handler
 * also clears that pid in every handle of the process, and re-initialises
 * each handle's mutex: another thread of the parent may have held it at
 * fork time, and that thread does not exist in the child, so its mutex
 * would never be released. The handler alone would miss a child made by a
 * raw clone(); the pid alone would miss a pid the child reuses (a
 * grandchild with its grandparent's pid after the grandparent died) and
 * cannot unlock the mutex. The handler does not take the mutexes before
 * the fork (as glibc's malloc does): a thread in a call may be waiting for
 * a log callback that needs the forking thread's lock (Python's GIL during
 * os.fork), which would deadlock.
 */
#include "tpm_ctx.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss2/tss2_tcti.h>

#include "tcti_fds.h"
#include "tcti_held.h"

/* Every open handle of the process, for the child handler. */
static pthread_mutex_t handles_mutex = PTHREAD_MUTEX_INITIALIZER;
static tpm_ctx *handles;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

/* What a child abandoned: the parent's ESYS and TCTI state, never used or
 * finalised in the child (a TCTI's finalize may send on the parent's
 * connection: mssim's session end), kept reachable so that leak checkers
 * do not count them. One per handle per fork. */
typedef struct abandoned {
    struct abandoned *next;
    ESYS_CONTEXT *esys;
    TSS2_TCTI_CONTEXT *tcti;
} abandoned;
static abandoned *abandoned_list;

static void child_after_fork(void)
{
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

    handles_mutex = fresh;
    for (tpm_ctx *c = handles; c != NULL; c = c->next_handle) {
        pthread_mutex_init(&c->mutex, NULL);
        c->pid = 0;                           /* adopted at its next call */
        /* A fork in the middle of another thread's call: the child's copy
         * of the device's fd (no resource manager) would keep /dev/tpm0
         * busy for the parent for as long as the child lives, whether or
         * not it ever calls secprov. close() only: no command is sent. */
        tcti_held_release(c->esys.tcti);
    }
}

static void install_handler(void)
{
    (void)pthread_atfork(NULL, NULL, child_after_fork);
}

void tpm_fork_register(tpm_ctx *c)
{
    pthread_once(&handler_once, install_handler);
    c->pid = getpid();
    pthread_mutex_lock(&handles_mutex);
    c->next_handle = handles;
    __atomic_store_n(&handles, c, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&handles_mutex);
}

void tpm_fork_unregister(tpm_ctx *c)
{
    pthread_mutex_lock(&handles_mutex);
    for (tpm_ctx **p = &handles; *p != NULL; p = &(*p)->next_handle)
        if (*p == c) {
            __atomic_store_n(p, c->next_handle, __ATOMIC_RELEASE);
            break;
        }
    pthread_mutex_unlock(&handles_mutex);
}

/* The parent's ESYS context and TCTI: the child's copies of the TCTI's fds
 * are closed (the parent's stay open: a close in the child only drops the
 * child's reference), the session is forgotten without a command (never
 * flushed, saved or loaded: it is the parent's), the rest left unused. */
static void abandon_esys(tpm_ctx *c)
{
    tpm_esys *e = &c->esys;

    tpm_session_forget(&e->session, NULL);    /* the child's copy of a saved one is zeroed */
    tcti_held_release(e->tcti);               /* the child's copy of the device's fd, if open */
    if (e->tcti != NULL)
        for (size_t i = 0; i < c->tcti_fd_count; i++)
            tpm_fd_close_if_same(&c->tcti_fds[i]);
    c->tcti_fd_count = 0;
    if (e->esys != NULL || e->tcti != NULL) {
        abandoned *a = malloc(sizeof *a);
        if (a != NULL) {
            a->esys = e->esys;
            a->tcti = e->tcti;
            a->next = abandoned_list;
            abandoned_list = a;
        }
    }
    e->esys = NULL;
    e->tcti = NULL;
    e->srk = ESYS_TR_NONE;
    e->session.handle = ESYS_TR_NONE;
    e->session.saved = NULL;
}

void tpm_fork_forget(tpm_ctx *c)
{
    abandon_esys(c);
    tpm_lock_abandon(&c->lock);
    c->slots_exhausted = 0;
    c->reconnect = 0;
}

int tpm_fork_adopt(tpm_ctx *c, char *why, size_t why_len)
{
    int rc;

    tpm_fork_forget(c);
    if ((rc = tpm_lock_open(&c->lock, c->env->state_dir, c->set.lock_timeout_ms, why,
                            why_len)) != SECPROV_OK)
        return rc;
    c->pid = getpid();
    return SECPROV_OK;
}
