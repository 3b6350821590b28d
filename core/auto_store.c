/* The handle's store, and the one-store rules of auto mode: see auto_store.h. */
#include "auto_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "secprov.h"
#include "secure_mem.h"

#define ROUNDS_MAX 3            /* a legacy copy that keeps changing while moved */

static long mono_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec;
}

/* Recursive: a log callback may ask the handle's provider name. */
static void init_mutex(sp_store *st)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&st->mutex, &attr);
    pthread_mutexattr_destroy(&attr);
}

/* fork (docs/fork.md): another thread of the parent may have held a
 * store's mutex at fork time (an auto handle's call); that thread does not
 * exist in the child, so the child's copy would never be released. A
 * pthread_atfork child handler makes every open store's mutex anew. (Not
 * taken before the fork instead: a call holding it may wait for a log
 * callback that needs the forking thread's lock, Python's GIL.) The
 * providers make their own state the child's (tpm: tpm_fork.c). */
static pthread_mutex_t stores_mutex = PTHREAD_MUTEX_INITIALIZER;
static sp_store *stores;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

static void child_after_fork(void)
{
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

    stores_mutex = fresh;
    for (sp_store *st = stores; st != NULL; st = st->next_store)
        init_mutex(st);
}

static void install_handler(void)
{
    (void)pthread_atfork(NULL, NULL, child_after_fork);
}

void sp_store_init(sp_store *st, const char *provider_dir, const sp_env_source *src,
                   int retry_interval_s, sp_device_fn device, void *core)
{
    memset(st, 0, sizeof *st);
    st->provider_dir = provider_dir;
    st->src = src;
    st->log = src->log;
    st->retry_interval_s = retry_interval_s;
    st->device = device;
    st->core = core;
    init_mutex(st);
    pthread_once(&handler_once, install_handler);
    pthread_mutex_lock(&stores_mutex);
    st->next_store = stores;
    __atomic_store_n(&stores, st, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&stores_mutex);
}

static sp_provider *slot(sp_store *st, const char *provider)
{
    return strcmp(provider, "tpm") == 0      ? &st->tpm
           : strcmp(provider, "legacy") == 0 ? &st->legacy
                                             : &st->other;
}

/* The slot of provider, bound to it (its env: name, state folder): into *p,
 * or a status with why said. */
static int bound(sp_store *st, const char *provider, sp_provider **p, char *why,
                 size_t why_len)
{
    *p = slot(st, provider);
    if ((*p)->bound && strcmp((*p)->env.name, provider) == 0)
        return SECPROV_OK;
    if ((*p)->klass != NULL) {          /* the other slot holds another provider: never */
        snprintf(why, why_len, "provider %s: the handle holds %s already", provider,
                 (*p)->env.name);
        return SECPROV_ERR_INTERNAL;
    }
    if (sp_provider_bind(*p, provider, st->src) != SECPROV_OK) {
        snprintf(why, why_len, "the %s provider's state folder path is too long", provider);
        return SECPROV_ERR_TOO_LARGE;
    }
    return SECPROV_OK;
}

/* Load (its config group checked: provider_slot.h). */
static int load(sp_store *st, const char *provider, char *why, size_t why_len)
{
    sp_provider *p;
    int rc = bound(st, provider, &p, why, why_len);

    return rc == SECPROV_OK ? sp_provider_load(p, st->provider_dir, why, why_len) : rc;
}

int sp_store_open(sp_store *st, const char *provider, char *why, size_t why_len)
{
    sp_provider *p;
    int rc = bound(st, provider, &p, why, why_len);

    return rc == SECPROV_OK ? sp_provider_open(p, st->provider_dir, why, why_len) : rc;
}

int sp_store_check_groups(sp_store *st, char *err, size_t err_len)
{
    const char *groups[SP_CONFIG_GROUPS_MAX];
    size_t n = sp_config_provider_groups(st->src->cfg, groups, SP_CONFIG_GROUPS_MAX);

    for (size_t i = 0; i < n; i++) {
        int rc = sp_config_group_installed(st->src->cfg, groups[i], st->provider_dir, err,
                                           err_len);
        if (rc != SECPROV_OK && strcmp(groups[i], "tpm") != 0 && strcmp(groups[i], "legacy") != 0)
            return rc;
    }
    return SECPROV_OK;
}

