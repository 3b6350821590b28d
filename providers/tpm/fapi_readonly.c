/* FAPI on a read-only state folder: see fapi_readonly.h. */
#include "fapi_readonly.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fapi_setup.h"
#include "secprov.h"
#include "state_files.h"

int fapi_readonly_setup(fapi_readonly *ro, const char *state_dir, const char *tcti,
                        char *config_path, size_t config_len, char *why, size_t why_len)
{
    const char *tmp = getenv("TMPDIR");
    char user[4200], link[4300], target[4200], *config = NULL;
    int rc;

    if (tmp == NULL || tmp[0] != '/')
        tmp = "/tmp";
    if (snprintf(ro->dir, sizeof ro->dir, "%s/secprov-ro-XXXXXX", tmp) >= (int)sizeof ro->dir ||
        mkdtemp(ro->dir) == NULL || !fapi_json_safe(ro->dir)) {
        snprintf(why, why_len, "state folder %s is read-only, and no private folder for "
                 "FAPI's user keystore can be made in %s: %s", state_dir, tmp, strerror(errno));
        if (ro->dir[0] != '\0')
            rmdir(ro->dir);
        ro->dir[0] = '\0';
        return SECPROV_ERR_IO;
    }
    snprintf(user, sizeof user, "%s/user", ro->dir);
    snprintf(link, sizeof link, "%s/" PROFILE_NAME, user);
    snprintf(target, sizeof target, "%s/keystore/user/" PROFILE_NAME, state_dir);
    if (mkdir(user, 0700) != 0 || symlink(target, link) != 0) {
        snprintf(why, why_len, "cannot make %s: %s", link, strerror(errno));
        fapi_readonly_remove(ro);
        return SECPROV_ERR_IO;
    }
    if ((config = fapi_config_json(state_dir, user, tcti)) == NULL) {
        fapi_readonly_remove(ro);
        return SECPROV_ERR_NOMEM;
    }
    rc = sp_file_write_atomic(ro->dir, "fapi-config.json", config, strlen(config));
    free(config);
    if (rc == SECPROV_OK)
        rc = sp_path_join(config_path, config_len, ro->dir, "fapi-config.json");
    if (rc != SECPROV_OK) {
        snprintf(why, why_len, "cannot write a FAPI config in %s", ro->dir);
        fapi_readonly_remove(ro);
    }
    return rc;
}

void fapi_readonly_remove(fapi_readonly *ro)
{
    char path[4400];

    if (ro->dir[0] == '\0')
        return;
    snprintf(path, sizeof path, "%s/user/" PROFILE_NAME, ro->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/user", ro->dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/fapi-config.json", ro->dir);
    unlink(path);
    rmdir(ro->dir);
    ro->dir[0] = '\0';
}
