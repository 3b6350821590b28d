/*
 * One provider as the handle holds it: its module (loaded with dlopen), its
 * class, its env (provider_env.h) and its context once opened; the class's
 * operations called through it, a NULL or missing slot being
 * SECPROV_ERR_UNSUPPORTED.
 */
#ifndef SECPROV_PROVIDER_SLOT_H
#define SECPROV_PROVIDER_SLOT_H

#include <stddef.h>

#include "loader.h"
#include "provider_env.h"
#include "secprov_provider.h"

typedef struct sp_provider {
    secprov_module *mod;                /* NULL: not loaded */
    const secprov_provider_class *klass;
    secprov_provider_ctx *ctx;          /* NULL: not open */
    sp_env env;                         /* what it is handed (sp_provider_bind) */
    int bound;
} sp_provider;

/* Give the slot provider name's env (before its module is loaded: the
 * core asks a store's folder first); SECPROV_OK or TOO_LARGE. */
int sp_provider_bind(sp_provider *p, const char *name, const sp_env_source *src);
/* Load the bound provider from dir if not loaded yet (loader.h), and check
 * its config group: the keys against its class's config_keys
 * (sp_config_check_group), then its values (the class's config_check).
 * A group refused is SECPROV_ERR_CONFIG, why naming file and line, and the
 * module is unloaded again. */
int sp_provider_load(sp_provider *p, const char *dir, char *why, size_t why_len);
/* Load it and open it if not open yet; on failure nothing is left open
 * (the module stays loaded) and why says why. */
int sp_provider_open(sp_provider *p, const char *dir, char *why, size_t why_len);
void sp_provider_close(sp_provider *p);

int sp_provider_seal(sp_provider *p, const char *name, const void *data, size_t len);
/* *data is NULL unless SECPROV_OK (freed with env->secret_free otherwise). */
int sp_provider_unseal(sp_provider *p, const char *name, void **data, size_t *len);
int sp_provider_remove(sp_provider *p, const char *name);
int sp_provider_list(sp_provider *p, char ***names, size_t *count);
int sp_provider_locate(sp_provider *p, const char *name, char *out, size_t out_len);

#endif
