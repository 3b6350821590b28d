/* Reading the libconfig file into sp_config, the core's keys: see config.h.
 * The provider groups' access is config_groups.c; the file's text is read
 * by config_file.c. */
#include "config.h"

#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"
#include "config_rules.h"
#include "log.h"
#include "secprov_name_rules.h"
#include "secprov.h"

static int set_str(char **dst, const char *src)
{
    char *copy = strdup(src);

    if (copy == NULL)
        return SECPROV_ERR_NOMEM;
    free(*dst);
    *dst = copy;
    return SECPROV_OK;
}

static void free_devices(sp_config *cfg)
{
    for (size_t i = 0; i < cfg->tpm_device_count; i++)
        free(cfg->tpm_devices[i]);
    free(cfg->tpm_devices);
    cfg->tpm_devices = NULL;
    cfg->tpm_device_count = 0;
}

static int set_defaults(sp_config *cfg)
{
    static const char *const devices[] = {"/dev/tpmrm0", "/dev/tpm0"};

    memset(cfg, 0, sizeof *cfg);
    cfg->fallback = 1;
    cfg->tpm_retry_interval_s = SECPROV_DEFAULT_RETRY_INTERVAL_S;
    cfg->tpm_devices = calloc(2, sizeof(char *));
    if (cfg->tpm_devices == NULL)
        return SECPROV_ERR_NOMEM;
    for (size_t i = 0; i < 2; i++) {
        if (set_str(&cfg->tpm_devices[i], devices[i]) != SECPROV_OK)
            return SECPROV_ERR_NOMEM;
        cfg->tpm_device_count++;
    }
    return SECPROV_OK;
}

/* Every string of the tree zeroed: a provider's group may hold a secret
 * (legacy.hardware is a device fingerprint), and the core knows none. */
static void wipe_strings(config_setting_t *s)
{
    if (config_setting_type(s) == CONFIG_TYPE_STRING) {
        const char *v = config_setting_get_string(s);
        if (v != NULL)
            explicit_bzero((char *)v, strlen(v));
        return;
    }
    if (config_setting_is_aggregate(s))
        for (int i = 0; i < config_setting_length(s); i++)
            wipe_strings(config_setting_get_elem(s, (unsigned)i));
}

void sp_config_free(sp_config *cfg)
{
    if (cfg == NULL)
        return;
    free_devices(cfg);
    free(cfg->path);
    free(cfg->provider);
    if (cfg->tree != NULL) {
        wipe_strings(config_root_setting(cfg->tree));
        config_destroy(cfg->tree);
        free(cfg->tree);
    }
    sp_config_lists_free(cfg);
    memset(cfg, 0, sizeof *cfg);
}

static const sp_key_rule top_keys[] = {
    {"provider", CONFIG_TYPE_STRING}, {"fallback", CONFIG_TYPE_BOOL},
    {"log_level", CONFIG_TYPE_STRING}, {"attest", CONFIG_TYPE_GROUP},
    {"attestor", CONFIG_TYPE_GROUP}, {NULL, 0}};
static const sp_key_rule attest_keys[] = {{"pcrs", CONFIG_TYPE_STRING}, {"lifetime_s", CONFIG_TYPE_INT}, {NULL, 0}};
/* The runtime attestor's group (attestor/, docs/attestor.md): the core owns
 * its keys and types; the daemon checks their values. */
static const sp_key_rule attestor_keys[] = {
    {"listen", CONFIG_TYPE_STRING}, {"allow_remote", CONFIG_TYPE_BOOL},
    {"refresh_interval_s", CONFIG_TYPE_INT}, {"require_tpm", CONFIG_TYPE_BOOL},
    {"require_secure_boot", CONFIG_TYPE_BOOL}, {"expected_pcrs", CONFIG_TYPE_ARRAY},
    {"service_binaries", CONFIG_TYPE_ARRAY}, {"policy_files", CONFIG_TYPE_ARRAY},
    {"deployment_files", CONFIG_TYPE_ARRAY}, {"registry_manifest", CONFIG_TYPE_STRING},
    {"hmac_key_file", CONFIG_TYPE_STRING}, {"token_file", CONFIG_TYPE_STRING},
    {"audit_log", CONFIG_TYPE_STRING}, {"audit_max_bytes", CONFIG_TYPE_INT},
    {"efivars_dir", CONFIG_TYPE_STRING}, {"lockdown_file", CONFIG_TYPE_STRING},
    {"cmdline_file", CONFIG_TYPE_STRING}, {NULL, 0}};

