/* One provider as the handle holds it: see provider_slot.h. */
#include "provider_slot.h"

#include <stdio.h>
#include <string.h>

#include "secprov.h"

int sp_provider_bind(sp_provider *p, const char *name, const sp_env_source *src)
{
    int rc = sp_env_init(&p->env, name, src);

    p->bound = rc == SECPROV_OK;
    return rc;
}

static int check_config(sp_provider *p, char *why, size_t why_len)
{
    const sp_env_source *src = p->env.env.core;
    const secprov_config_key *keys = SECPROV_CLASS_HAS(p->klass, config_keys)
                                         ? p->klass->config_keys : NULL;
    int rc = sp_config_check_group(src->cfg, p->env.name, keys, why, why_len);

    if (rc == SECPROV_OK && SECPROV_CLASS_HAS(p->klass, config_check)) {
        why[0] = '\0';
        rc = p->klass->config_check(&p->env.env, why, why_len);
        if (rc != SECPROV_OK && why[0] == '\0')
            snprintf(why, why_len, "%s: the %s group is refused: %s",
                     src->cfg->path != NULL ? src->cfg->path : "(no config file)", p->env.name,
                     secprov_strerror(rc));
    }
    return rc;
}

int sp_provider_load(sp_provider *p, const char *dir, char *why, size_t why_len)
{
    int rc;

    if (p->klass != NULL)
        return SECPROV_OK;
    if (!p->bound)
        return SECPROV_ERR_INTERNAL;
    rc = secprov_module_load(dir, p->env.name, &p->mod, &p->klass, why, why_len);
    if (rc == SECPROV_OK && (rc = check_config(p, why, why_len)) != SECPROV_OK) {
        secprov_module_unload(p->mod);
        p->mod = NULL;
        p->klass = NULL;
    }
    return rc;
}

int sp_provider_open(sp_provider *p, const char *dir, char *why, size_t why_len)
{
    secprov_provider_ctx *ctx = NULL;
    int rc = sp_provider_load(p, dir, why, why_len);

    if (rc != SECPROV_OK || p->ctx != NULL)
        return rc;
    why[0] = '\0';
    rc = p->klass->open(&ctx, &p->env.env, why, why_len);
    if (rc != SECPROV_OK || ctx == NULL) {
        if (why[0] == '\0')
            snprintf(why, why_len, "%s provider failed to open: %s", p->env.name,
                     secprov_strerror(rc));
        if (ctx != NULL)
            p->klass->close(ctx);
        return rc != SECPROV_OK ? rc : SECPROV_ERR_INTERNAL;
    }
    p->ctx = ctx;
    return SECPROV_OK;
}

void sp_provider_close(sp_provider *p)
{
    if (p->ctx != NULL)
        p->klass->close(p->ctx);
    secprov_module_unload(p->mod);
    p->mod = NULL;
    p->klass = NULL;
    p->ctx = NULL;                      /* still bound: the env stays */
}

int sp_provider_seal(sp_provider *p, const char *name, const void *data, size_t len)
{
    return SECPROV_CLASS_HAS(p->klass, seal) ? p->klass->seal(p->ctx, name, data, len)
                                             : SECPROV_ERR_UNSUPPORTED;
}

int sp_provider_unseal(sp_provider *p, const char *name, void **data, size_t *len)
{
    int rc;

    *data = NULL;
    *len = 0;
    if (!SECPROV_CLASS_HAS(p->klass, unseal))
        return SECPROV_ERR_UNSUPPORTED;
    rc = p->klass->unseal(p->ctx, name, data, len);
    if (rc != SECPROV_OK && *data != NULL) {        /* a provider must not, but never leak */
        p->env.env.secret_free(*data, *len);
        *data = NULL;
        *len = 0;
    }
    return rc;
}

int sp_provider_remove(sp_provider *p, const char *name)
{
    return SECPROV_CLASS_HAS(p->klass, remove) ? p->klass->remove(p->ctx, name)
                                               : SECPROV_ERR_UNSUPPORTED;
}

int sp_provider_list(sp_provider *p, char ***names, size_t *count)
{
    return SECPROV_CLASS_HAS(p->klass, list) ? p->klass->list(p->ctx, names, count)
                                             : SECPROV_ERR_UNSUPPORTED;
}

int sp_provider_locate(sp_provider *p, const char *name, char *out, size_t out_len)
{
    return SECPROV_CLASS_HAS(p->klass, locate) ? p->klass->locate(p->ctx, name, out, out_len)
                                               : SECPROV_ERR_UNSUPPORTED;
}
