/*
 * Loading a provider module with dlopen(). The only place that calls dlopen.
 */
#ifndef SECPROV_LOADER_H
#define SECPROV_LOADER_H

#include <stddef.h>

#include "secprov_provider.h"

typedef struct secprov_module secprov_module;

/*
 * Load "<dir>/<name>.so" with RTLD_NOW | RTLD_LOCAL, resolve its entry
 * symbol, check abi_version and size. The file, and every folder above it,
 * must pass sp_trust_check (host_env.h). On failure returns
 * SECPROV_ERR_NOT_INSTALLED (file absent), SECPROV_ERR_PERMISSION (another
 * user could have written it) or SECPROV_ERR_UNAVAILABLE (it is there but
 * cannot be loaded: missing libtss2, bad ABI, ...) and writes one line
 * saying why into reason.
 */
int secprov_module_load(const char *dir, const char *name, secprov_module **mod,
                        const secprov_provider_class **klass,
                        char *reason, size_t reason_len);
void secprov_module_unload(secprov_module *mod);

/* Folder of the providers: opts, then $SECPROV_PROVIDER_DIR (ignored in a
 * privileged process: sp_env_get), then
 * "<folder of libsecprov.so>/secprov". Returns a malloc'd string or NULL. */
char *secprov_default_provider_dir(const char *from_options);

#endif
