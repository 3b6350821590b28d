/*
 * The handle's store: which provider serves a call. With `tpm` or `legacy`
 * asked for, the one opened serves every call, as selected (select.h).
 * In auto mode the device has ONE store, whichever provider serves a call
 * (docs/store.md):
 *
 *  1. A secret the legacy store holds (sealed there during a fallback) is
 *     moved into the TPM on the first call of a handle that finds the TPM
 *     usable: sealed in the TPM first, then removed from legacy. A name
 *     found in legacy later (another process fell back) is moved when a
 *     call asks for it.
 *  2. A secret the TPM's store holds, asked for (unseal, seal over it,
 *     delete, locate) while the TPM cannot be used, is
 *     SECPROV_ERR_UNAVAILABLE naming why, never NOT_FOUND and never a
 *     legacy copy: the tpm provider answers "does your store hold NAME"
 *     from its state folder alone (the class's store_has slot).
 *  3. When both stores hold a name the TPM's copy wins (once it unseals)
 *     and the legacy copy is removed; list shows each name once; delete
 *     removes it from both.
 *  4. A handle served by legacy (it fell back, or no TPM device was
 *     present) tries the TPM again before a call at most every
 *     tpm.retry_interval_s, and switches to it, with one info line, when it
 *     opens. Contention is not failure: a busy TPM lock is SECPROV_ERR_BUSY.
 *
 * Calls on one auto handle run one at a time (the store's mutex); calls on
 * an explicit handle go to its provider as they come (its own locking).
 */
#ifndef SECPROV_AUTO_STORE_H
#define SECPROV_AUTO_STORE_H

#include <pthread.h>
#include <stddef.h>

#include "config.h"
#include "log.h"
#include "provider_env.h"
#include "provider_slot.h"
#include "secprov_provider.h"

/* Before the handle tries the TPM again: look for the TPM device nodes
 * anew (tpm.devices); SECPROV_OK when one is present, else why says none
 * is. */
typedef int (*sp_device_fn)(void *core, char *why, size_t why_len);

typedef struct sp_store {
    int auto_mode;                      /* the one-store rules apply */
    sp_provider tpm, legacy;
    sp_provider other;                  /* a provider asked for by another name */
    sp_provider *serving;
    int fell_back;                      /* auto wanted tpm, and legacy serves */
    char why[512];                      /* why the TPM cannot be used now */
    int migrated;                       /* rule 1 ran on this handle */
    long last_try_s;                    /* monotonic: the last TPM open tried */
    int retry_interval_s;
    const char *provider_dir;
    const sp_env_source *src;           /* each provider's env reads from it */
    const sp_logger *log;
    sp_device_fn device;
    void *core;
    pthread_mutex_t mutex;              /* made anew in a forked child (auto_store.c) */
    struct sp_store *next_store;        /* the process's open stores, for that */
} sp_store;

void sp_store_init(sp_store *st, const char *provider_dir, const sp_env_source *src,
                   int retry_interval_s, sp_device_fn device, void *core);
/* Before the selection: every provider group of the config file but tpm's
 * and legacy's names an installed module (else SECPROV_ERR_CONFIG naming
 * file, line and folder). A group's keys and values are checked when its
 * module is loaded (provider_slot.h), never by loading a module that
 * would not serve: a device without a TPM never maps libtss2. Every
 * installed module's group: secprov_config_check (`secprov config check`). */
int sp_store_check_groups(sp_store *st, char *err, size_t err_len);
/* Load (if needed) and open provider "tpm", "legacy" or another installed
 * module by name into its slot, its config group checked against its
 * class's config_keys first;
 * nothing is left open on failure (the module may stay loaded). */
int sp_store_open(sp_store *st, const char *provider, char *why, size_t why_len);
/* After the selection: which one serves, and whether auto's rules apply.
 * tpm_why: why the TPM is not serving (fallback reason or no device). */
void sp_store_start(sp_store *st, int auto_mode, const char *serving, int fell_back,
                    const char *tpm_why);
void sp_store_close(sp_store *st);

int sp_store_seal(sp_store *st, const char *name, const void *data, size_t len);
int sp_store_unseal(sp_store *st, const char *name, void **data, size_t *len);
int sp_store_delete(sp_store *st, const char *name);
int sp_store_list(sp_store *st, char ***names, size_t *count);
int sp_store_locate(sp_store *st, const char *name, char *out, size_t out_len);
int sp_store_gc(sp_store *st, int dry_run, secprov_gc_fn emit, void *user);
/* op: SECPROV_ATTEST_OP_*; a provider without the slot is UNSUPPORTED, or
 * UNAVAILABLE (logged) when require_tpm. */
int sp_store_import(sp_store *st, int op, const char *name, const void *blob, size_t blob_len,
                    void **data, size_t *len);
int sp_store_attest(sp_store *st, int op, const void *nonce, size_t nonce_len, int require_tpm,
                    char **json);
/* The serving provider's attest_block slot (formats/block.h); without one:
 * as sp_store_attest. */
/* The serving provider's attest_activate slot; without one:
 * SECPROV_ERR_UNAVAILABLE (nothing to activate without a TPM). */
int sp_store_attest_activate(sp_store *st, const void *challenge, size_t len, void *answer,
                             size_t cap, size_t *answer_len);
int sp_store_attest_block(sp_store *st, const void *payload_id, size_t len, int flags,
                          int require_tpm, char **json);
/* The serving provider's name; why it fell back (NULL when it did not: the
 * text stays valid until the next call on the handle). */
const char *sp_store_serving_name(sp_store *st);
const char *sp_store_fallback_reason(sp_store *st);
int sp_store_info(sp_store *st, secprov_info_fn emit, void *user);

#endif
