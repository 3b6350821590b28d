/* One provider as the handle holds it: see provider_slot.h. */
#include "provider_slot.h"

#include <stdio.h>
#include <string.h>

#include "secprov.h"

int sp_provider_load(sp_provider *p, const char *dir, const char *name, char *why,
                     size_t why_len)
{
    if (p->klass != NULL)
        return SECPROV_OK;
    return secprov_module_load(dir, name, &p->mod, &p->klass, why, why_len);
}

int sp_provider_open(sp_provider *p, const char *dir, const char *name,
                     const secprov_provider_env *env, char *why, size_t why_len)
{
    secprov_provider_ctx *ctx = NULL;
    int rc = sp_provider_load(p, dir, name, why, why_len);

    if (rc != SECPROV_OK || p->ctx != NULL)
        return rc;
    why[0] = '\0';
    rc = p->klass->open(&ctx, env, why, why_len);
    if (rc != SECPROV_OK || ctx == NULL) {
        if (why[0] == '\0')
            snprintf(why, why_len, "%s provider failed to open: %s", name, secprov_strerror(rc));
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
    memset(p, 0, sizeof *p);
}

int sp_provider_seal(sp_provider *p, const char *name, const void *data, size_t len)
{
    return SECPROV_CLASS_HAS(p->klass, seal) ? p->klass->seal(p->ctx, name, data, len)
                                             : SECPROV_ERR_UNSUPPORTED;
}

int sp_provider_unseal(sp_provider *p, const secprov_provider_env *env, const char *name,
                       void **data, size_t *len)
{
    int rc;

    *data = NULL;
    *len = 0;
    if (!SECPROV_CLASS_HAS(p->klass, unseal))
        return SECPROV_ERR_UNSUPPORTED;
    rc = p->klass->unseal(p->ctx, name, data, len);
    if (rc != SECPROV_OK && *data != NULL) {        /* a provider must not, but never leak */
        env->secret_free(*data, *len);
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
