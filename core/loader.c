/* Loading a provider module: the only place that calls dlopen. */
#include "loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#include "host_env.h"

struct secprov_module {
    void *dl;
};

/* The smallest table of this ABI: up to open and close. */
#define MIN_SIZE (offsetof(secprov_provider_class, close) + sizeof(void *))

int secprov_module_load(const char *dir, const char *name, secprov_module **mod,
                        const secprov_provider_class **klass, char *reason, size_t reason_len)
{
    char path[4096], real[PATH_MAX], why[600];
    secprov_provider_entry_fn *entry;
    const secprov_provider_class *k;
    void *dl;

    *mod = NULL;
    *klass = NULL;
    if (snprintf(path, sizeof path, "%s/%s.so", dir, name) >= (int)sizeof path) {
        snprintf(reason, reason_len, "provider path too long");
        return SECPROV_ERR_NOT_INSTALLED;
    }
    /* Code only from a file no other user could have written (host_env.h);
     * loaded by its resolved path, so that no symlink checked can change. */
    int rc = sp_trust_check(path, SP_TRUST_FILE, real, why, sizeof why);
    if (rc == SECPROV_ERR_NOT_FOUND) {
        snprintf(reason, reason_len, "%s provider not installed (%s)", name, why);
        return SECPROV_ERR_NOT_INSTALLED;
    }
    if (rc != SECPROV_OK) {
        snprintf(reason, reason_len, "%s provider refused: %s", name, why);
        return rc == SECPROV_ERR_PERMISSION ? rc : SECPROV_ERR_UNAVAILABLE;
    }
    sp_env_tss_scrub();                /* before tpm.so brings tpm2-tss in */
    dl = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        snprintf(reason, reason_len, "cannot load %s: %s", path, dlerror());
        return SECPROV_ERR_UNAVAILABLE;
    }
    *(void **)(&entry) = dlsym(dl, SECPROV_PROVIDER_ENTRY_SYMBOL);
    k = entry != NULL ? entry() : NULL;
    if (k == NULL) {
        snprintf(reason, reason_len, "%s has no provider entry %s", path,
                 SECPROV_PROVIDER_ENTRY_SYMBOL);
    } else if (k->abi_version != SECPROV_PROVIDER_ABI_VERSION) {
        snprintf(reason, reason_len, "%s has provider ABI %u, this library needs %u: rebuild "
                 "it against this secprov's secprov_provider.h (docs/provider-sdk.md)", path,
                 k->abi_version, SECPROV_PROVIDER_ABI_VERSION);
        k = NULL;
    } else if (k->size < MIN_SIZE || k->name == NULL || strcmp(k->name, name) != 0 ||
               k->open == NULL || k->close == NULL) {
        snprintf(reason, reason_len, "%s has a malformed provider table", path);
        k = NULL;
    }
    if (k == NULL) {
        dlclose(dl);
        return SECPROV_ERR_UNAVAILABLE;
    }
    *mod = malloc(sizeof **mod);
    if (*mod == NULL) {
        dlclose(dl);
        snprintf(reason, reason_len, "out of memory");
        return SECPROV_ERR_NOMEM;
    }
    (*mod)->dl = dl;
    *klass = k;
    return SECPROV_OK;
}

void secprov_module_unload(secprov_module *mod)
{
    if (mod == NULL)
        return;
    dlclose(mod->dl);
    free(mod);
}

char *secprov_default_provider_dir(const char *from_options)
{
    const char *env = sp_env_get("SECPROV_PROVIDER_DIR");
    Dl_info info;
    char *copy, *out = NULL;

    if (from_options != NULL)
        return strdup(from_options);
    if (env != NULL)
        return strdup(env);
    /* Beside this library: <libdir>/secprov, for an install and a build tree alike. */
    if (dladdr((void *)secprov_default_provider_dir, &info) == 0 || info.dli_fname == NULL)
        return NULL;
    copy = strdup(info.dli_fname);
    if (copy == NULL)
        return NULL;
    if (asprintf(&out, "%s/secprov", dirname(copy)) < 0)
        out = NULL;
    free(copy);
    return out;
}