void sp_store_start(sp_store *st, int auto_mode, const char *serving, int fell_back,
                    const char *tpm_why)
{
    st->auto_mode = auto_mode;
    st->serving = slot(st, serving);
    st->fell_back = fell_back;
    snprintf(st->why, sizeof st->why, "%s", tpm_why != NULL ? tpm_why : "");
    st->last_try_s = mono_s();
}

void sp_store_close(sp_store *st)
{
    sp_provider_close(&st->tpm);
    sp_provider_close(&st->legacy);
    sp_provider_close(&st->other);
    pthread_mutex_lock(&stores_mutex);
    for (sp_store **p = &stores; *p != NULL; p = &(*p)->next_store)
        if (*p == st) {
            __atomic_store_n(p, st->next_store, __ATOMIC_RELEASE);
            break;
        }
    pthread_mutex_unlock(&stores_mutex);
    pthread_mutex_destroy(&st->mutex);
}

static int p_unseal(const sp_store *st, sp_provider *p, const char *name, void **data,
                    size_t *len)
{
    (void)st;
    return sp_provider_unseal(p, name, data, len);
}

/* A provider's state folder that does not exist holds nothing: then its
 * module is not even loaded (a device without a TPM never loads tpm.so). */
static int folder_absent(sp_store *st, const char *provider)
{
    char why[128];
    struct stat sb;
    sp_provider *p;

    return bound(st, provider, &p, why, sizeof why) == SECPROV_OK &&
           stat(p->env.state_dir, &sb) != 0 && errno == ENOENT;
}

/* The store of the provider that may not be open, from its state folder
 * alone (store_has): 1 when it holds name. A module that cannot be loaded,
 * or a folder that is not ours (which that provider refuses too), holds
 * nothing. */
static int holds(sp_store *st, const char *provider, const char *name)
{
    char why[512];
    sp_provider *p = slot(st, provider);

    if (folder_absent(st, provider) || load(st, provider, why, sizeof why) != SECPROV_OK ||
        !SECPROV_CLASS_HAS(p->klass, store_has))
        return 0;
    int rc = p->klass->store_has(&p->env.env, name);
    return rc == SECPROV_OK || rc == SECPROV_ERR_TOO_LARGE;
}

static int names_in(sp_store *st, const char *provider, char ***names, size_t *count)
{
    char why[512];
    sp_provider *p = slot(st, provider);

    *names = NULL;
    *count = 0;
    if (folder_absent(st, provider) || load(st, provider, why, sizeof why) != SECPROV_OK ||
        !SECPROV_CLASS_HAS(p->klass, store_names))
        return SECPROV_OK;
    return p->klass->store_names(&p->env.env, names, count);
}

/* ---- rule 4: a handle served by legacy tries the TPM again -------------- */

static int retry_tpm(sp_store *st)
{
    char why[sizeof st->why];
    long now = mono_s();
    int rc;

    if (!st->auto_mode || st->serving == &st->tpm || now - st->last_try_s < st->retry_interval_s)
        return SECPROV_OK;
    st->last_try_s = now;
    rc = st->device(st->core, why, sizeof why);
    if (rc == SECPROV_OK)
        rc = sp_store_open(st, "tpm", why, sizeof why);
    if (rc == SECPROV_ERR_BUSY) {                   /* contention is not failure */
        sp_log(st->log, SECPROV_LOG_ERROR, "TPM provider busy: %s", why);
        return rc;
    }
    if (rc != SECPROV_OK) {
        /* a refused tpm group is the operator's to fix: said at error */
        sp_log(st->log, rc == SECPROV_ERR_CONFIG ? SECPROV_LOG_ERROR : SECPROV_LOG_DEBUG,
               "the TPM still cannot be used: %s", why);
        snprintf(st->why, sizeof st->why, "%s", why);
        return SECPROV_OK;
    }
    sp_log(st->log, SECPROV_LOG_INFO, "the TPM can be used again: provider tpm now serves "
           "this handle (it was legacy: %s)", st->why);
    st->serving = &st->tpm;
    st->fell_back = 0;
    st->why[0] = '\0';
    st->migrated = 0;
    return SECPROV_OK;
}

/* ---- rules 1 and 3: legacy copies into the TPM -------------------------- */

