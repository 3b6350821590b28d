/* The attestor group of secprov's config file, read through the core's
 * reader (core/config.c checks the group's keys and types; here, values). */
#include <arpa/inet.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attestor.h"
#include "config.h"
#include "secprov.h"

#include <stdarg.h>

__attribute__((format(printf, 3, 4))) static int fail_msg(char *why, size_t why_len,
                                                          const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    return -1;
}
#define FAIL(...) fail_msg(why, why_len, __VA_ARGS__)

static int str_of(config_setting_t *g, const char *key, const char *def, char **out)
{
    const char *v = NULL;

    if (g == NULL || config_setting_lookup_string(g, key, &v) != CONFIG_TRUE)
        v = def;
    *out = strdup(v);
    return *out == NULL ? -1 : 0;
}

static int list_of(config_setting_t *g, const char *key, char ***out, size_t *n)
{
    config_setting_t *a = g != NULL ? config_setting_get_member(g, key) : NULL;
    int len = a != NULL ? config_setting_length(a) : 0;

    *n = 0;
    *out = calloc((size_t)len + 1, sizeof(char *));
    if (*out == NULL)
        return -1;
    for (int i = 0; i < len; i++) {
        const char *v = config_setting_get_string_elem(a, (unsigned)i);
        if (v == NULL || ((*out)[i] = strdup(v)) == NULL)
            return -1;
        (*n)++;
    }
    return 0;
}

static int path_ok(const char *p)
{
    return p[0] == '\0' || p[0] == '/';
}

int at_config_load(at_config *c, const char *path, char *why, size_t why_len)
{
    sp_config cfg;
    char err[512], *file;
    config_setting_t *g;
    char **raw = NULL;
    size_t nraw = 0;
    int rc = -1, b, v;

    memset(c, 0, sizeof *c);
    if (path == NULL)
        path = getenv("SECPROV_CONFIG");
    if (path != NULL && path[0] == '\0')
        path = NULL;
    if (sp_config_load(&cfg, path, err, sizeof err) != SECPROV_OK)
        return FAIL("%s", err[0] ? err : "config: cannot be read");
    file = cfg.path != NULL ? cfg.path : (char *)"(defaults)";
    g = cfg.tree != NULL ? config_lookup(cfg.tree, "attestor") : NULL;
    c->refresh_interval_s = 300;
    c->audit_max_bytes = 1L << 20;
    if (g != NULL) {
        if (config_setting_lookup_bool(g, "allow_remote", &b) == CONFIG_TRUE)
            c->allow_remote = b;
        if (config_setting_lookup_bool(g, "require_tpm", &b) == CONFIG_TRUE)
            c->require_tpm = b;
        if (config_setting_lookup_bool(g, "require_secure_boot", &b) == CONFIG_TRUE)
            c->require_secure_boot = b;
        if (config_setting_lookup_int(g, "refresh_interval_s", &v) == CONFIG_TRUE) {
            if (v < 1 || v > 86400) {
                FAIL("%s: 'attestor.refresh_interval_s' must be 1 to 86400", file);
                goto out;
            }
            c->refresh_interval_s = v;
        }
        if (config_setting_lookup_int(g, "audit_max_bytes", &v) == CONFIG_TRUE) {
            if (v < 4096) {
                FAIL("%s: 'attestor.audit_max_bytes' must be at least 4096", file);
                goto out;
            }
            c->audit_max_bytes = v;
        }
    }
    if (str_of(g, "listen", "127.0.0.1:8505", &c->listen) ||
        str_of(g, "registry_manifest", "", &c->registry_manifest) ||
        str_of(g, "hmac_key_file", "", &c->hmac_key_file) ||
        str_of(g, "token_file", "", &c->token_file) ||
        str_of(g, "audit_log", "/var/lib/secprov/attestor/audit.jsonl", &c->audit_log) ||
        str_of(g, "efivars_dir", "/sys/firmware/efi/efivars", &c->efivars_dir) ||
        str_of(g, "lockdown_file", "/sys/kernel/security/lockdown", &c->lockdown_file) ||
        str_of(g, "cmdline_file", "/proc/cmdline", &c->cmdline_file) ||
        list_of(g, "policy_files", &c->policy_files, &c->policy_count) ||
        list_of(g, "deployment_files", &c->deployment_files, &c->deployment_count)) {
        FAIL("out of memory");
        goto out;
    }
    const char *paths[] = {c->registry_manifest, c->hmac_key_file, c->token_file, c->audit_log,
                           c->efivars_dir, c->lockdown_file, c->cmdline_file};
    const char *names[] = {"registry_manifest", "hmac_key_file", "token_file", "audit_log",
                           "efivars_dir", "lockdown_file", "cmdline_file"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (!path_ok(paths[i])) {
            FAIL("%s: 'attestor.%s' must be an absolute path or \"\"", file, names[i]);
            goto out;
        }
    if (c->audit_log[0] == '\0') {
        FAIL("%s: 'attestor.audit_log' must be set", file);
        goto out;
    }
    for (size_t i = 0; i < c->policy_count; i++)
        if (c->policy_files[i][0] != '/') {
            FAIL("%s: 'attestor.policy_files' entry '%s' is not an absolute path", file,
                 c->policy_files[i]);
            goto out;
        }
    for (size_t i = 0; i < c->deployment_count; i++)
        if (c->deployment_files[i][0] != '/') {
            FAIL("%s: 'attestor.deployment_files' entry '%s' is not an absolute path", file,
                 c->deployment_files[i]);
            goto out;
        }
    char host[256], w[200];
    int port;
    if (at_listen_parse(c->listen, c->allow_remote, host, sizeof host, &port, w, sizeof w)) {
        FAIL("%s: 'attestor.listen': %s", file, w);
        goto out;
    }
    if (list_of(g, "expected_pcrs", &raw, &nraw) ||
        (c->pcrs = calloc(nraw + 1, sizeof *c->pcrs)) == NULL) {
        FAIL("out of memory");
        goto out;
    }
    for (size_t i = 0; i < nraw; i++, c->pcr_count++)
        if (at_pcr_parse(raw[i], &c->pcrs[i], w, sizeof w)) {
            FAIL("%s: 'attestor.expected_pcrs' entry '%s': %s", file, raw[i], w);
            goto out;
        }
    for (size_t i = 0; i < nraw; i++)
        free(raw[i]);
    free(raw);
    raw = NULL;
    if (list_of(g, "service_binaries", &raw, &nraw) ||
        (c->service_names = calloc(nraw + 1, sizeof(char *))) == NULL ||
        (c->service_paths = calloc(nraw + 1, sizeof(char *))) == NULL) {
        FAIL("out of memory");
        goto out;
    }
    for (size_t i = 0; i < nraw; i++) {
        char *eq = strchr(raw[i], '=');
        if (eq == NULL || eq == raw[i] || eq[1] != '/') {
            FAIL("%s: 'attestor.service_binaries' entry '%s' must be NAME=/absolute/path", file,
                 raw[i]);
            goto out;
        }
        c->service_names[i] = strndup(raw[i], (size_t)(eq - raw[i]));
        c->service_paths[i] = strdup(eq + 1);
        c->service_count++;
        if (c->service_names[i] == NULL || c->service_paths[i] == NULL) {
            FAIL("out of memory");
            goto out;
        }
    }
    rc = 0;
out:
    if (raw != NULL) {
        for (size_t i = 0; i < nraw; i++)
            free(raw[i]);
        free(raw);
    }
    sp_config_free(&cfg);
    if (rc != 0)
        at_config_free(c);
    return rc;
}

static void free_list(char **l, size_t n)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < n + 1; i++)
        free(l[i]);
    free(l);
}

