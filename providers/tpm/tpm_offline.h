/* The tpm provider's store seen from its state folder alone, with no TPM:
 * the class's store_has and store_names slots (secprov_provider.h). A secret is
 * held when secrets/NAME.ref exists. */
#ifndef SECPROV_TPM_OFFLINE_H
#define SECPROV_TPM_OFFLINE_H

#include <stddef.h>

#include "secprov_provider.h"

int tpm_store_has(const secprov_provider_env *env, const char *name);
int tpm_store_names(const secprov_provider_env *env, char ***names, size_t *count);

#endif
