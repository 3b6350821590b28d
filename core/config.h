/* The configuration file (libconfig) and its defaults. */
#ifndef SECPROV_CONFIG_H
#define SECPROV_CONFIG_H

#include <stddef.h>

#include "secprov_provider.h"

#define SECPROV_DEFAULT_CONFIG "/etc/secprov/secprov.conf"
#define SP_CONFIG_MAX (1 << 20)    /* bytes: libconfig's parse is quadratic in a long string */
#define SECPROV_DEFAULT_RETRY_INTERVAL_S 60      /* tpm.retry_interval_s */
#define SECPROV_RETRY_INTERVAL_S_MAX 86400

/*
 * The core's settings: the selection keys and what auto needs without
 * loading a provider. Every provider's own group stays in the parsed tree
 * and is read through sp_config_get (the env's config_get); its keys are
 * checked by sp_config_check_group against the provider's class.
 */
typedef struct sp_config {
    char *path;                 /* the file read, or NULL when defaults only */
    char *provider;             /* "auto" | "tpm" | "legacy" | NAME, or NULL = not set */
    int fallback;               /* 1 = fall back from tpm to legacy in auto */
    int log_level;              /* 0 = not set */
    char **tpm_devices;         /* tpm.devices: auto's presence check, in order */
    size_t tpm_device_count;
    int tpm_retry_interval_s;   /* a fallen-back auto handle retries the TPM */
    struct config_t *tree;      /* the file as parsed (NULL: defaults only) */
    struct sp_config_list *lists;   /* arrays handed out by sp_config_get */
} sp_config;

/*
 * Load the config: explicit path (options or $SECPROV_CONFIG, may be NULL)
 * else the default file. A missing default file means all defaults; a
 * missing or malformed explicit file, a wrong type, an unknown key or an
 * unknown value of the core's is SECPROV_ERR_CONFIG with err naming file,
 * line and what; so is a file that is not regular (a fifo, folder or
 * device) or larger than SP_CONFIG_MAX. A file another user could have
 * written (sp_trust_check) is SECPROV_ERR_PERMISSION. Every top-level
 * group other than the core's must be named like a provider module; its
 * keys are checked when that provider is loaded (sp_config_check_group).
 */
int sp_config_load(sp_config *cfg, const char *explicit_path, char *err, size_t err_len);
/* The same from the program's own text (secprov_options.config_text): no
 * file and no trust rule; the text's rules are a file's (at most
 * SP_CONFIG_MAX bytes, no @include line). Messages name it
 * SP_CONFIG_TEXT_NAME ("config_text:LINE: ..."). */
#define SP_CONFIG_TEXT_NAME "config_text"
int sp_config_load_text(sp_config *cfg, const char *config_text, char *err, size_t err_len);
void sp_config_free(sp_config *cfg);

/* A file may hold at most this many provider groups (sp_config_load
 * refuses more), so a caller's array of it never drops one. */
#define SP_CONFIG_GROUPS_MAX 64

/* The groups of the file that are named like provider modules (not the
 * core's own "attest"), in file order: names[i] valid while cfg is. The
 * count of them all; names holds the first max. */
size_t sp_config_provider_groups(const sp_config *cfg, const char **names, size_t max);
/* Whether the module of a group is installed: SECPROV_ERR_CONFIG naming
 * file, line, group and folder when provider_dir has no NAME.so. */
int sp_config_group_installed(const sp_config *cfg, const char *group, const char *provider_dir,
                              char *err, size_t err_len);
/* The group holds only the core's keys and keys (of their types): else
 * SECPROV_ERR_CONFIG naming file and line. */
int sp_config_check_group(const sp_config *cfg, const char *group, const secprov_config_key *keys,
                          char *err, size_t err_len);
/* group.key as type (secprov_provider_env.config_get). */
int sp_config_get(const sp_config *cfg, const char *group, const char *key, int type, void *out);
/* "FILE:LINE" of group.key (secprov_provider_env.config_where). */
void sp_config_where(const sp_config *cfg, const char *group, const char *key, char *out,
                     size_t out_len);
/* The provider's store: group.state_dir, else SECPROV_STATE_ROOT/group. */
int sp_config_state_dir(const sp_config *cfg, const char *group, char *out, size_t out_len);

#endif
