/* The handle: options, configuration, selection and forwarding to the
 * provider's table. Knows no TPM and no cipher. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "loader.h"
#include "log.h"
#include "provider_abi.h"
#include "secure_mem.h"
#include "select.h"

struct secprov {
    sp_logger log;
    sp_config cfg;
    char *provider_dir;
    const char *device;             /* first present TPM device, or NULL */
    char *tcti;
    secprov_provider_env env;
    secprov_module *mod;
    const secprov_provider_class *klass;
    secprov_provider_ctx *ctx;
    sp_selection sel;
};

static void env_log(const secprov_provider_env *env, int level, const char *fmt, ...)
{
    const secprov *sp = env->core;
    va_list ap;

    va_start(ap, fmt);
    sp_vlog(&sp->log, level, fmt, ap);
    va_end(ap);
}

/* Copy the caller's options; fields past opts->size stay unset. */
static int read_options(secprov_options *o, const secprov_options *opts)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    if (opts == NULL)
        return SECPROV_OK;
    if (opts->size < offsetof(secprov_options, provider) + sizeof(opts->provider))
        return SECPROV_ERR_INVALID_ARG;      /* .size not set: use SECPROV_OPTIONS_INIT */
    memcpy(o, opts, opts->size < sizeof *o ? opts->size : sizeof *o);
    o->size = sizeof *o;
    return SECPROV_OK;
}

