/* Reading the libconfig file into sp_config: see config.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_env.h"
#include "log.h"
#include "secprov_name_rules.h"
#include "secprov_provider.h"
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
    cfg->tpm_lock_timeout_ms = SECPROV_DEFAULT_LOCK_TIMEOUT_MS;
    cfg->tpm_retry_interval_s = SECPROV_DEFAULT_RETRY_INTERVAL_S;
    cfg->tpm_resource_manager = SECPROV_TPM_RM_AUTO;
    cfg->tpm_probe_timeout_ms = SECPROV_DEFAULT_TPM_PROBE_TIMEOUT_MS;
    cfg->tpm_call_timeout_ms = SECPROV_DEFAULT_TPM_CALL_TIMEOUT_MS;
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
    if (cfg->tree != NULL) {
        const char *hw = NULL;           /* the tree's copy too (see read_config) */
        if (config_lookup_string(cfg->tree, "legacy.hardware", &hw) == CONFIG_TRUE && hw != NULL)
            explicit_bzero((char *)hw, strlen(hw));
        config_destroy(cfg->tree);
        free(cfg->tree);
    }
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
    {"state_dir", CONFIG_TYPE_STRING}, {"lock_timeout_ms", CONFIG_TYPE_INT},
    {"retry_interval_s", CONFIG_TYPE_INT}, {"resource_manager", CONFIG_TYPE_STRING},
    {"probe_timeout_ms", CONFIG_TYPE_INT}, {"call_timeout_ms", CONFIG_TYPE_INT}, {NULL, 0}};
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
    case CONFIG_TYPE_INT: return "an integer";
    default: return "another type";
    }
}

/* Every member of group is a known key of the right type. At the top,
 * also a group named like a provider module (name_rules.h): the group of
 * another installed provider, whose module the core looks for at open and
 * which checks its own keys (sp_config_provider_keys). */
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
        if (r->name == NULL && rules == top_keys && config_setting_type(s) == CONFIG_TYPE_GROUP &&
            secprov_provider_name_rule_ok(name))
            continue;
        if (r->name == NULL)
            return fail(err, err_len, "%s:%d: unknown key '%s%s'", file, line, prefix, name);
        if (config_setting_type(s) != r->type)
            return fail(err, err_len, "%s:%d: '%s%s' must be %s", file, line, prefix, name,
                        type_name(r->type));
    }
    return SECPROV_OK;
}

int sp_config_provider_groups(const sp_config *cfg, const char *provider_dir, char *err,
                              size_t err_len)
{
    char path[4096];
    struct stat st;

    if (cfg->tree == NULL)
        return SECPROV_OK;
    config_setting_t *root = config_root_setting(cfg->tree);
    for (int i = 0; i < config_setting_length(root); i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        const struct key_rule *r = top_keys;
        while (r->name != NULL && strcmp(r->name, name) != 0)
            r++;
        if (r->name != NULL)
            continue;
        snprintf(path, sizeof path, "%s/%s.so", provider_dir, name);
        if (stat(path, &st) != 0)
            return fail(err, err_len, "%s:%d: unknown key '%s' (no provider module %s.so in %s)",
                        cfg->path, config_setting_source_line(s), name, name, provider_dir);
    }
    return SECPROV_OK;
}

int sp_config_provider_keys(const sp_config *cfg, const char *provider,
                            const secprov_config_key *keys, char *err, size_t err_len)
{
    config_setting_t *g = cfg->tree != NULL ? config_lookup(cfg->tree, provider) : NULL;

    if (g == NULL)
        return SECPROV_OK;
    for (int i = 0; i < config_setting_length(g); i++) {
        config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const secprov_config_key *k = keys;
        while (k != NULL && k->name != NULL && strcmp(k->name, config_setting_name(s)) != 0)
            k++;
        int line = config_setting_source_line(s);
        if (k == NULL || k->name == NULL)
            return fail(err, err_len, "%s:%d: unknown key '%s.%s'", cfg->path, line, provider,
                        config_setting_name(s));
        int want = k->type == SECPROV_CONFIG_STRING ? CONFIG_TYPE_STRING
                   : k->type == SECPROV_CONFIG_INT  ? CONFIG_TYPE_INT
                                                    : CONFIG_TYPE_BOOL;
        if (config_setting_type(s) != want)
            return fail(err, err_len, "%s:%d: '%s.%s' must be %s", cfg->path, line, provider,
                        k->name, type_name(want));
    }
    return SECPROV_OK;
}

