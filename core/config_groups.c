/* The provider groups of the config file, and the key rules the readers
 * share: config.h, config_rules.h. */
#include "config.h"

#include <libconfig.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_rules.h"
#include "secprov_name_rules.h"
#include "secprov.h"

/* What sp_config_get hands out that the tree does not hold as such: one
 * node per array setting (its items) or per computed text (a default
 * state_dir), made once however often it is asked for. */
struct sp_config_list {
    struct sp_config_list *next;
    const config_setting_t *array;  /* the array whose items these are, or NULL */
    const char **items;
    size_t count;
    char *text;
};

int sp_config_fail(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return SECPROV_ERR_CONFIG;
}

const char *sp_config_type_name(int type)
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

const sp_key_rule *sp_key_rule_find(const sp_key_rule *rules, const char *name)
{
    for (; rules != NULL && rules->name != NULL; rules++)
        if (strcmp(rules->name, name) == 0)
            return rules;
    return NULL;
}

int sp_key_check(const config_setting_t *s, const sp_key_rule *rules, const char *file,
                 const char *prefix, char *err, size_t err_len)
{
    const char *name = config_setting_name(s);
    const sp_key_rule *r = sp_key_rule_find(rules, name);
    int line = config_setting_source_line(s);

    if (r == NULL)
        return sp_config_fail(err, err_len, "%s:%d: unknown key '%s%s'", file, line, prefix, name);
    if (config_setting_type(s) != r->type)
        return sp_config_fail(err, err_len, "%s:%d: '%s%s' must be %s", file, line, prefix, name,
                              sp_config_type_name(r->type));
    return SECPROV_OK;
}

int sp_keys_check(const config_setting_t *group, const sp_key_rule *rules, const char *file,
                  const char *prefix, char *err, size_t err_len)
{
    for (int i = 0; i < config_setting_length(group); i++) {
        int rc = sp_key_check(config_setting_get_elem(group, (unsigned)i), rules, file, prefix,
                              err, err_len);
        if (rc != SECPROV_OK)
            return rc;
    }
    return SECPROV_OK;
}

size_t sp_config_provider_groups_of(config_t *lc, const char **names, size_t max)
{
    config_setting_t *root = config_root_setting(lc);
    size_t n = 0;

    for (int i = 0; i < config_setting_length(root); i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        if (config_setting_type(s) != CONFIG_TYPE_GROUP || strcmp(name, "attest") == 0 ||
            strcmp(name, "attestor") == 0 || !secprov_provider_name_rule_ok(name))
            continue;
        if (n < max)
            names[n] = name;
        n++;
    }
    return n;
}

size_t sp_config_provider_groups(const sp_config *cfg, const char **names, size_t max)
{
    return cfg->tree != NULL ? sp_config_provider_groups_of(cfg->tree, names, max) : 0;
}

static config_setting_t *lookup(const sp_config *cfg, const char *group, const char *key)
{
    config_setting_t *g = cfg->tree != NULL ? config_lookup(cfg->tree, group) : NULL;

    if (g == NULL || config_setting_type(g) != CONFIG_TYPE_GROUP)
        return NULL;
    return key != NULL ? config_setting_get_member(g, key) : g;
}

int sp_state_dir_check(config_t *lc, const char *group, const char *file, char *err,
                       size_t err_len)
{
    config_setting_t *g = config_lookup(lc, group);
    config_setting_t *s = g != NULL ? config_setting_get_member(g, "state_dir") : NULL;

    if (s == NULL)
        return SECPROV_OK;
    int line = config_setting_source_line(s);
    const char *v = config_setting_get_string(s);
    if (v == NULL)
        return sp_config_fail(err, err_len, "%s:%d: '%s.state_dir' must be %s", file, line, group,
                              sp_config_type_name(CONFIG_TYPE_STRING));
    if (v[0] == '\0')
        return sp_config_fail(err, err_len, "%s:%d: '%s.state_dir' must not be empty", file, line,
                              group);
    /* FAPI (and a shell) would read such a path's start from $HOME (the
     * caller's, in a privileged process), where secprov takes it literally. */
    if (v[0] == '~' || strncmp(v, "$HOME", 5) == 0)
        return sp_config_fail(err, err_len, "%s:%d: '%s.state_dir' starts with ~ or $HOME, which "
                              "is never expanded: give an absolute path", file, line, group);
    if (v[0] != '/')
        return sp_config_fail(err, err_len, "%s:%d: '%s.state_dir' must be an absolute path, not "
                              "'%s'", file, line, group, v);
    return SECPROV_OK;
}

