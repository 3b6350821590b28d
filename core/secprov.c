/* The handle: options, configuration, selection and forwarding to the
 * provider's table. Knows no TPM and no cipher. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auto_store.h"
#include "config.h"
#include "fork_gate.h"
#include "host_env.h"
#include "loader.h"
#include "log.h"
#include "options.h"
#include "secprov_provider.h"
#include "secure_mem.h"
#include "select.h"

struct secprov {
    sp_logger log;
    sp_config cfg;
    char *provider_dir;
    const char *device;             /* first present of tpm.devices, or NULL */
    sp_env_source src;              /* what each provider's env reads (provider_env.h) */
    sp_store store;                 /* the providers, and who serves: auto_store.h */
    sp_selection sel;
};

/* The first present TPM device node (auto's presence check). */
static void find_device(secprov *sp)
{
    struct stat st;

    sp->device = NULL;
    for (size_t i = 0; i < sp->cfg.tpm_device_count && sp->device == NULL; i++)
        if (stat(sp->cfg.tpm_devices[i], &st) == 0)
            sp->device = sp->cfg.tpm_devices[i];
}

/* sp_device_fn: before a fallen-back auto handle tries the TPM again. */
static int device_again(void *core, char *why, size_t why_len)
{
    secprov *sp = core;

    find_device(sp);
    if (sp->device != NULL)
        return SECPROV_OK;
    snprintf(why, why_len, "no TPM device present (%s%s)", sp->cfg.tpm_devices[0],
             sp->cfg.tpm_device_count > 1 ? ", ..." : "");
    return SECPROV_ERR_UNAVAILABLE;
}

/* sp_try_open_fn: load a module and open it; nothing left open on failure. */
static int try_open(void *ctx, const char *provider, char *why, size_t why_len)
{
    secprov *sp = ctx;
    return sp_store_open(&sp->store, provider, why, why_len);
}

static void destroy(secprov *sp)
{
    sp_store_close(&sp->store);
    sp_config_free(&sp->cfg);
    free(sp->provider_dir);
    free(sp);
}

static int open_handle(secprov **out, const secprov_options *opts)
{
    char err[600];
    const char *source, *wished = NULL;
    sp_setup setup;
    sp_wish wish;
    secprov *sp;
    int rc;

    if (out != NULL)
        *out = NULL;
    if ((rc = sp_setup_begin(&setup, out != NULL, opts)) != SECPROV_OK)
        return rc;
    if ((sp = calloc(1, sizeof *sp)) == NULL) {
        sp_setup_free(&setup);
        return SECPROV_ERR_NOMEM;
    }
    const secprov_options o = setup.opts;       /* the rest moves into the handle */
    sp->log = setup.log;
    sp->cfg = setup.cfg;
    sp->provider_dir = setup.provider_dir;
    rc = sp_select_wish(o.provider, sp_env_get("SECURITY_PROVIDER"), sp->cfg.provider,
                        &wish, &wished, &source, err, sizeof err);
    if (rc != SECPROV_OK)
        sp_log(&sp->log, SECPROV_LOG_ERROR, "%s", err);
    sp->src.log = &sp->log;
    sp->src.cfg = &sp->cfg;
    sp_store_init(&sp->store, sp->provider_dir, &sp->src, sp->cfg.tpm_retry_interval_s,
                  device_again, sp);
    if (rc == SECPROV_OK && (rc = sp_store_check_groups(&sp->store, err, sizeof err)) != SECPROV_OK)
        sp_log(&sp->log, SECPROV_LOG_ERROR, "%s", err);
    find_device(sp);
    if (rc == SECPROV_OK)
        rc = sp_select_open(wish, wished, source, sp->device, sp->cfg.fallback, try_open, sp,
                            &sp->log, &sp->sel);
    if (rc == SECPROV_OK) {
        char why[sizeof sp->sel.reason];
        if (sp->device == NULL)
            device_again(sp, why, sizeof why);
        sp_store_start(&sp->store, wish == SP_WISH_AUTO, sp->sel.provider, sp->sel.fell_back,
                       sp->device == NULL ? why : sp->sel.reason);
    }
    if (rc != SECPROV_OK) {
        destroy(sp);
        return rc;
    }
    *out = sp;
    return SECPROV_OK;
}

/* Every call that reaches a provider passes the fork gate (fork_gate.h). */
int secprov_open(secprov **out, const secprov_options *opts)
{
    return SP_GATED(open_handle(out, opts));
}

void secprov_close(secprov *sp)
{
    if (sp != NULL) {
        sp_gate_enter();
        destroy(sp);
        sp_gate_leave();
    }
}

/* The store's state changes when a fallen-back auto handle switches to the
 * TPM (auto_store.h): read under its mutex. */