int sp_config_provider_get(const sp_config *cfg, const char *provider, const char *key,
                           int type, void *out)
{
    config_setting_t *g = cfg->tree != NULL ? config_lookup(cfg->tree, provider) : NULL;
    config_setting_t *s = g != NULL ? config_setting_get_member(g, key) : NULL;

    if (s == NULL)
        return SECPROV_ERR_NOT_FOUND;
    switch (type) {
    case SECPROV_CONFIG_STRING:
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
            return SECPROV_ERR_CONFIG;
        *(const char **)out = config_setting_get_string(s);
        return SECPROV_OK;
    case SECPROV_CONFIG_INT:
        if (config_setting_type(s) != CONFIG_TYPE_INT)
            return SECPROV_ERR_CONFIG;
        *(long long *)out = config_setting_get_int(s);
        return SECPROV_OK;
    case SECPROV_CONFIG_BOOL:
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
            return SECPROV_ERR_CONFIG;
        *(int *)out = config_setting_get_bool(s);
        return SECPROV_OK;
    default:
        return SECPROV_ERR_INVALID_ARG;
    }
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

/* tpm.tcti names one of the TCTIs secprov supports, never a library (a
 * name or path tpm2-tss's TCTI loader would dlopen): "" or NAME[:conf]. */
static int tcti_supported(const char *tcti)
{
    static const char *const names[] = {"device", "swtpm", "mssim", "tabrmd"};
    size_t n = strcspn(tcti, ":");

    if (tcti[0] == '\0')
        return 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncmp(tcti, names[i], n) == 0)
            return 1;
    return 0;
}

static int read_string(config_t *lc, const char *key, char **dst)
{
    const char *v;

    if (config_lookup_string(lc, key, &v) != CONFIG_TRUE)
        return SECPROV_OK;
    return set_str(dst, v);
}

/* An integer key in [0, max], if set. */
static int read_bounded(config_t *lc, const char *key, int max, int *dst, const char *file,
                        char *err, size_t err_len)
{
    config_setting_t *s = config_lookup(lc, key);

    if (s == NULL)
        return SECPROV_OK;
    int v = config_setting_get_int(s);
    if (v < 0 || v > max)
        return fail(err, err_len, "%s:%d: '%s' must be 0 to %d", file,
                    config_setting_source_line(s), key, max);
    *dst = v;
    return SECPROV_OK;
}

/* tpm.resource_manager: auto | yes | no. */
static int read_resource_manager(sp_config *cfg, config_t *lc, const char *file, char *err,
                                 size_t err_len)
{
    static const char *const names[] = {"auto", "yes", "no"};
    static const int values[] = {SECPROV_TPM_RM_AUTO, SECPROV_TPM_RM_YES, SECPROV_TPM_RM_NO};
    config_setting_t *s = config_lookup(lc, "tpm.resource_manager");

    if (s == NULL)
        return SECPROV_OK;
    const char *v = config_setting_get_string(s);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(v, names[i]) == 0) {
            cfg->tpm_resource_manager = values[i];
            return SECPROV_OK;
        }
    return fail(err, err_len, "%s:%d: unknown tpm.resource_manager '%s' (auto, yes or no)",
                file, config_setting_source_line(s), v);
}

/* A tpm.*_timeout_ms key: 1 .. SECPROV_TPM_TIMEOUT_MAX_MS. */
static int read_timeout(config_t *lc, const char *key, int *dst, const char *file, char *err,
                        size_t err_len)
{
    config_setting_t *s = config_lookup(lc, key);

    if (s == NULL)
        return SECPROV_OK;
    int v = config_setting_get_int(s);
    if (v < 1 || v > SECPROV_TPM_TIMEOUT_MAX_MS)
        return fail(err, err_len, "%s:%d: '%s' must be 1 to %d (milliseconds), not %d", file,
                    config_setting_source_line(s), key, SECPROV_TPM_TIMEOUT_MAX_MS, v);
    *dst = v;
    return SECPROV_OK;
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
        if (!secprov_provider_name_rule_ok(v))
            return fail(err, err_len, "%s:%d: unknown provider '%s' (auto, tpm, legacy or the "
                        "name of an installed provider module: [a-z][a-z0-9_]{0,31})",
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
    if (!tcti_supported(cfg->tpm_tcti))
        return fail(err, err_len, "%s:%d: 'tpm.tcti' names the TCTI '%.*s': only device, swtpm, "
                    "mssim or tabrmd (NAME or NAME:conf), never a library", file,
                    config_setting_source_line(config_lookup(lc, "tpm.tcti")),
                    (int)strcspn(cfg->tpm_tcti, ":"), cfg->tpm_tcti);
    if ((rc = read_bounded(lc, "tpm.lock_timeout_ms", SECPROV_LOCK_TIMEOUT_MS_MAX,
                           &cfg->tpm_lock_timeout_ms, file, err, err_len)) != SECPROV_OK ||
        (rc = read_bounded(lc, "tpm.retry_interval_s", SECPROV_RETRY_INTERVAL_S_MAX,
                           &cfg->tpm_retry_interval_s, file, err, err_len)) != SECPROV_OK ||
        (rc = read_resource_manager(cfg, lc, file, err, err_len)) != SECPROV_OK ||
        (rc = read_timeout(lc, "tpm.probe_timeout_ms", &cfg->tpm_probe_timeout_ms, file, err,
                           err_len)) != SECPROV_OK ||
        (rc = read_timeout(lc, "tpm.call_timeout_ms", &cfg->tpm_call_timeout_ms, file, err,
                           err_len)) != SECPROV_OK)
        return rc;
    /* FAPI would read such a path's start from $HOME (the caller's, in a
     * privileged process), where secprov itself takes it literally. */
    if (cfg->tpm_state_dir[0] == '~' || strncmp(cfg->tpm_state_dir, "$HOME", 5) == 0)
        return fail(err, err_len, "%s:%d: 'tpm.state_dir' starts with ~ or $HOME, which FAPI "
                    "would expand from the environment: give an absolute path", file,
                    config_setting_source_line(config_lookup(lc, "tpm.state_dir")));
    if (cfg->tpm_state_dir[0] == '\0' || cfg->legacy_state_dir[0] == '\0')
        return fail(err, err_len, "%s: a state_dir must not be empty", file);
    return SECPROV_OK;
}

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m)) return "a folder";
    if (S_ISFIFO(m)) return "a fifo";
    if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