void at_config_free(at_config *c)
{
    free(c->listen);
    free(c->registry_manifest);
    free(c->hmac_key_file);
    free(c->token_file);
    free(c->audit_log);
    free(c->efivars_dir);
    free(c->lockdown_file);
    free(c->cmdline_file);
    free(c->pcrs);
    free_list(c->service_names, c->service_count);
    free_list(c->service_paths, c->service_count);
    free_list(c->policy_files, c->policy_count);
    free_list(c->deployment_files, c->deployment_count);
    memset(c, 0, sizeof *c);
}

int at_listen_parse(const char *listen, int allow_remote, char *host, size_t host_len,
                    int *port, char *why, size_t why_len)
{
    const char *colon;
    char *end;
    struct in_addr a4;
    long p;

    if (strncmp(listen, "unix:", 5) == 0) {
        if (listen[5] != '/' || strlen(listen + 5) >= 108)
            return FAIL("'%s': a Unix socket needs an absolute path under 108 bytes", listen);
        snprintf(host, host_len, "%s", listen + 5);
        *port = -1;
        return 0;
    }
    colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || (size_t)(colon - listen) >= host_len)
        return FAIL("'%s' is not host:port or unix:/path", listen);
    p = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
        return FAIL("'%s': the port must be 1 to 65535", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    if (inet_pton(AF_INET, host, &a4) != 1)
        return FAIL("'%s': the host must be an IPv4 address", listen);
    if ((ntohl(a4.s_addr) >> 24) != 127 && !allow_remote)
        return FAIL("'%s' is not a loopback address: refused unless allow_remote = true",
                    listen);
    *port = (int)p;
    return 0;
}