static int legacy_ready(sp_store *st)
{
    char why[512];
    int rc = sp_store_open(st, "legacy", why, sizeof why);

    if (rc != SECPROV_OK)
        sp_log(st->log, SECPROV_LOG_WARNING, "cannot open the legacy store to move its "
               "secrets into the TPM: %s", why);
    return rc;
}

static int same(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* Make the TPM the only keeper of name, which legacy holds: SECPROV_OK when
 * the legacy copy is gone. Sealed in the TPM first, then removed. */
/* p_unseal for secprov's own use (never handed to the caller): not in a
 * forked child's memory (sp_secret_internal). */
static int p_unseal_internal(const sp_store *st, sp_provider *p, const char *name, void **data,
                             size_t *len)
{
    int rc = p_unseal(st, p, name, data, len);

    if (rc == SECPROV_OK)
        sp_secret_internal(*data);
    return rc;
}

static int move_one(sp_store *st, const char *name)
{
    void *v = NULL, *again = NULL;
    size_t vlen = 0, alen = 0;
    int rc;

    if ((rc = legacy_ready(st)) != SECPROV_OK)
        return rc;
    if (holds(st, "tpm", name)) {                   /* both: the TPM's copy wins */
        rc = p_unseal_internal(st, &st->tpm, name, &v, &vlen);
        if (rc != SECPROV_OK) {
            sp_log(st->log, SECPROV_LOG_WARNING, "both stores hold '%s' and the TPM's copy "
                   "cannot be read (%s): the legacy copy is kept", name, secprov_strerror(rc));
            return rc;
        }
        sp_secret_free(v, vlen);
        if ((rc = sp_provider_remove(&st->legacy, name)) == SECPROV_OK)
            sp_log(st->log, SECPROV_LOG_INFO, "removed the legacy copy of '%s': the TPM "
                   "holds '%s'", name, name);
        return rc;
    }
    int moved = 0;
    rc = p_unseal_internal(st, &st->legacy, name, &v, &vlen);
    for (int round = 0; rc == SECPROV_OK && !moved && round < ROUNDS_MAX; round++) {
        if ((rc = sp_provider_seal(&st->tpm, name, v, vlen)) != SECPROV_OK)
            break;
        /* Removed only while legacy still holds what the TPM now holds;
         * changed meanwhile (another process sealed it): the newer value. */
        int lrc = p_unseal_internal(st, &st->legacy, name, &again, &alen);
        int unchanged = lrc == SECPROV_OK && same(v, vlen, again, alen);
        sp_secret_free(v, vlen);
        v = again;
        vlen = alen;
        again = NULL;
        moved = unchanged || lrc == SECPROV_ERR_NOT_FOUND;
        rc = unchanged ? sp_provider_remove(&st->legacy, name) : moved ? SECPROV_OK : lrc;
    }
    if (v != NULL)
        sp_secret_free(v, vlen);
    if (rc == SECPROV_OK && !moved)
        rc = SECPROV_ERR_BUSY;                      /* it kept changing */
    if (rc == SECPROV_OK)
        sp_log(st->log, SECPROV_LOG_INFO, "moved '%s' from the legacy store into the TPM", name);
    else
        sp_log(st->log, SECPROV_LOG_WARNING, "cannot move '%s' from the legacy store into "
               "the TPM (%s): the legacy copy is kept", name, secprov_strerror(rc));
    return rc;
}

/* Rule 1, once per handle that the TPM serves: every legacy copy. */
static void move_all(sp_store *st)
{
    char **names;
    size_t count;

    if (st->migrated)
        return;
    st->migrated = 1;
    if (names_in(st, "legacy", &names, &count) != SECPROV_OK)
        return;
    /* legacy cannot be opened: said once, and the copies stay */
    for (size_t i = 0; i < count && legacy_ready(st) == SECPROV_OK; i++)
        (void)move_one(st, names[i]);
    secprov_list_free(names, count);
}

/* Before a call: rule 4, then rule 1. 1 when the TPM serves. */
static int begin(sp_store *st, int *rc)
{
    if (st->auto_mode)                  /* explicit: nothing here changes after open */
        pthread_mutex_lock(&st->mutex);
    *rc = retry_tpm(st);
    if (*rc == SECPROV_OK && st->auto_mode && st->serving == &st->tpm)
        move_all(st);
    return st->serving == &st->tpm;
}

static int end(sp_store *st, int rc)
{
    if (st->auto_mode)
        pthread_mutex_unlock(&st->mutex);
    return rc;
}

/* Rule 2 when the TPM's store cannot even be asked (tpm.so or libtss2
 * cannot be loaded, or tpm.so refuses its config group) but its state
 * folder is there: a name legacy does not hold may be the TPM's, so a read
 * is SECPROV_ERR_UNAVAILABLE naming why, never NOT_FOUND; and a seal or a
 * delete is too (a legacy copy would lose to the TPM's, a delete would
 * leave it). 1 when that is the case (logged). */
static int tpm_store_unknown(sp_store *st, const char *what, const char *name)
{
    char why[512];
    sp_provider *p = &st->tpm;

    if (!st->auto_mode || folder_absent(st, "tpm"))
        return 0;
    if (load(st, "tpm", why, sizeof why) == SECPROV_OK && SECPROV_CLASS_HAS(p->klass, store_has))
        return 0;
    /* Not "OP 'NAME': ...": the caller's own message (the command's, Python's
     * exception) starts with that already, and would repeat it. */
    sp_log(st->log, SECPROV_LOG_ERROR, "store: %s refused: '%s' is not in the legacy store, and "
           "the TPM's store (%s) cannot be asked whether it keeps it: %s", what, name,
           p->env.state_dir,
           p->klass != NULL ? "the tpm provider answers no store questions" : why);
    return 1;
}

/* Rule 2: legacy serves, and the TPM's store holds name. */
static int held_by_tpm(sp_store *st, const char *what, const char *name)
{
    if (!st->auto_mode || !holds(st, "tpm", name))
        return 0;
    sp_log(st->log, SECPROV_LOG_ERROR, "store: %s refused: the TPM keeps '%s', and the TPM "
           "cannot be used now: %s", what, name, st->why[0] ? st->why : "(unknown)");
    return 1;
}

/* ---- the calls ----------------------------------------------------------- */

int sp_store_seal(sp_store *st, const char *name, const void *data, size_t len)
{
    int rc, tpm = begin(st, &rc);

    if (rc != SECPROV_OK)
        return end(st, rc);
    /* a legacy copy of a name the TPM may hold would lose to the TPM's
     * (rule 3): refused when the TPM's store holds it or cannot be asked */
    if (!tpm && (held_by_tpm(st, "seal", name) || tpm_store_unknown(st, "seal", name)))
        return end(st, SECPROV_ERR_UNAVAILABLE);
    rc = sp_provider_seal(st->serving, name, data, len);
    if (rc == SECPROV_OK && tpm && st->auto_mode && holds(st, "legacy", name) &&
        legacy_ready(st) == SECPROV_OK && sp_provider_remove(&st->legacy, name) == SECPROV_OK)
        sp_log(st->log, SECPROV_LOG_INFO, "removed the legacy copy of '%s': the TPM holds "
               "'%s'", name, name);
    return end(st, rc);
}

int sp_store_unseal(sp_store *st, const char *name, void **data, size_t *len)
{
    int rc, tpm = begin(st, &rc);

    *data = NULL;
    *len = 0;
    if (rc != SECPROV_OK)
        return end(st, rc);
    if (!tpm && held_by_tpm(st, "unseal", name))
        return end(st, SECPROV_ERR_UNAVAILABLE);
    rc = p_unseal(st, st->serving, name, data, len);
    if (rc == SECPROV_ERR_NOT_FOUND && !tpm && tpm_store_unknown(st, "unseal", name))
        return end(st, SECPROV_ERR_UNAVAILABLE);
    if (rc == SECPROV_ERR_NOT_FOUND && tpm && st->auto_mode && holds(st, "legacy", name)) {
        if (move_one(st, name) == SECPROV_OK)       /* sealed into legacy meanwhile */
            rc = p_unseal(st, &st->tpm, name, data, len);
        else if (legacy_ready(st) == SECPROV_OK)
            rc = p_unseal(st, &st->legacy, name, data, len);
    }
    return end(st, rc);
}

int sp_store_delete(sp_store *st, const char *name)
{
    int rc, tpm = begin(st, &rc);

    if (rc != SECPROV_OK)
        return end(st, rc);
    if (!tpm && (held_by_tpm(st, "delete", name) || tpm_store_unknown(st, "delete", name)))
        return end(st, SECPROV_ERR_UNAVAILABLE);
    rc = sp_provider_remove(st->serving, name);
    if (tpm && st->auto_mode && (rc == SECPROV_OK || rc == SECPROV_ERR_NOT_FOUND) &&
        holds(st, "legacy", name)) {
        int lrc = legacy_ready(st);
        if (lrc == SECPROV_OK)
            lrc = sp_provider_remove(&st->legacy, name);
        if (lrc == SECPROV_OK)
            rc = SECPROV_OK;                        /* removed from one store at least */
        else if (lrc != SECPROV_ERR_NOT_FOUND)
            rc = lrc;
    }
    return end(st, rc);
}

/* a and b sorted: their union, each name once, into *out (a and b freed). */
static int merge(char **a, size_t na, char **b, size_t nb, char ***out, size_t *count)
{
    char **m = malloc((na + nb + 1) * sizeof *m);
    size_t i = 0, j = 0, n = 0;

    if (m == NULL) {
        secprov_list_free(a, na);
        secprov_list_free(b, nb);
        return SECPROV_ERR_NOMEM;
    }
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i], b[j]);
        if (c < 0)
            m[n++] = a[i++];
        else if (c > 0)
            m[n++] = b[j++];
        else {
            m[n++] = a[i++];
            free(b[j++]);
        }
    }
    free(a);
    free(b);
    *out = m;
    *count = n;
    return SECPROV_OK;
}

