/* The env the core hands one provider: provider_env.h. */
#include "provider_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "secure_mem.h"

static void env_log(const secprov_provider_env *env, int level, const char *fmt, ...)
{
    const sp_env_source *src = env->core;
    va_list ap;

    va_start(ap, fmt);
    sp_vlog(src->log, level, fmt, ap);
    va_end(ap);
}

static int env_config_get(const secprov_provider_env *env, const char *group, const char *key,
                          int type, void *out)
{
    const sp_env_source *src = env->core;

    if (group == NULL || key == NULL || out == NULL)
        return SECPROV_ERR_INVALID_ARG;
    return sp_config_get(src->cfg, group, key, type, out);
}

static void env_config_where(const secprov_provider_env *env, const char *group, const char *key,
                             char *out, size_t out_len)
{
    const sp_env_source *src = env->core;

    if (out != NULL && out_len > 0)
        sp_config_where(src->cfg, group != NULL ? group : env->name, key, out, out_len);
}

int sp_env_init(sp_env *e, const char *name, const sp_env_source *src)
{
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    int rc = sp_config_state_dir(src->cfg, name, e->state_dir, sizeof e->state_dir);
    if (rc != SECPROV_OK)
        return rc;
    secprov_provider_env *env = &e->env;
    env->size = sizeof *env;
    env->name = e->name;
    env->state_dir = e->state_dir;
    env->log_level = src->log->level;
    env->log = env_log;
    env->secret_alloc = sp_secret_alloc;
    env->secret_free = sp_secret_free;
    env->status_text = secprov_strerror;
    env->config_get = env_config_get;
    env->config_where = env_config_where;
    env->core = (void *)src;
    return SECPROV_OK;
}
