/*
 * What the config readers share (config.c: the core's keys; config_groups.c:
 * the provider groups; config_file.c: the file's text): the key rules, the
 * error line naming file and line, and the core's keys of every provider
 * group (state_dir; tpm.devices and tpm.retry_interval_s).
 */
#ifndef SECPROV_CONFIG_RULES_H
#define SECPROV_CONFIG_RULES_H

#include <libconfig.h>
#include <stddef.h>

#include "config.h"

typedef struct sp_key_rule {
    const char *name;
    int type;                   /* CONFIG_TYPE_* */
} sp_key_rule;

/* err = the formatted line; returns SECPROV_ERR_CONFIG. */
int sp_config_fail(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "a string", "an integer", ... for "'KEY' must be ..." */
const char *sp_config_type_name(int type);
const sp_key_rule *sp_key_rule_find(const sp_key_rule *rules, const char *name);
/* s is a key of rules, of its type: else "FILE:LINE: unknown key 'PREFIXNAME'"
 * or "FILE:LINE: 'PREFIXNAME' must be TYPE". */
int sp_key_check(const config_setting_t *s, const sp_key_rule *rules, const char *file,
                 const char *prefix, char *err, size_t err_len);
/* sp_key_check of every member of group. */
int sp_keys_check(const config_setting_t *group, const sp_key_rule *rules, const char *file,
                  const char *prefix, char *err, size_t err_len);
/* The top-level groups named like provider modules, in file order: the
 * count of them all, names filled up to max. */
size_t sp_config_provider_groups_of(config_t *lc, const char **names, size_t max);
/* group.state_dir, if set, is an absolute path (never ~ or $HOME, which
 * nothing here expands). */
int sp_state_dir_check(config_t *lc, const char *group, const char *file, char *err,
                       size_t err_len);
/* The arrays sp_config_get handed out (SECPROV_CONFIG_STRINGS). */
void sp_config_lists_free(sp_config *cfg);

#endif