int sp_store_list(sp_store *st, char ***names, size_t *count)
{
    char **a = NULL, **b = NULL;
    size_t na = 0, nb = 0;
    int rc, tpm = begin(st, &rc);

    if (rc != SECPROV_OK)
        return end(st, rc);
    rc = sp_provider_list(st->serving, &a, &na);
    if (rc != SECPROV_OK || !st->auto_mode) {
        *names = a;
        *count = na;
        return end(st, rc);
    }
    /* each name once, from both stores: the other one read from its folder */
    if ((rc = names_in(st, tpm ? "legacy" : "tpm", &b, &nb)) != SECPROV_OK) {
        secprov_list_free(a, na);
        return end(st, rc);
    }
    return end(st, merge(a, na, b, nb, names, count));
}

int sp_store_locate(sp_store *st, const char *name, char *out, size_t out_len)
{
    int rc, tpm = begin(st, &rc);

    if (rc != SECPROV_OK)
        return end(st, rc);
    if (!tpm && held_by_tpm(st, "locate", name))
        return end(st, SECPROV_ERR_UNAVAILABLE);
    rc = sp_provider_locate(st->serving, name, out, out_len);
    if (rc == SECPROV_ERR_NOT_FOUND && !tpm && tpm_store_unknown(st, "locate", name))
        return end(st, SECPROV_ERR_UNAVAILABLE);
    if (rc == SECPROV_ERR_NOT_FOUND && tpm && st->auto_mode && holds(st, "legacy", name)) {
        if (move_one(st, name) == SECPROV_OK)
            rc = sp_provider_locate(&st->tpm, name, out, out_len);
        else if (legacy_ready(st) == SECPROV_OK)
            rc = sp_provider_locate(&st->legacy, name, out, out_len);
    }
    return end(st, rc);
}

