/* Reading the libconfig file into sp_config: see config.h. */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "secprov.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return SECPROV_ERR_CONFIG;
}

static int set_str(char **dst, const char *src)
{
    char *copy = strdup(src);

    if (copy == NULL)
        return SECPROV_ERR_NOMEM;
    free(*dst);
    *dst = copy;
    return SECPROV_OK;
}

static int set_defaults(sp_config *cfg)
{
    static const char *const devices[] = {"/dev/tpmrm0", "/dev/tpm0"};

    memset(cfg, 0, sizeof *cfg);
    cfg->fallback = 1;
    cfg->tpm_devices = calloc(2, sizeof(char *));
    if (cfg->tpm_devices == NULL)
        return SECPROV_ERR_NOMEM;
    for (size_t i = 0; i < 2; i++) {
        if (set_str(&cfg->tpm_devices[i], devices[i]) != SECPROV_OK)
            return SECPROV_ERR_NOMEM;
        cfg->tpm_device_count++;
    }
    if (set_str(&cfg->tpm_tcti, "") || set_str(&cfg->tpm_state_dir, SECPROV_DEFAULT_TPM_STATE) ||
        set_str(&cfg->legacy_state_dir, SECPROV_DEFAULT_LEGACY_STATE) ||
        set_str(&cfg->legacy_hardware, "") ||
        set_str(&cfg->attest_pcrs, SECPROV_DEFAULT_ATTEST_PCRS))
        return SECPROV_ERR_NOMEM;
    return SECPROV_OK;
}

void sp_config_free(sp_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->tpm_device_count; i++)
        free(cfg->tpm_devices[i]);
    free(cfg->tpm_devices);
    free(cfg->path);
    free(cfg->provider);
    free(cfg->tpm_tcti);
    free(cfg->tpm_state_dir);
    free(cfg->legacy_state_dir);
    if (cfg->legacy_hardware != NULL)
        explicit_bzero(cfg->legacy_hardware, strlen(cfg->legacy_hardware));
    free(cfg->legacy_hardware);
    free(cfg->attest_pcrs);
    memset(cfg, 0, sizeof *cfg);
}

/* The keys a group may hold; anything else is a typo worth an error. */
struct key_rule {
    const char *name;
    int type;
};

static const struct key_rule top_keys[] = {
    {"provider", CONFIG_TYPE_STRING}, {"fallback", CONFIG_TYPE_BOOL},
    {"log_level", CONFIG_TYPE_STRING}, {"tpm", CONFIG_TYPE_GROUP},
    {"legacy", CONFIG_TYPE_GROUP}, {"attest", CONFIG_TYPE_GROUP}, {NULL, 0}};
static const struct key_rule tpm_keys[] = {
    {"devices", CONFIG_TYPE_ARRAY}, {"tcti", CONFIG_TYPE_STRING},
    {"state_dir", CONFIG_TYPE_STRING}, {NULL, 0}};
static const struct key_rule legacy_keys[] = {
    {"state_dir", CONFIG_TYPE_STRING}, {"hardware", CONFIG_TYPE_STRING}, {NULL, 0}};
static const struct key_rule attest_keys[] = {{"pcrs", CONFIG_TYPE_STRING}, {NULL, 0}};

static const char *type_name(int type)
{
    switch (type) {
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "true or false";
    case CONFIG_TYPE_GROUP: return "a group { ... }";
    case CONFIG_TYPE_ARRAY: return "an array of strings [ ... ]";
    default: return "another type";
    }
}

/* Every member of group is a known key of the right type. */
static int check_keys(const config_setting_t *group, const struct key_rule *rules,
                      const char *file, const char *prefix, char *err, size_t err_len)
{
    int n = config_setting_length(group);

    for (int i = 0; i < n; i++) {
        config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(s);
        const struct key_rule *r = rules;
        while (r->name != NULL && strcmp(r->name, name) != 0)
            r++;
        int line = config_setting_source_line(s);
        if (r->name == NULL)
            return fail(err, err_len, "%s:%d: unknown key '%s%s'", file, line, prefix, name);
        if (config_setting_type(s) != r->type)
            return fail(err, err_len, "%s:%d: '%s%s' must be %s", file, line, prefix, name,
                        type_name(r->type));
    }
    return SECPROV_OK;
}

static int read_devices(sp_config *cfg, const config_setting_t *arr, const char *file,
                        char *err, size_t err_len)
{
    int n = config_setting_length(arr);
    int line = config_setting_source_line(arr);

    if (n == 0)
        return fail(err, err_len, "%s:%d: 'tpm.devices' is empty", file, line);
    for (size_t i = 0; i < cfg->tpm_device_count; i++)
        free(cfg->tpm_devices[i]);
    free(cfg->tpm_devices);
    cfg->tpm_device_count = 0;
    cfg->tpm_devices = calloc((size_t)n, sizeof(char *));
    if (cfg->tpm_devices == NULL)
        return SECPROV_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        const char *dev = config_setting_get_string_elem(arr, (unsigned)i);
        if (dev == NULL || dev[0] != '/')
            return fail(err, err_len, "%s:%d: 'tpm.devices' entries must be absolute paths",
                        file, line);
        if (set_str(&cfg->tpm_devices[i], dev) != SECPROV_OK)
            return SECPROV_ERR_NOMEM;
        cfg->tpm_device_count++;
    }
    return SECPROV_OK;
}