int sp_config_group_installed(const sp_config *cfg, const char *group, const char *provider_dir,
                              char *err, size_t err_len)
{
    char path[4096];
    struct stat st;

    snprintf(path, sizeof path, "%s/%s.so", provider_dir, group);
    if (stat(path, &st) == 0)
        return SECPROV_OK;
    config_setting_t *g = lookup(cfg, group, NULL);
    return sp_config_fail(err, err_len, "%s:%d: unknown key '%s' (no provider module %s.so in %s)",
                          cfg->path, g != NULL ? config_setting_source_line(g) : 0, group, group,
                          provider_dir);
}

/* The keys of every group that are the core's (config_rules.h). */
static const sp_key_rule core_group_keys[] = {{"state_dir", CONFIG_TYPE_STRING}, {NULL, 0}};
static const sp_key_rule core_tpm_keys[] = {{"state_dir", CONFIG_TYPE_STRING},
                                            {"devices", CONFIG_TYPE_ARRAY},
                                            {"retry_interval_s", CONFIG_TYPE_INT}, {NULL, 0}};

static const sp_key_rule *core_keys(const char *group)
{
    return strcmp(group, "tpm") == 0 ? core_tpm_keys : core_group_keys;
}

static int libconfig_type(int type)
{
    switch (type) {
    case SECPROV_CONFIG_STRING: return CONFIG_TYPE_STRING;
    case SECPROV_CONFIG_INT: return CONFIG_TYPE_INT;
    case SECPROV_CONFIG_BOOL: return CONFIG_TYPE_BOOL;
    case SECPROV_CONFIG_STRINGS: return CONFIG_TYPE_ARRAY;
    default: return CONFIG_TYPE_NONE;
    }
}

int sp_config_check_group(const sp_config *cfg, const char *group, const secprov_config_key *keys,
                          char *err, size_t err_len)
{
    config_setting_t *g = lookup(cfg, group, NULL);
    char prefix[64];

    if (g == NULL)
        return SECPROV_OK;
    snprintf(prefix, sizeof prefix, "%s.", group);
    for (int i = 0; i < config_setting_length(g); i++) {
        config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        const secprov_config_key *k = keys;
        while (k != NULL && k->name != NULL && strcmp(k->name, name) != 0)
            k++;
        int rc;
        if (sp_key_rule_find(core_keys(group), name) != NULL || k == NULL || k->name == NULL) {
            rc = sp_key_check(s, core_keys(group), cfg->path, prefix, err, err_len);
        } else {
            sp_key_rule r[2] = {{k->name, libconfig_type(k->type)}, {NULL, 0}};
            rc = sp_key_check(s, r, cfg->path, prefix, err, err_len);
        }
        if (rc != SECPROV_OK)
            return rc;
        /* an array holds strings only */
        for (int j = 0; config_setting_type(s) == CONFIG_TYPE_ARRAY &&
                        j < config_setting_length(s); j++)
            if (config_setting_get_string_elem(s, (unsigned)j) == NULL)
                return sp_config_fail(err, err_len, "%s:%d: '%s%s' must be %s", cfg->path,
                                      config_setting_source_line(s), prefix, name,
                                      sp_config_type_name(CONFIG_TYPE_ARRAY));
    }
    return SECPROV_OK;
}

/* The lists of every handle's config: a provider may call config_get from
 * any thread of a handle. */
static pthread_mutex_t lists_mutex = PTHREAD_MUTEX_INITIALIZER;

static struct sp_config_list *find_kept(const sp_config *cfg, const config_setting_t *array,
                                        const char *text)
{
    for (struct sp_config_list *l = cfg->lists; l != NULL; l = l->next)
        if (array != NULL ? l->array == array : l->text != NULL && strcmp(l->text, text) == 0)
            return l;
    return NULL;
}

/* The node of array (its string items) or of text, made and published
 * whole on first use. NULL: out of memory, or an item is not a string. */
static struct sp_config_list *kept(sp_config *cfg, const config_setting_t *array,
                                   const char *text)
{
    pthread_mutex_lock(&lists_mutex);
    struct sp_config_list *l = find_kept(cfg, array, text);
    if (l == NULL && (l = calloc(1, sizeof *l)) != NULL) {
        size_t n = array != NULL ? (size_t)config_setting_length(array) : 0;
        int ok = array != NULL ? (l->items = calloc(n ? n : 1, sizeof *l->items)) != NULL
                               : (l->text = strdup(text)) != NULL;
        for (size_t i = 0; ok && i < n; i++)
            ok = (l->items[i] = config_setting_get_string_elem(array, (unsigned)i)) != NULL;
        if (ok) {
            l->array = array;
            l->count = n;
            l->next = cfg->lists;
            cfg->lists = l;
        } else {
            free(l->items);
            free(l->text);
            free(l);
            l = NULL;
        }
    }
    pthread_mutex_unlock(&lists_mutex);
    return l;
}

