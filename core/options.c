/* The options, environment and config both handle kinds read: options.h. */
#include "options.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "host_env.h"
#include "loader.h"

/* Copy the caller's options; fields past opts->size stay unset. */
static int copy_options(secprov_options *o, const secprov_options *opts)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    if (opts == NULL)
        return SECPROV_OK;
    if (opts->size < offsetof(secprov_options, provider) + sizeof(opts->provider))
        return SECPROV_ERR_INVALID_ARG;      /* .size not set: use SECPROV_OPTIONS_INIT */
    memcpy(o, opts, opts->size < sizeof *o ? opts->size : sizeof *o);
    o->size = sizeof *o;
    if (o->log_level != SECPROV_LOG_UNSET &&
        (o->log_level < SECPROV_LOG_DEBUG || o->log_level > SECPROV_LOG_NONE))
        return SECPROV_ERR_INVALID_ARG;
    if ((o->flags & ~SECPROV_OPT_ERRORS_RETURNED) != 0)
        return SECPROV_ERR_INVALID_ARG;      /* a flag of a newer secprov */
    return SECPROV_OK;
}

static int set_log_level(sp_setup *s)
{
    const char *env = sp_env_get("SECPROV_LOG_LEVEL");

    if (s->opts.log_level != SECPROV_LOG_UNSET) {
        s->log.level = s->opts.log_level;
    } else if (env != NULL) {
        s->log.level = sp_log_level_parse(env);
        if (s->log.level == 0) {
            s->log.level = SECPROV_LOG_ERROR;
            sp_log(&s->log, SECPROV_LOG_ERROR,
                   "unknown SECPROV_LOG_LEVEL '%s' (debug, info, warning, error or none)", env);
            return SECPROV_ERR_CONFIG;
        }
    } else if (s->cfg.log_level != 0) {
        s->log.level = s->cfg.log_level;
    }
    return SECPROV_OK;
}

int sp_setup_read(sp_setup *s, const secprov_options *opts)
{
    char err[600];
    int rc;

    memset(s, 0, sizeof *s);
    if ((rc = copy_options(&s->opts, opts)) != SECPROV_OK)
        return rc;
    s->log.fn = s->opts.log_fn;
    s->log.user = s->opts.log_user;
    s->log.errors_returned = (s->opts.flags & SECPROV_OPT_ERRORS_RETURNED) != 0;
    s->log.level = SECPROV_LOG_WARNING;
    /* Before anything is opened: no file may take fd 0, 1 or 2. */
    if ((rc = sp_std_fds_fill(err, sizeof err)) != SECPROV_OK) {
        sp_log(&s->log, SECPROV_LOG_ERROR, "%s", err);
        return rc;
    }
    const char *path = s->opts.config_path != NULL && s->opts.config_path[0] != '\0'
                           ? s->opts.config_path
                           : NULL;
    if (s->opts.config_text != NULL && path != NULL) {
        sp_log(&s->log, SECPROV_LOG_ERROR, "options: config_text and config_path are both "
               "set (give the config one way)");
        return SECPROV_ERR_INVALID_ARG;
    }
    if (s->opts.config_text != NULL)            /* the program's own: no $SECPROV_CONFIG */
        rc = sp_config_load_text(&s->cfg, s->opts.config_text, err, sizeof err);
    else
        rc = sp_config_load(&s->cfg, path != NULL ? path : sp_env_get("SECPROV_CONFIG"), err,
                            sizeof err);
    if (rc != SECPROV_OK) {
        sp_log(&s->log, SECPROV_LOG_ERROR, "%s", err);
        return rc;
    }
    if ((rc = set_log_level(s)) == SECPROV_OK &&
        (s->provider_dir = secprov_default_provider_dir(s->opts.provider_dir)) == NULL)
        rc = SECPROV_ERR_NOMEM;
    if (rc != SECPROV_OK)
        sp_setup_free(s);
    return rc;
}

int sp_setup_begin(sp_setup *s, int out_given, const secprov_options *opts)
{
    sp_error_clear();
    if (!out_given)
        return SECPROV_ERR_INVALID_ARG;
    return sp_setup_read(s, opts);
}

void sp_setup_free(sp_setup *s)
{
    sp_config_free(&s->cfg);
    free(s->provider_dir);
    s->provider_dir = NULL;
}
