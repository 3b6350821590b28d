/*
 * The tpm provider's parts and the handle they share (tpm_provider.c is the
 * class table; docs/tpm-provider.md):
 *   tpm_conn.c     the connection to the TPM: the lock and the call's
 *                  deadline, the ESYS context (on its own TCTI, the SRK
 *                  checked), TSS-to-status mapping, recovery, provisioning
 *                  (the one use of FAPI)
 *   tpm_secret.c   a secret in and out of the TPM: the sealed object (direct,
 *                  or the data key of an AES-GCM envelope) and its reference
 *   tpm_store.c    references, objects, the sweep and gc (docs/tpm-store.md)
 *
 * Concurrency: every TPM use holds the handle's mutex (threads sharing a
 * handle) and an exclusive flock on <state_dir>/lock (processes), so that
 * processes sharing a TPM without a resource manager never interleave
 * commands. After an ESAPI error the context is dropped and made anew on the
 * next call. Every call waits for the TPM at most tpm.call_timeout_ms in all
 * (tss_wait.h): a TPM that stops answering makes calls fail with
 * SECPROV_ERR_TIMEOUT, and one that answers again is used again by the same
 * handle. Where the ESYS context (and with it the TCTI's open device) lives:
 *  - with a resource manager (tpm.resource_manager: /dev/tpmrm0, tabrmd) it
 *    is kept while the handle is open, with its loaded session;
 *  - without one, on a device (/dev/tpm0, which admits one opener) the
 *    context lives on but its TCTI (tcti_held.h) opens the device at a
 *    call's first TPM command and closes it at the call's end, after the
 *    session was saved (tpm_session.h): the device is held only under the
 *    lock, so processes that share the state folder share the TPM.
 *
 * fork (tpm_fork.c, docs/fork.md): a handle used in a process other than
 * the one whose connection, lock and session it holds behaves as if opened
 * there: its first call abandons the parent's ESYS context, TCTI, saved
 * session and lock (the child's copies of their fds closed, nothing sent,
 * flushed, saved, loaded or unlocked on them) and makes its own.
 */
#ifndef SECPROV_TPM_CTX_H
#define SECPROV_TPM_CTX_H

#include <pthread.h>
#include <stddef.h>

#include <tss2/tss2_tpm2_types.h>

#include <sys/types.h>

#include "esys_seal.h"
#include "fapi_readonly.h"
#include "secprov_provider.h"
#include "tpm_lock.h"
#include "tcti_fds.h"
#include "tpm_settings.h"
#include "tpm_store.h"
#include "tss_wait.h"

#define SRK_HANDLE 0x81000001u        /* the profile's persistent SRK */
#define PATH_MAX_LEN 4096

typedef struct tpm_ctx {
    secprov_provider_ctx base;      /* first: the class */
    const secprov_provider_env *env;
    pthread_mutex_t mutex;
    tpm_lock lock;
    tpm_esys esys;                  /* on its own TCTI; esys.esys NULL when not made */
    tpm_deadline deadline;          /* of the current call: see tss_wait.h */
    int slots_exhausted;            /* the last TPM error was 0x902/0x903/... */
    int reconnect;                  /* the last error was the connection's (not a timeout) */
    int quiet;                      /* failures logged at debug only (open's early ESYS) */
    int probe_first;                /* probe before the next ESYS context (after a drop) */
    tpm_settings set;               /* the tpm group (tpm_settings.h); keep_session: tpm_session.h */
    char config_path[PATH_MAX_LEN];
    char secrets_dir[PATH_MAX_LEN];
    tpm_store store;                /* references and objects: tpm_store.h */
    fapi_readonly ro;               /* a read-only state folder's FAPI config */
    char salt_desc[160];            /* tpm.salt_key as resolved (salt_key.h), "" before */
    pid_t ro_pid;                   /* who made ro (only it removes it) */
    pid_t pid;                      /* whose connection, lock and session these are
                                     * (0: adopt at the next call; tpm_fork.c) */
    struct tpm_ctx *next_handle;    /* the process's open handles (tpm_fork.c) */
    tpm_fd_id tcti_fds[TPM_TCTI_FDS_MAX];   /* the live TCTI's open fds */
    size_t tcti_fd_count;
} tpm_ctx;

/* ---- tpm_conn.c ---- */

/* Take the handle's mutex and the cross-process lock, and start the call's
 * deadline; SECPROV_ERR_BUSY after tpm.lock_timeout_ms (logged). */
int tpm_call_begin(tpm_ctx *c);
void tpm_call_end(tpm_ctx *c);
/* Drop the ESYS context (flushing its session when the TPM answered). */
void tpm_drop_contexts(tpm_ctx *c, int answered);
void tpm_drop(tpm_ctx *c);
/* The bounded first command (tpm_probe.h), within the call's deadline. */
int tpm_call_probe(tpm_ctx *c, char *why, size_t why_len);
/* An ESAPI (or FAPI) failure: logged decoded, the context dropped, mapped
 * to a status; notes whether a recovery may help (tpm_recover_slots). */
int tpm_failed(tpm_ctx *c, TSS2_RC rc, const char *what, const char *name);
/* The ESYS context for this call, the SRK checked against the keystore's. */
int tpm_ensure_esys(tpm_ctx *c);
/* After a failure that ran the TPM out of slots or broke the connection:
 * flush what dead processes left, or reconnect; 1 = retry the call once. */
int tpm_recover_slots(tpm_ctx *c);
/* FAPI's provisioning, once per keystore (the "provisioned" marker). */
int tpm_provision(tpm_ctx *c, char *why, size_t why_len);
/* Before the keystore's lock is taken: on a keystore not yet provisioned,
 * load libtss2-fapi now (fapi_lib.h), so that its dlopen (some 30
 * libraries; seconds under qemu-user) does not lengthen the time the lock
 * is held while other processes wait for it. A load failure is left for
 * tpm_provision() to report. */
void tpm_provision_preload(const tpm_ctx *c);

/* ---- tpm_fork.c ---- */

/* Record the handle as this process's (at open; the fork handler's list). */
void tpm_fork_register(tpm_ctx *c);
void tpm_fork_unregister(tpm_ctx *c);
/* In a child (c->pid is not getpid()): abandon the parent's connection,
 * session and lock without using them (tpm_fork_forget), then open a lock
 * of the child's own; the next ESYS context is the child's. */
int tpm_fork_adopt(tpm_ctx *c, char *why, size_t why_len);
void tpm_fork_forget(tpm_ctx *c);

/* ---- tpm_secret.c ---- */

/* "NAME.ref" */
int tpm_ref_file(const char *name, char *out, size_t len);
/* seal and delete write the references and the keystore: on a read-only
 * state folder they fail before touching the TPM, naming the folder. */
int tpm_check_writable(tpm_ctx *c, const char *what, const char *name);
/* Seal data under name at gen into a new object; *image is the reference
 * to commit. */
int tpm_seal_object(tpm_ctx *c, const char *name, const void *data, size_t len,
                    ref_gen gen, uint8_t **image, size_t *image_len);
/* Unseal name (its reference, its object, the envelope) into *data
 * (env->secret_alloc). */
int tpm_unseal_locked(tpm_ctx *c, const char *name, void **data, size_t *len);

#endif