static int read_string(config_t *lc, const char *key, char **dst)
{
    const char *v;

    if (config_lookup_string(lc, key, &v) != CONFIG_TRUE)
        return SECPROV_OK;
    return set_str(dst, v);
}

static int read_settings(sp_config *cfg, config_t *lc, const char *file, char *err, size_t err_len)
{
    config_setting_t *root = config_root_setting(lc), *s;
    int rc, b;
    const char *v;

    if ((rc = check_keys(root, top_keys, file, "", err, err_len)) != SECPROV_OK)
        return rc;
    if ((s = config_lookup(lc, "tpm")) != NULL &&
        (rc = check_keys(s, tpm_keys, file, "tpm.", err, err_len)) != SECPROV_OK)
        return rc;
    if ((s = config_lookup(lc, "legacy")) != NULL &&
        (rc = check_keys(s, legacy_keys, file, "legacy.", err, err_len)) != SECPROV_OK)
        return rc;
    if ((s = config_lookup(lc, "attest")) != NULL &&
        (rc = check_keys(s, attest_keys, file, "attest.", err, err_len)) != SECPROV_OK)
        return rc;

    if ((s = config_lookup(lc, "provider")) != NULL) {
        v = config_setting_get_string(s);
        if (strcmp(v, "auto") != 0 && strcmp(v, "tpm") != 0 && strcmp(v, "legacy") != 0)
            return fail(err, err_len, "%s:%d: unknown provider '%s' (auto, tpm or legacy)",
                        file, config_setting_source_line(s), v);
        if ((rc = set_str(&cfg->provider, v)) != SECPROV_OK)
            return rc;
    }
    if (config_lookup_bool(lc, "fallback", &b) == CONFIG_TRUE)
        cfg->fallback = b ? 1 : 0;
    if ((s = config_lookup(lc, "log_level")) != NULL) {
        v = config_setting_get_string(s);
        cfg->log_level = sp_log_level_parse(v);
        if (cfg->log_level == 0)
            return fail(err, err_len,
                        "%s:%d: unknown log_level '%s' (debug, info, warning, error or none)",
                        file, config_setting_source_line(s), v);
    }
    if ((s = config_lookup(lc, "tpm.devices")) != NULL &&
        (rc = read_devices(cfg, s, file, err, err_len)) != SECPROV_OK)
        return rc;
    if ((rc = read_string(lc, "tpm.tcti", &cfg->tpm_tcti)) != SECPROV_OK ||
        (rc = read_string(lc, "tpm.state_dir", &cfg->tpm_state_dir)) != SECPROV_OK ||
        (rc = read_string(lc, "legacy.state_dir", &cfg->legacy_state_dir)) != SECPROV_OK ||
        (rc = read_string(lc, "legacy.hardware", &cfg->legacy_hardware)) != SECPROV_OK ||
        (rc = read_string(lc, "attest.pcrs", &cfg->attest_pcrs)) != SECPROV_OK)
        return rc;
    if (cfg->tpm_state_dir[0] == '\0' || cfg->legacy_state_dir[0] == '\0')
        return fail(err, err_len, "%s: a state_dir must not be empty", file);
    return SECPROV_OK;
}

int sp_config_load(sp_config *cfg, const char *explicit_path, char *err, size_t err_len)
{
    const char *file = explicit_path != NULL ? explicit_path : SECPROV_DEFAULT_CONFIG;
    config_t lc;
    int rc;

    err[0] = '\0';
    if ((rc = set_defaults(cfg)) != SECPROV_OK) {
        sp_config_free(cfg);
        return rc;
    }
    if (explicit_path == NULL && access(file, F_OK) != 0 && errno == ENOENT)
        return SECPROV_OK;                       /* no default file: all defaults */

    config_init(&lc);
    if (config_read_file(&lc, file) != CONFIG_TRUE) {
        if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
            rc = fail(err, err_len, "%s: cannot read config file: %s", file, strerror(errno));
        else
            rc = fail(err, err_len, "%s:%d: %s", config_error_file(&lc) ? config_error_file(&lc) : file,
                      config_error_line(&lc), config_error_text(&lc));
    } else {
        rc = read_settings(cfg, &lc, file, err, err_len);
    }
    config_destroy(&lc);
    if (rc == SECPROV_OK)
        rc = set_str(&cfg->path, file);
    if (rc != SECPROV_OK)
        sp_config_free(cfg);
    return rc;
}