/* gc: the serving provider's leftovers (a TPM that cannot be used has
 * none it could remove now). */
int sp_store_gc(sp_store *st, int dry_run, secprov_gc_fn emit, void *user)
{
    int rc;

    (void)begin(st, &rc);
    if (rc != SECPROV_OK)
        return end(st, rc);
    const sp_provider *p = st->serving;
    rc = SECPROV_CLASS_HAS(p->klass, gc) ? p->klass->gc(p->ctx, dry_run, emit, user)
                                         : SECPROV_ERR_UNSUPPORTED;
    return end(st, rc);
}

/* attest: the serving provider's (a TPM that cannot be used attests nothing). */
int sp_store_attest(sp_store *st, int op, const void *nonce, size_t nonce_len, int require_tpm,
                    char **json)
{
    int rc;

    (void)begin(st, &rc);
    if (rc != SECPROV_OK)
        return end(st, rc);
    const sp_provider *p = st->serving;
    if (!SECPROV_CLASS_HAS(p->klass, attest)) {
        if (require_tpm)
            sp_log(st->log, SECPROV_LOG_ERROR, "attestation required, but the provider in use "
                   "(%s%s) has no TPM%s%s", p->klass->name, st->fell_back ? ", fell back" : "",
                   st->fell_back ? ": " : "", st->fell_back ? st->why : "");
        return end(st, require_tpm ? SECPROV_ERR_UNAVAILABLE : SECPROV_ERR_UNSUPPORTED);
    }
    return end(st, p->klass->attest(p->ctx, op, nonce, nonce_len, json));
}