static const char *getenv_set(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static int set_log_level(secprov *sp, const secprov_options *o)
{
    const char *env = getenv_set("SECPROV_LOG_LEVEL");

    sp->log.level = SECPROV_LOG_WARNING;
    if (o->log_level != SECPROV_LOG_UNSET) {
        if (o->log_level < SECPROV_LOG_DEBUG || o->log_level > SECPROV_LOG_NONE)
            return SECPROV_ERR_INVALID_ARG;
        sp->log.level = o->log_level;
    } else if (env != NULL) {
        sp->log.level = sp_log_level_parse(env);
        if (sp->log.level == 0) {
            sp->log.level = SECPROV_LOG_ERROR;
            sp_log(&sp->log, SECPROV_LOG_ERROR,
                   "unknown SECPROV_LOG_LEVEL '%s' (debug, info, warning, error or none)", env);
            return SECPROV_ERR_CONFIG;
        }
    } else if (sp->cfg.log_level != 0) {
        sp->log.level = sp->cfg.log_level;
    }
    return SECPROV_OK;
}

static int fill_env(secprov *sp)
{
    struct stat st;

    for (size_t i = 0; i < sp->cfg.tpm_device_count && sp->device == NULL; i++)
        if (stat(sp->cfg.tpm_devices[i], &st) == 0)
            sp->device = sp->cfg.tpm_devices[i];
    if (sp->cfg.tpm_tcti[0] != '\0')
        sp->tcti = strdup(sp->cfg.tpm_tcti);
    else if (asprintf(&sp->tcti, "device:%s", sp->device ? sp->device : sp->cfg.tpm_devices[0]) < 0)
        sp->tcti = NULL;
    if (sp->tcti == NULL)
        return SECPROV_ERR_NOMEM;

    secprov_provider_env *e = &sp->env;
    e->size = sizeof *e;
    e->tpm_devices = (const char *const *)sp->cfg.tpm_devices;
    e->tpm_device_count = sp->cfg.tpm_device_count;
    e->tpm_device = sp->device;
    e->tpm_tcti = sp->tcti;
    e->tpm_state_dir = sp->cfg.tpm_state_dir;
    e->legacy_state_dir = sp->cfg.legacy_state_dir;
    e->legacy_hardware = sp->cfg.legacy_hardware;
    e->log_level = sp->log.level;
    e->log = env_log;
    e->secret_alloc = sp_secret_alloc;
    e->secret_free = sp_secret_free;
    e->core = sp;
    e->status_text = secprov_strerror;
    e->attest_pcrs = sp->cfg.attest_pcrs;
    return SECPROV_OK;
}

/* sp_try_open_fn: load a module and open it; nothing left open on failure. */
static int try_open(void *ctx, const char *provider, char *why, size_t why_len)
{
    secprov *sp = ctx;
    secprov_module *mod;
    const secprov_provider_class *klass;
    secprov_provider_ctx *pctx = NULL;
    int rc;

    rc = secprov_module_load(sp->provider_dir, provider, &mod, &klass, why, why_len);
    if (rc != SECPROV_OK)
        return rc;
    why[0] = '\0';
    rc = klass->open(&pctx, &sp->env, why, why_len);
    if (rc != SECPROV_OK || pctx == NULL) {
        if (why[0] == '\0')
            snprintf(why, why_len, "%s provider failed to open: %s", provider,
                     secprov_strerror(rc));
        if (pctx != NULL)
            klass->close(pctx);
        secprov_module_unload(mod);
        return rc != SECPROV_OK ? rc : SECPROV_ERR_INTERNAL;
    }
    sp->mod = mod;
    sp->klass = klass;
    sp->ctx = pctx;
    return SECPROV_OK;
}

static void destroy(secprov *sp)
{
    if (sp->ctx != NULL)
        sp->klass->close(sp->ctx);
    secprov_module_unload(sp->mod);
    sp_config_free(&sp->cfg);
    free(sp->provider_dir);
    free(sp->tcti);
    free(sp);
}

int secprov_open(secprov **out, const secprov_options *opts)
{
    secprov_options o;
    char err[600];
    const char *source;
    sp_wish wish;
    secprov *sp;
    int rc;

    sp_error_clear();
    if (out == NULL)
        return SECPROV_ERR_INVALID_ARG;
    *out = NULL;
    if ((rc = read_options(&o, opts)) != SECPROV_OK)
        return rc;
    sp = calloc(1, sizeof *sp);
    if (sp == NULL)
        return SECPROV_ERR_NOMEM;
    sp->log.fn = o.log_fn;
    sp->log.user = o.log_user;
    sp->log.level = SECPROV_LOG_WARNING;

    const char *path = o.config_path ? o.config_path : getenv_set("SECPROV_CONFIG");
    rc = sp_config_load(&sp->cfg, path, err, sizeof err);
    if (rc == SECPROV_OK)
        rc = set_log_level(sp, &o);
    else
        sp_log(&sp->log, SECPROV_LOG_ERROR, "%s", err);
    if (rc == SECPROV_OK) {
        rc = sp_select_wish(o.provider, getenv_set("SECURITY_PROVIDER"), sp->cfg.provider,
                            &wish, &source, err, sizeof err);
        if (rc != SECPROV_OK)
            sp_log(&sp->log, SECPROV_LOG_ERROR, "%s", err);
    }
    if (rc == SECPROV_OK) {
        sp->provider_dir = secprov_default_provider_dir(o.provider_dir);
        rc = sp->provider_dir != NULL ? fill_env(sp) : SECPROV_ERR_NOMEM;
    }
    if (rc == SECPROV_OK)
        rc = sp_select_open(wish, source, sp->device, sp->cfg.fallback, try_open, sp,
                            &sp->log, &sp->sel);
    if (rc != SECPROV_OK) {
        destroy(sp);
        return rc;
    }
    *out = sp;
    return SECPROV_OK;
}

void secprov_close(secprov *sp)
{
    if (sp != NULL)
        destroy(sp);
}

const char *secprov_provider_name(const secprov *sp)
{
    return sp != NULL ? sp->klass->name : NULL;
}

int secprov_fell_back(const secprov *sp)
{
    return sp != NULL && sp->sel.fell_back;
}

const char *secprov_fallback_reason(const secprov *sp)
{
    return sp != NULL && sp->sel.fell_back ? sp->sel.reason : NULL;
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
    if (data == NULL || len == 0)
        return SECPROV_ERR_INVALID_ARG;
    if (len > SECPROV_SECRET_MAX)
        return SECPROV_ERR_TOO_LARGE;
    if (!SECPROV_CLASS_HAS(sp->klass, seal))
        return SECPROV_ERR_UNSUPPORTED;
    return sp->klass->seal(sp->ctx, name, data, len);
}

int secprov_unseal(secprov *sp, const char *name, void **data, size_t *len)
{
    int rc = check_call(sp, name);

    if (rc != SECPROV_OK)
        return rc;
    if (data == NULL || len == NULL)
        return SECPROV_ERR_INVALID_ARG;
    *data = NULL;
    *len = 0;
    if (!SECPROV_CLASS_HAS(sp->klass, unseal))
        return SECPROV_ERR_UNSUPPORTED;
    rc = sp->klass->unseal(sp->ctx, name, data, len);
    if (rc != SECPROV_OK && *data != NULL) {  /* a provider must not, but never leak */
        sp_secret_free(*data, *len);
        *data = NULL;
        *len = 0;
    }
    return rc;
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
    if (!SECPROV_CLASS_HAS(sp->klass, remove))
        return SECPROV_ERR_UNSUPPORTED;
    return sp->klass->remove(sp->ctx, name);
}

int secprov_list(secprov *sp, char ***names, size_t *count)
{
    sp_error_clear();
    if (sp == NULL || names == NULL || count == NULL)
        return SECPROV_ERR_INVALID_ARG;
    *names = NULL;
    *count = 0;
    if (!SECPROV_CLASS_HAS(sp->klass, list))
        return SECPROV_ERR_UNSUPPORTED;
    return sp->klass->list(sp->ctx, names, count);
}

int secprov_locate(secprov *sp, const char *name, char *out, size_t out_len)
{
    int rc = check_call(sp, name);

    if (rc != SECPROV_OK)
        return rc;
    if (out == NULL || out_len == 0)
        return SECPROV_ERR_INVALID_ARG;
    out[0] = '\0';
    if (!SECPROV_CLASS_HAS(sp->klass, locate))
        return SECPROV_ERR_UNSUPPORTED;
    return sp->klass->locate(sp->ctx, name, out, out_len);
}

void secprov_list_free(char **names, size_t count)
{
    if (names == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

int secprov_info(const secprov *sp, secprov_info_fn emit, void *user)
{
    sp_error_clear();
    if (sp == NULL || emit == NULL)
        return SECPROV_ERR_INVALID_ARG;
    emit("provider", sp->klass->name, user);
    emit("fallback", sp->sel.fell_back ? "yes" : "no", user);
    if (sp->sel.fell_back)
        emit("reason", sp->sel.reason, user);
    if (SECPROV_CLASS_HAS(sp->klass, info))
        return sp->klass->info(sp->ctx, emit, user);
    return SECPROV_OK;
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
    if (!SECPROV_CLASS_HAS(sp->klass, attest)) {
        if (flags & SECPROV_ATTEST_REQUIRE_TPM)
            sp_log(&sp->log, SECPROV_LOG_ERROR, "attestation required, but the provider "
                   "in use (%s%s) has no TPM", sp->klass->name,
                   sp->sel.fell_back ? ", fell back" : "");
        return flags & SECPROV_ATTEST_REQUIRE_TPM ? SECPROV_ERR_UNAVAILABLE
                                                  : SECPROV_ERR_UNSUPPORTED;
    }
    int rc = sp->klass->attest(sp->ctx, op, nonce, nonce_len, json);
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

void secprov_attest_free(char *json)
{
    free(json);
}
