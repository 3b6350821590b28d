/* The tpm provider's store without a TPM: see tpm_offline.h. */
#include "tpm_offline.h"

#include <stdio.h>

#include "secret_ref.h"
#include "state_files.h"

int tpm_store_has(const secprov_provider_env *env, const char *name)
{
    char dir[4096], file[SECPROV_NAME_MAX + 8];
    int rc = sp_path_join(dir, sizeof dir, env->state_dir, "secrets");

    if (rc != SECPROV_OK)
        return rc;
    if (snprintf(file, sizeof file, "%s" REF_SUFFIX, name) >= (int)sizeof file)
        return SECPROV_ERR_NAME;
    return sp_file_check(dir, file, REF_READ_MAX);
}

int tpm_store_names(const secprov_provider_env *env, char ***names, size_t *count)
{
    char dir[4096];
    int rc = sp_path_join(dir, sizeof dir, env->state_dir, "secrets");

    if (rc == SECPROV_OK)
        rc = sp_dir_list(dir, REF_SUFFIX, names, count);
    return rc == SECPROV_ERR_NOT_FOUND ? SECPROV_OK : rc;
}