/* The top level: the core's keys, and groups named like provider modules
 * (name_rules.h), each checked when its provider is loaded. */
static int check_top(const config_setting_t *root, const char *file, char *err, size_t err_len)
{
    for (int i = 0; i < config_setting_length(root); i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        if (sp_key_rule_find(top_keys, name) == NULL &&
            config_setting_type(s) == CONFIG_TYPE_GROUP && secprov_provider_name_rule_ok(name))
            continue;
        int rc = sp_key_check(s, top_keys, file, "", err, err_len);
        if (rc != SECPROV_OK)
            return rc;
    }
    return SECPROV_OK;
}

static int read_devices(sp_config *cfg, const config_setting_t *arr, const char *file,
                        char *err, size_t err_len)
{
    int n = config_setting_length(arr);
    int line = config_setting_source_line(arr);

    if (config_setting_type(arr) != CONFIG_TYPE_ARRAY)
        return sp_config_fail(err, err_len, "%s:%d: 'tpm.devices' must be %s", file, line,
                              sp_config_type_name(CONFIG_TYPE_ARRAY));
    if (n == 0)
        return sp_config_fail(err, err_len, "%s:%d: 'tpm.devices' is empty", file, line);
    free_devices(cfg);
    cfg->tpm_devices = calloc((size_t)n, sizeof(char *));
    if (cfg->tpm_devices == NULL)
        return SECPROV_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        const char *dev = config_setting_get_string_elem(arr, (unsigned)i);
        if (dev == NULL || dev[0] != '/')
            return sp_config_fail(err, err_len, "%s:%d: 'tpm.devices' entries must be absolute "
                                  "paths", file, line);
        if (set_str(&cfg->tpm_devices[i], dev) != SECPROV_OK)
            return SECPROV_ERR_NOMEM;
        cfg->tpm_device_count++;
    }
    return SECPROV_OK;
}

/* The core's keys in the tpm group: devices and retry_interval_s. */
static int read_tpm(sp_config *cfg, config_t *lc, const char *file, char *err, size_t err_len)
{
    config_setting_t *s;
    int rc;

    if ((s = config_lookup(lc, "tpm.devices")) != NULL &&
        (rc = read_devices(cfg, s, file, err, err_len)) != SECPROV_OK)
        return rc;
    if ((s = config_lookup(lc, "tpm.retry_interval_s")) == NULL)
        return SECPROV_OK;
    int v = config_setting_get_int(s);
    if (config_setting_type(s) != CONFIG_TYPE_INT)
        return sp_config_fail(err, err_len, "%s:%d: 'tpm.retry_interval_s' must be %s", file,
                              config_setting_source_line(s), sp_config_type_name(CONFIG_TYPE_INT));
    if (v < 0 || v > SECPROV_RETRY_INTERVAL_S_MAX)
        return sp_config_fail(err, err_len, "%s:%d: 'tpm.retry_interval_s' must be 0 to %d", file,
                              config_setting_source_line(s), SECPROV_RETRY_INTERVAL_S_MAX);
    cfg->tpm_retry_interval_s = v;
    return SECPROV_OK;
}