void sp_config_lists_free(sp_config *cfg)
{
    while (cfg->lists != NULL) {
        struct sp_config_list *l = cfg->lists;
        cfg->lists = l->next;
        free(l->items);
        free(l->text);
        free(l);
    }
}

int sp_config_state_dir(const sp_config *cfg, const char *group, char *out, size_t out_len)
{
    config_setting_t *s = lookup(cfg, group, "state_dir");
    const char *v = s != NULL ? config_setting_get_string(s) : NULL;
    int n = v != NULL ? snprintf(out, out_len, "%s", v)
                      : snprintf(out, out_len, "%s/%s", SECPROV_STATE_ROOT, group);
    return n < 0 || (size_t)n >= out_len ? SECPROV_ERR_TOO_LARGE : SECPROV_OK;
}

/* The core's keys: their value in force, default included. NOT_FOUND: not one. */
static int core_value(const sp_config *cfg, const char *group, const char *key, int type,
                      void *out)
{
    sp_config *c = (sp_config *)cfg;     /* the lists it hands out live as long as cfg */

    if (strcmp(key, "state_dir") == 0 && type == SECPROV_CONFIG_STRING) {
        char dir[4096];
        struct sp_config_list *l;
        if (sp_config_state_dir(cfg, group, dir, sizeof dir) != SECPROV_OK)
            return SECPROV_ERR_CONFIG;
        if ((l = kept(c, NULL, dir)) == NULL)
            return SECPROV_ERR_NOMEM;
        *(const char **)out = l->text;
        return SECPROV_OK;
    }
    if (strcmp(group, "tpm") != 0)
        return SECPROV_ERR_NOT_FOUND;
    if (strcmp(key, "devices") == 0 && type == SECPROV_CONFIG_STRINGS) {
        secprov_config_strings *o = out;
        o->items = (const char *const *)cfg->tpm_devices;
        o->count = cfg->tpm_device_count;
        return SECPROV_OK;
    }
    if (strcmp(key, "retry_interval_s") == 0 && type == SECPROV_CONFIG_INT) {
        *(long long *)out = cfg->tpm_retry_interval_s;
        return SECPROV_OK;
    }
    return SECPROV_ERR_NOT_FOUND;
}

int sp_config_get(const sp_config *cfg, const char *group, const char *key, int type, void *out)
{
    int rc = core_value(cfg, group, key, type, out);
    config_setting_t *s;

    if (rc != SECPROV_ERR_NOT_FOUND)
        return rc;
    if ((s = lookup(cfg, group, key)) == NULL)
        return SECPROV_ERR_NOT_FOUND;
    if (config_setting_type(s) != libconfig_type(type))
        return type == SECPROV_CONFIG_STRING || type == SECPROV_CONFIG_INT ||
                       type == SECPROV_CONFIG_BOOL || type == SECPROV_CONFIG_STRINGS
                   ? SECPROV_ERR_CONFIG : SECPROV_ERR_INVALID_ARG;
    switch (type) {
    case SECPROV_CONFIG_STRING:
        *(const char **)out = config_setting_get_string(s);
        return SECPROV_OK;
    case SECPROV_CONFIG_INT:
        *(long long *)out = config_setting_get_int(s);
        return SECPROV_OK;
    case SECPROV_CONFIG_BOOL:
        *(int *)out = config_setting_get_bool(s);
        return SECPROV_OK;
    default: {
        for (int i = 0; i < config_setting_length(s); i++)
            if (config_setting_get_string_elem(s, (unsigned)i) == NULL)
                return SECPROV_ERR_CONFIG;          /* an array of another type */
        struct sp_config_list *l = kept((sp_config *)cfg, s, NULL);
        if (l == NULL)
            return SECPROV_ERR_NOMEM;
        secprov_config_strings *o = out;
        o->items = l->items;
        o->count = l->count;
        return SECPROV_OK;
    }
    }
}

void sp_config_where(const sp_config *cfg, const char *group, const char *key, char *out,
                     size_t out_len)
{
    config_setting_t *s = lookup(cfg, group, key);

    if (cfg->path == NULL)
        snprintf(out, out_len, "(no config file)");
    else if (s != NULL)
        snprintf(out, out_len, "%s:%d", cfg->path, config_setting_source_line(s));
    else
        snprintf(out, out_len, "%s", cfg->path);
}
