/* secprov_config_check (secprov.h): the configuration checked as
 * secprov_open reads it, every installed provider's group included,
 * without opening a provider. Backs `secprov config check`. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "options.h"
#include "provider_slot.h"
#include "secprov_name_rules.h"
#include "secprov.h"

#define MODULES_MAX 64

typedef struct check_run {
    secprov_check_fn emit;
    void *user;
    int rc;                     /* the first failure */
} check_run;

static void report(check_run *r, const char *part, int status, const char *message)
{
    if (status != SECPROV_OK && r->rc == SECPROV_OK)
        r->rc = status;
    if (r->emit != NULL)
        r->emit(part, status, message, r->user);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The installed modules: NAME.so in dir with NAME under the name rule, the
 * first max of them in names, sorted; returns how many there are in all. */
static size_t modules_in(const char *dir, char names[][SECPROV_PROVIDER_NAME_MAX + 1],
                         size_t max)
{
    char name[SECPROV_PROVIDER_NAME_MAX + 1];
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0 ||
            len - 3 > SECPROV_PROVIDER_NAME_MAX)
            continue;
        memcpy(name, e->d_name, len - 3);
        name[len - 3] = '\0';
        if (!secprov_provider_name_rule_ok(name))
            continue;
        if (n < max)
            memcpy(names[n], name, sizeof name);
        n++;
    }
    closedir(d);
    qsort(names, n < max ? n : max, sizeof names[0], by_name);
    return n;
}

static int has_group(const sp_config *cfg, const char *name)
{
    const char *groups[SP_CONFIG_GROUPS_MAX];
    size_t n = sp_config_provider_groups(cfg, groups, SP_CONFIG_GROUPS_MAX);

    for (size_t i = 0; i < n; i++)
        if (strcmp(groups[i], name) == 0)
            return 1;
    return 0;
}

static void check_module(check_run *r, sp_setup *s, const char *name)
{
    const sp_env_source src = {&s->log, &s->cfg};
    char why[600] = "";
    sp_provider p;
    int rc;

    memset(&p, 0, sizeof p);
    if ((rc = sp_provider_bind(&p, name, &src)) == SECPROV_OK)
        rc = sp_provider_load(&p, s->provider_dir, why, sizeof why);
    sp_provider_close(&p);
    if (rc == SECPROV_OK) {
        report(r, name, rc, "ok");
    } else if (rc == SECPROV_ERR_CONFIG || has_group(&s->cfg, name)) {
        report(r, name, rc, why[0] ? why : secprov_strerror(rc));
    } else {                                /* no group of its own: nothing to check */
        char line[700];
        snprintf(line, sizeof line, "not checked (%s)", why[0] ? why : secprov_strerror(rc));
        if (r->emit != NULL)
            r->emit(name, rc, line, r->user);
    }
}

int secprov_config_check(const secprov_options *opts, secprov_check_fn emit, void *user)
{
    char names[MODULES_MAX][SECPROV_PROVIDER_NAME_MAX + 1];
    check_run r = {emit, user, SECPROV_OK};
    char err[700];
    sp_setup s;
    int rc = sp_setup_begin(&s, 1, opts);

    if (rc != SECPROV_OK) {
        report(&r, "config", rc, secprov_last_error()[0] ? secprov_last_error()
                                                          : secprov_strerror(rc));
        return rc;
    }
    snprintf(err, sizeof err, "ok (%s)", s.cfg.path != NULL ? s.cfg.path
                                                           : "no config file: all defaults");
    report(&r, "config", SECPROV_OK, err);
    size_t n = modules_in(s.provider_dir, names, MODULES_MAX);
    if (n > MODULES_MAX) {                  /* never a silent partial check */
        snprintf(err, sizeof err, "%s holds %zu provider modules; only %d of them "
                 "are checked", s.provider_dir, n, MODULES_MAX);
        report(&r, "providers", SECPROV_ERR_TOO_LARGE, err);
        n = MODULES_MAX;
    }
    for (size_t i = 0; i < n; i++)
        check_module(&r, &s, names[i]);
    const char *groups[SP_CONFIG_GROUPS_MAX];
    size_t g = sp_config_provider_groups(&s.cfg, groups, SP_CONFIG_GROUPS_MAX);
    for (size_t i = 0; i < g; i++) {
        if (sp_config_group_installed(&s.cfg, groups[i], s.provider_dir, err, sizeof err) ==
            SECPROV_OK)
            continue;
        /* as secprov_open: tpm's and legacy's groups may be there without
         * their module (a device without tpm2-tss installs no tpm.so) */
        if (strcmp(groups[i], "tpm") == 0 || strcmp(groups[i], "legacy") == 0) {
            char line[800];
            snprintf(line, sizeof line, "not checked (no %s.so in %s)", groups[i], s.provider_dir);
            if (emit != NULL)
                emit(groups[i], SECPROV_ERR_NOT_INSTALLED, line, user);
        } else {
            report(&r, groups[i], SECPROV_ERR_CONFIG, err);
        }
    }
    sp_setup_free(&s);
    return r.rc;
}