const char *secprov_provider_name(const secprov *sp)
{
    return sp != NULL ? sp_store_serving_name((sp_store *)&sp->store) : NULL;
}

int secprov_fell_back(const secprov *sp)
{
    return sp != NULL && sp_store_fallback_reason((sp_store *)&sp->store) != NULL;
}

const char *secprov_fallback_reason(const secprov *sp)
{
    return sp != NULL ? sp_store_fallback_reason((sp_store *)&sp->store) : NULL;
}

static int check_call(const secprov *sp, const char *name)
{
    sp_error_clear();
    if (sp == NULL || name == NULL)
        return SECPROV_ERR_INVALID_ARG;
    return secprov_name_check(name);
}

int secprov_seal(secprov *sp, const char *name, const void *data, size_t len)
{
    int rc = check_call(sp, name);

    if (rc != SECPROV_OK)
        return rc;
    /* Said in the line (secprov_last_error), not only by the status: an
     * empty value is usually a read that went wrong in the caller. */
    if (len == 0) {
        sp_log(&sp->log, SECPROV_LOG_ERROR, "an empty secret (0 bytes) is refused for '%s': "
               "a secret is 1 byte to 16 MiB", name);
        return SECPROV_ERR_INVALID_ARG;
    }
    if (data == NULL) {
        sp_log(&sp->log, SECPROV_LOG_ERROR, "no data (NULL) given for '%s'", name);
        return SECPROV_ERR_INVALID_ARG;
    }
    if (len > SECPROV_SECRET_MAX) {
        sp_log(&sp->log, SECPROV_LOG_ERROR, "a secret of %zu bytes is refused for '%s': "
               "a secret is 1 byte to 16 MiB", len, name);
        return SECPROV_ERR_TOO_LARGE;
    }
    return SP_GATED(sp_store_seal(&sp->store, name, data, len));
}

int secprov_unseal(secprov *sp, const char *name, void **data, size_t *len)
{
    int rc = check_call(sp, name);

    if (rc != SECPROV_OK)
        return rc;
    if (data == NULL || len == NULL)
        return SECPROV_ERR_INVALID_ARG;
    return SP_GATED(sp_store_unseal(&sp->store, name, data, len));
}

void secprov_free(void *data, size_t len)
{
    sp_secret_free(data, len);
}

int secprov_delete(secprov *sp, const char *name)
{
    int rc = check_call(sp, name);

    if (rc != SECPROV_OK)
        return rc;
    return SP_GATED(sp_store_delete(&sp->store, name));
}

int secprov_list(secprov *sp, char ***names, size_t *count)
{
    sp_error_clear();
    if (sp == NULL || names == NULL || count == NULL)
        return SECPROV_ERR_INVALID_ARG;
    *names = NULL;
    *count = 0;
    return SP_GATED(sp_store_list(&sp->store, names, count));
}

int secprov_locate(secprov *sp, const char *name, char *out, size_t out_len)
{
    int rc = check_call(sp, name);

    if (rc != SECPROV_OK)
        return rc;
    if (out == NULL || out_len == 0)
        return SECPROV_ERR_INVALID_ARG;
    out[0] = '\0';
    return SP_GATED(sp_store_locate(&sp->store, name, out, out_len));
}