/* attest_block: likewise, the serving provider's. */
int sp_store_attest_block(sp_store *st, const void *payload_id, size_t len, int flags,
                          int require_tpm, char **json)
{
    int rc;

    (void)begin(st, &rc);
    if (rc != SECPROV_OK)
        return end(st, rc);
    const sp_provider *p = st->serving;
    if (!SECPROV_CLASS_HAS(p->klass, attest_block)) {
        if (require_tpm)
            sp_log(st->log, SECPROV_LOG_ERROR, "attestation required (tier maximum), but the "
                   "provider in use (%s%s) has no TPM%s%s", p->klass->name,
                   st->fell_back ? ", fell back" : "", st->fell_back ? ": " : "",
                   st->fell_back ? st->why : "");
        return end(st, require_tpm ? SECPROV_ERR_UNAVAILABLE : SECPROV_ERR_UNSUPPORTED);
    }
    return end(st, p->klass->attest_block(p->ctx, payload_id, len, flags, json));
}

/* attest_activate: likewise, the serving provider's. */
int sp_store_attest_activate(sp_store *st, const void *challenge, size_t len, void *answer,
                             size_t cap, size_t *answer_len)
{
    int rc;

    (void)begin(st, &rc);
    if (rc != SECPROV_OK)
        return end(st, rc);
    const sp_provider *p = st->serving;
    if (!SECPROV_CLASS_HAS(p->klass, attest_activate)) {
        sp_log(st->log, SECPROV_LOG_ERROR, "attest activate: the provider in use (%s%s) has no "
               "TPM%s%s: there is no EK or attestation key to activate", p->klass->name,
               st->fell_back ? ", fell back" : "", st->fell_back ? ": " : "",
               st->fell_back ? st->why : "");
        return end(st, SECPROV_ERR_UNAVAILABLE);
    }
    return end(st, p->klass->attest_activate(p->ctx, challenge, len, answer, cap, answer_len));
}

/* seal-to blobs: the serving provider's TPM (docs/seal-to.md). */
int sp_store_import(sp_store *st, int op, const char *name, const void *blob, size_t blob_len,
                    void **data, size_t *len)
{
    int rc;

    (void)begin(st, &rc);
    if (rc != SECPROV_OK)
        return end(st, rc);
    const sp_provider *p = st->serving;
    if (!SECPROV_CLASS_HAS(p->klass, import_blob)) {
        sp_log(st->log, SECPROV_LOG_ERROR, "a seal-to blob opens only in the TPM it was sealed "
               "to, and the provider in use (%s%s) has no TPM%s%s", p->klass->name,
               st->fell_back ? ", fell back" : "", st->fell_back ? ": " : "",
               st->fell_back ? st->why : "");
        return end(st, SECPROV_ERR_UNSUPPORTED);
    }
    return end(st, p->klass->import_blob(p->ctx, op, name, blob, blob_len, data, len));
}

const char *sp_store_serving_name(sp_store *st)
{
    pthread_mutex_lock(&st->mutex);
    const char *name = st->serving->klass->name;
    pthread_mutex_unlock(&st->mutex);
    return name;
}

const char *sp_store_fallback_reason(sp_store *st)
{
    pthread_mutex_lock(&st->mutex);
    const char *why = st->fell_back ? st->why : NULL;
    pthread_mutex_unlock(&st->mutex);
    return why;
}

int sp_store_info(sp_store *st, secprov_info_fn emit, void *user)
{
    int rc = SECPROV_OK;

    pthread_mutex_lock(&st->mutex);
    emit("provider", st->serving->klass->name, user);
    emit("fallback", st->fell_back ? "yes" : "no", user);
    if (st->fell_back)
        emit("reason", st->why, user);
    if (SECPROV_CLASS_HAS(st->serving->klass, info))
        rc = st->serving->klass->info(st->serving->ctx, emit, user);
    pthread_mutex_unlock(&st->mutex);
    return rc;
}