static int read_settings(sp_config *cfg, config_t *lc, const char *file, char *err, size_t err_len)
{
    config_setting_t *root = config_root_setting(lc), *s;
    int rc, b;
    const char *v;

    if ((rc = check_top(root, file, err, err_len)) != SECPROV_OK)
        return rc;
    if ((s = config_lookup(lc, "attest")) != NULL &&
        (rc = sp_keys_check(s, attest_keys, file, "attest.", err, err_len)) != SECPROV_OK)
        return rc;
    if ((s = config_lookup(lc, "attestor")) != NULL &&
        (rc = sp_keys_check(s, attestor_keys, file, "attestor.", err, err_len)) != SECPROV_OK)
        return rc;
    if ((s = config_lookup(lc, "provider")) != NULL) {
        v = config_setting_get_string(s);
        if (!secprov_provider_name_rule_ok(v))
            return sp_config_fail(err, err_len, "%s:%d: unknown provider '%s' (auto, tpm, legacy "
                                  "or the name of an installed provider module: "
                                  "[a-z][a-z0-9_]{0,31})", file, config_setting_source_line(s), v);
        if ((rc = set_str(&cfg->provider, v)) != SECPROV_OK)
            return rc;
    }
    if (config_lookup_bool(lc, "fallback", &b) == CONFIG_TRUE)
        cfg->fallback = b ? 1 : 0;
    if ((s = config_lookup(lc, "log_level")) != NULL) {
        v = config_setting_get_string(s);
        cfg->log_level = sp_log_level_parse(v);
        if (cfg->log_level == 0)
            return sp_config_fail(err, err_len, "%s:%d: unknown log_level '%s' (debug, info, "
                                  "warning, error or none)", file, config_setting_source_line(s), v);
    }
    if ((rc = read_tpm(cfg, lc, file, err, err_len)) != SECPROV_OK)
        return rc;
    /* Every provider group's state_dir (the core's key): absolute. */
    const char *groups[SP_CONFIG_GROUPS_MAX];
    size_t n = sp_config_provider_groups_of(lc, groups, SP_CONFIG_GROUPS_MAX);
    if (n > SP_CONFIG_GROUPS_MAX)
        return sp_config_fail(err, err_len, "%s: %zu provider groups, more than the %d allowed",
                              file, n, SP_CONFIG_GROUPS_MAX);
    for (size_t i = 0; i < n; i++)
        if ((rc = sp_state_dir_check(lc, groups[i], file, err, err_len)) != SECPROV_OK)
            return rc;
    return SECPROV_OK;
}

/* Parse text (NUL-terminated, len bytes, already checked) named file in
 * messages into cfg; zeroes and frees text. */
static int parse_text(sp_config *cfg, char *text, size_t len, const char *file, char *err,
                      size_t err_len)
{
    int rc;
    config_t *lc = calloc(1, sizeof *lc);

    if (lc == NULL) {
        explicit_bzero(text, len);
        free(text);
        sp_config_free(cfg);
        return SECPROV_ERR_NOMEM;
    }
    config_init(lc);
    cfg->tree = lc;                              /* the provider groups are read from it */
    if (config_read_string(lc, text) != CONFIG_TRUE)
        rc = sp_config_fail(err, err_len, "%s:%d: %s", file, config_error_line(lc),
                            config_error_text(lc));
    else
        rc = read_settings(cfg, lc, file, err, err_len);
    explicit_bzero(text, len);
    free(text);
    if (rc == SECPROV_OK)
        rc = set_str(&cfg->path, file);
    if (rc != SECPROV_OK)
        sp_config_free(cfg);
    return rc;
}

int sp_config_load(sp_config *cfg, const char *explicit_path, char *err, size_t err_len)
{
    const char *file = explicit_path != NULL ? explicit_path : SECPROV_DEFAULT_CONFIG;
    char *text;
    size_t len = 0;
    int rc;

    err[0] = '\0';
    if ((rc = set_defaults(cfg)) != SECPROV_OK) {
        sp_config_free(cfg);
        return rc;
    }
    rc = sp_config_read_text(file, explicit_path != NULL, &text, &len, err, err_len);
    if (rc != SECPROV_OK) {
        sp_config_free(cfg);
        return rc;
    }
    if (text == NULL)
        return SECPROV_OK;                       /* no default file: all defaults */
    return parse_text(cfg, text, len, file, err, err_len);
}

int sp_config_load_text(sp_config *cfg, const char *config_text, char *err, size_t err_len)
{
    size_t len = strnlen(config_text, SP_CONFIG_MAX + 1);
    char *text;
    int rc;

    err[0] = '\0';
    if ((rc = set_defaults(cfg)) != SECPROV_OK) {
        sp_config_free(cfg);
        return rc;
    }
    if (len > SP_CONFIG_MAX) {
        sp_config_free(cfg);
        return sp_config_fail(err, err_len, "%s: more than the %d bytes allowed",
                              SP_CONFIG_TEXT_NAME, SP_CONFIG_MAX);
    }
    if ((rc = sp_config_text_check(SP_CONFIG_TEXT_NAME, config_text, len, err, err_len)) !=
        SECPROV_OK) {
        sp_config_free(cfg);
        return rc;
    }
    if ((text = malloc(len + 1)) == NULL) {
        sp_config_free(cfg);
        return SECPROV_ERR_NOMEM;
    }
    memcpy(text, config_text, len + 1);
    return parse_text(cfg, text, len, SP_CONFIG_TEXT_NAME, err, err_len);
}