/* libconfig's @include (a line starting with it) would read a file that
 * the trust rule never saw, relative to the caller's working folder: no
 * line may start with it. A NUL byte would end libconfig's reading early. */
static int check_text(const char *file, const char *text, size_t len, char *err, size_t err_len)
{
    int line = 1;

    if (memchr(text, '\0', len) != NULL)
        return fail(err, err_len, "%s: contains a NUL byte: not a config file", file);
    for (const char *p = text; p < text + len; line++) {
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "@include", 8) == 0)
            return fail(err, err_len, "%s:%d: @include is not allowed (the included file would "
                        "escape the owner and mode check)", file, line);
        const char *nl = memchr(p, '\n', (size_t)(text + len - p));
        p = nl != NULL ? nl + 1 : text + len;
    }
    return SECPROV_OK;
}

/* Read the config file into *text (NUL-terminated, *len bytes): a regular
 * file of at most SP_CONFIG_MAX bytes that no other user could have written
 * (sp_trust_check), opened by its resolved path. *text stays NULL for an
 * absent default file (all defaults). */
static int read_config(const char *file, int explicit, char **text, size_t *len,
                       char *err, size_t err_len)
{
    char real[PATH_MAX], why[600], *buf;
    struct stat st;
    size_t got = 0;
    int rc, fd;

    *text = NULL;
    if (stat(file, &st) != 0) {
        if (!explicit && errno == ENOENT)
            return SECPROV_OK;                   /* no default file: all defaults */
        return fail(err, err_len, "%s: cannot read config file: %s", file, strerror(errno));
    }
    /* Before any open: a fifo would block, a folder would read as empty. */
    if (!S_ISREG(st.st_mode))
        return fail(err, err_len, "%s: is %s, not a config file", file, file_kind(st.st_mode));
    if (st.st_size > SP_CONFIG_MAX)
        return fail(err, err_len, "%s: config file of %lld bytes, more than the %d allowed", file,
                    (long long)st.st_size, SP_CONFIG_MAX);
    rc = sp_trust_check(file, SP_TRUST_FILE, real, why, sizeof why);
    if (rc == SECPROV_ERR_PERMISSION) {
        snprintf(err, err_len, "config file refused: %s", why);
        return rc;
    }
    if (rc != SECPROV_OK)
        return fail(err, err_len, "%s: cannot read config file: %s", file, why);
    fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return fail(err, err_len, "%s: cannot read config file: %s", file, strerror(errno));
    /* The file opened is the one checked: its folders admit no one else. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SP_CONFIG_MAX ||
        !sp_trust_rule(&st, 0, geteuid(), NULL, 0)) {
        close(fd);
        return fail(err, err_len, "%s: changed while it was being opened", file);
    }
    if ((buf = malloc(SP_CONFIG_MAX + 1)) == NULL) {
        close(fd);
        return SECPROV_ERR_NOMEM;
    }
    for (;;) {
        ssize_t n = read(fd, buf + got, SP_CONFIG_MAX + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = fail(err, err_len, "%s: cannot read config file: %s", file, strerror(errno));
            break;
        }
        got += (size_t)n;
        if (n == 0 || got > SP_CONFIG_MAX) {
            rc = got > SP_CONFIG_MAX ? fail(err, err_len, "%s: grew past %d bytes while being "
                                            "read", file, SP_CONFIG_MAX) : SECPROV_OK;
            break;
        }
    }
    close(fd);
    if (rc == SECPROV_OK) {
        buf[got] = '\0';
        rc = check_text(file, buf, got, err, err_len);
    }
    if (rc != SECPROV_OK) {
        explicit_bzero(buf, got);            /* legacy.hardware may be in it */
        free(buf);
        return rc;
    }
    *text = buf;
    *len = got;
    return SECPROV_OK;
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
    if ((rc = read_config(file, explicit_path != NULL, &text, &len, err, err_len)) != SECPROV_OK) {
        sp_config_free(cfg);
        return rc;
    }
    if (text == NULL)
        return SECPROV_OK;                       /* no default file: all defaults */

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
        rc = fail(err, err_len, "%s:%d: %s", file, config_error_line(lc), config_error_text(lc));
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