void secprov_list_free(char **names, size_t count)
{
    if (names == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* The host's emitters run outside the fork gate: they may need a lock the
 * forking thread holds (fork_gate.h). */
typedef struct {
    secprov_info_fn info;
    secprov_gc_fn gc;
    void *user;
} host_emitter;

static void info_paused(const char *key, const char *value, void *user)
{
    const host_emitter *h = user;
    sp_gate_pause();
    h->info(key, value, h->user);
    sp_gate_resume();
}

static void gc_paused(const char *name, const char *location, const char *reason, void *user)
{
    const host_emitter *h = user;
    sp_gate_pause();
    h->gc(name, location, reason, h->user);
    sp_gate_resume();
}

int secprov_info(const secprov *sp, secprov_info_fn emit, void *user)
{
    host_emitter h = {emit, NULL, user};

    sp_error_clear();
    if (sp == NULL || emit == NULL)
        return SECPROV_ERR_INVALID_ARG;
    return SP_GATED(sp_store_info((sp_store *)&sp->store, info_paused, &h));
}

int secprov_gc(secprov *sp, int dry_run, secprov_gc_fn emit, void *user)
{
    host_emitter h = {NULL, emit, user};

    sp_error_clear();
    if (sp == NULL)
        return SECPROV_ERR_INVALID_ARG;
    return SP_GATED(sp_store_gc(&sp->store, dry_run, emit != NULL ? gc_paused : NULL, &h));
}

static int attest_call(secprov *sp, int op, const void *nonce, size_t nonce_len, int flags,
                       char **json)
{
    sp_error_clear();
    if (json != NULL)
        *json = NULL;
    if (sp == NULL || json == NULL || (flags & ~SECPROV_ATTEST_REQUIRE_TPM) != 0)
        return SECPROV_ERR_INVALID_ARG;
    if (op == SECPROV_ATTEST_OP_QUOTE && (nonce == NULL || nonce_len == 0))
        return SECPROV_ERR_INVALID_ARG;
    if (op == SECPROV_ATTEST_OP_QUOTE && nonce_len > SECPROV_ATTEST_NONCE_MAX)
        return SECPROV_ERR_TOO_LARGE;
    int rc = SP_GATED(sp_store_attest(&sp->store, op, nonce, nonce_len,
                                      (flags & SECPROV_ATTEST_REQUIRE_TPM) != 0, json));
    if (rc != SECPROV_OK && *json != NULL) {   /* a provider must not, but never leak */
        free(*json);
        *json = NULL;
    }
    return rc;
}

int secprov_attest(secprov *sp, const void *nonce, size_t nonce_len, int flags, char **report)
{
    return attest_call(sp, SECPROV_ATTEST_OP_QUOTE, nonce, nonce_len, flags, report);
}

int secprov_attest_enroll(secprov *sp, int flags, char **record)
{
    return attest_call(sp, SECPROV_ATTEST_OP_ENROLL, NULL, 0, flags, record);
}

int secprov_attest_block(secprov *sp, const void *payload_id, size_t len, int flags,
                         char **block)
{
    static const char unavailable[] = "{\n  \"is_available\": false\n}";
    int rc;

    sp_error_clear();
    if (block != NULL)
        *block = NULL;
    if (sp == NULL || block == NULL || payload_id == NULL || len == 0 ||
        (flags & ~(SECPROV_ATTEST_REQUIRE_TPM | SECPROV_ATTEST_EPHEMERAL_AIK)) != 0)
        return SECPROV_ERR_INVALID_ARG;
    if (len > SECPROV_ATTEST_PAYLOAD_ID_MAX)
        return SECPROV_ERR_TOO_LARGE;
    rc = SP_GATED(sp_store_attest_block(&sp->store, payload_id, len,
                                        (flags & SECPROV_ATTEST_EPHEMERAL_AIK) != 0
                                            ? SECPROV_ATTEST_BLOCK_EPHEMERAL_AIK : 0,
                                        (flags & SECPROV_ATTEST_REQUIRE_TPM) != 0, block));
    if (rc != SECPROV_OK && *block != NULL) {   /* a provider must not, but never leak */
        free(*block);
        *block = NULL;
    }
    if (rc == SECPROV_ERR_UNSUPPORTED) {        /* no TPM, tier standard/high: go on */
        if ((*block = strdup(unavailable)) == NULL)
            return SECPROV_ERR_NOMEM;
        rc = SECPROV_OK;
    }
    return rc;
}

int secprov_attest_activate(secprov *sp, const void *challenge, size_t len, void *answer,
                            size_t cap, size_t *answer_len)
{
    sp_error_clear();
    if (answer_len != NULL)
        *answer_len = 0;
    if (sp == NULL || challenge == NULL || len == 0 || answer == NULL || answer_len == NULL ||
        cap == 0)
        return SECPROV_ERR_INVALID_ARG;
    if (len > SECPROV_ATTEST_CHALLENGE_MAX)
        return SECPROV_ERR_TOO_LARGE;
    return SP_GATED(
        sp_store_attest_activate(&sp->store, challenge, len, answer, cap, answer_len));
}

static int blob_call(secprov *sp, int op, const char *name, const void *blob, size_t blob_len,
                     void **data, size_t *len)
{
    int rc = name != NULL ? check_call(sp, name) : SECPROV_OK;

    if (name == NULL)
        sp_error_clear();
    if (rc != SECPROV_OK)
        return rc;
    if (sp == NULL || blob == NULL || blob_len == 0)
        return SECPROV_ERR_INVALID_ARG;
    return SP_GATED(sp_store_import(&sp->store, op, name, blob, blob_len, data, len));
}

int secprov_import(secprov *sp, const char *name, const void *blob, size_t blob_len)
{
    return blob_call(sp, SECPROV_BLOB_OP_IMPORT, name, blob, blob_len, NULL, NULL);
}

int secprov_unwrap(secprov *sp, const void *blob, size_t blob_len, void **data, size_t *len)
{
    if (data == NULL || len == NULL)
        return SECPROV_ERR_INVALID_ARG;
    *data = NULL;
    *len = 0;
    return blob_call(sp, SECPROV_BLOB_OP_UNWRAP, NULL, blob, blob_len, data, len);
}

void secprov_attest_free(char *json)
{
    free(json);
}
