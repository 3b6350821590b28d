/*
 * The env the core hands one provider (secprov_provider.h): its name, its
 * state folder (sp_config_state_dir), and the core's services (the handle's
 * logger, secret memory, status text, the config's groups). One per loaded
 * provider: nothing in it belongs to a provider the core knows by name.
 */
#ifndef SECPROV_PROVIDER_ENV_H
#define SECPROV_PROVIDER_ENV_H

#include <stddef.h>

#include "config.h"
#include "log.h"
#include "secprov_provider.h"
#include "secprov_name_rules.h"

/* What every env of a handle reads from (the handle's, living as long). */
typedef struct sp_env_source {
    const sp_logger *log;
    const sp_config *cfg;
} sp_env_source;

typedef struct sp_env {
    secprov_provider_env env;           /* handed to the provider */
    char name[SECPROV_PROVIDER_NAME_MAX + 1];
    char state_dir[4096];
} sp_env;

/* For provider name (the name rule checked by the caller): SECPROV_OK, or
 * SECPROV_ERR_TOO_LARGE when its state folder's path is too long. */
int sp_env_init(sp_env *e, const char *name, const sp_env_source *src);

#endif
