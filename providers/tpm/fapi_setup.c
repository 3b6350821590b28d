/* FAPI config, profile and context: see fapi_setup.h. */
#include "fapi_setup.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tcti_fds.h"
#include "tss_wait.h"
#include "secprov.h"
#include "state_files.h"

extern const char tpm_profile_json[];

/* Process-wide: the environment is. In a privileged process the core has
 * removed the caller's TSS2_FAPICONF (and TSS2_LOG*) before this module was
 * loaded (core/host_env.c); what is restored here is then "unset". */
static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;

static int write_if_changed(const char *dir, const char *file, const char *text)
{
    void *old;
    size_t old_len, len = strlen(text);

    if (sp_file_read(dir, file, 1 << 20, &old, &old_len) == SECPROV_OK) {
        int same = old_len == len && memcmp(old, text, len) == 0;
        free(old);
        if (same)
            return SECPROV_OK;
    }
    return sp_file_write_atomic(dir, file, text, len);
}

static int make_subdir(const char *state_dir, const char *sub, char *why, size_t why_len)
{
    char path[4096];
    int rc = sp_path_join(path, sizeof path, state_dir, sub);
    return rc != SECPROV_OK ? rc : sp_state_dir_prepare(path, why, why_len);
}

int fapi_json_safe(const char *s)
{
    for (; *s; s++)
        if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
            return 0;
    return 1;
}

/* FAPI reads every file in its profile folder at initialisation, and some
 * malformed profiles make Fapi_Initialize fail: anything there but secprov's
 * profile (and a writer's temp file: its liveness is the sweeps' business,
 * which run on writes only) is refused, named, before FAPI sees it.
 * Sub-folders are not read by FAPI. */
static int profiles_only_ours(const char *dir, char *why, size_t why_len)
{
    DIR *d;
    struct dirent *de;
    int rc = SECPROV_OK;

    if ((d = opendir(dir)) == NULL) {
        snprintf(why, why_len, "cannot list %s: %s", dir, strerror(errno));
        return SECPROV_ERR_IO;
    }
    while (rc == SECPROV_OK && (de = readdir(d)) != NULL) {
        if (de->d_type == DT_DIR || strcmp(de->d_name, PROFILE_NAME ".json") == 0 ||
            strncmp(de->d_name, ".tmp.", 5) == 0)
            continue;
        snprintf(why, why_len, "%s/%s is not secprov's FAPI profile, and FAPI reads every "
                 "file in that folder: remove it", dir, de->d_name);
        rc = SECPROV_ERR_INTEGRITY;
    }
    closedir(d);
    return rc;
}

int fapi_files_write(const secprov_provider_env *env, const char *state_dir,
                     const char *tcti, char *config_path, size_t config_len, char *why,
                     size_t why_len)
{
    static const char *const subs[] = {"profiles", "keystore", "keystore/system",
                                       "keystore/user", "eventlog", "secrets"};
    char dir[4096], *config = NULL;
    int rc;

    if (!fapi_json_safe(state_dir) || !fapi_json_safe(tcti)) {
        snprintf(why, why_len, "tpm.state_dir or tpm.tcti contains a quote, backslash or "
                 "control character");
        return SECPROV_ERR_CONFIG;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if ((rc = make_subdir(state_dir, subs[i], why, why_len)) != SECPROV_OK)
            return rc;
    if ((rc = sp_path_join(dir, sizeof dir, state_dir, "profiles")) != SECPROV_OK ||
        (rc = write_if_changed(dir, PROFILE_NAME ".json", tpm_profile_json)) != SECPROV_OK) {
        snprintf(why, why_len, "cannot write the FAPI profile in %s: %s", dir,
                 env->status_text(rc));
        return rc;
    }
    if ((rc = profiles_only_ours(dir, why, why_len)) != SECPROV_OK)
        return rc;
    char user[4200];
    if (snprintf(user, sizeof user, "%s/keystore/user", state_dir) >= (int)sizeof user ||
        (config = fapi_config_json(state_dir, user, tcti)) == NULL)
        return SECPROV_ERR_NOMEM;
    rc = write_if_changed(state_dir, "fapi-config.json", config);
    free(config);
    if (rc != SECPROV_OK) {
        snprintf(why, why_len, "cannot write %s/fapi-config.json: %s", state_dir,
                 env->status_text(rc));
        return rc;
    }
    return sp_path_join(config_path, config_len, state_dir, "fapi-config.json");
}

char *fapi_config_json(const char *state_dir, const char *user_dir, const char *tcti)
{
    char *config = NULL;

    if (asprintf(&config,
                 "{\n"
                 "  \"profile_name\": \"" PROFILE_NAME "\",\n"
                 "  \"profile_dir\": \"%s/profiles/\",\n"
                 "  \"user_dir\": \"%s\",\n"
                 "  \"system_dir\": \"%s/keystore/system\",\n"
                 "  \"tcti\": \"%s\",\n"
                 "  \"system_pcrs\": [],\n"
                 "  \"log_dir\": \"%s/eventlog/\",\n"
                 "  \"ek_cert_less\": \"yes\"\n"
                 "}\n",
                 state_dir, user_dir, state_dir, tcti, state_dir) < 0)
        return NULL;
    return config;
}

static char *saved(const char *name)
{
    const char *v = getenv(name);
    return v != NULL ? strdup(v) : NULL;
}

static void restore(const char *name, char *value)
{
    if (value != NULL)
        setenv(name, value, 1);
    else
        unsetenv(name);
    free(value);
}

void tss2_log_quiet(int debug)
{
    /* tpm2-tss logs to stderr by default and reads TSS2_LOG once per
     * process: quiet it unless the caller set TSS2_LOG or asked for debug. */
    pthread_mutex_lock(&env_lock);
    if (getenv("TSS2_LOG") == NULL)
        setenv("TSS2_LOG", debug ? "all+error" : "all+none", 0);
    pthread_mutex_unlock(&env_lock);
}

TSS2_RC fapi_context_new(const char *config_path, const tpm_deadline *deadline,
                         FAPI_CONTEXT **ctx)
{
    TSS2_RC rc;

    pthread_mutex_lock(&env_lock);
    char *old_conf = saved("TSS2_FAPICONF");
    setenv("TSS2_FAPICONF", config_path, 1);
    /* Async: its GetCapability and ReadClock wait at most until deadline
     * (its TPM2_Startup is synchronous inside tpm2-tss: see tss_wait.h). */
    *ctx = NULL;
    FAPI_RUN(rc, *ctx, deadline, Fapi_Initialize_Async(ctx, NULL), Fapi_Initialize_Finish(ctx));
    if (rc != TSS2_RC_SUCCESS && *ctx != NULL)
        Fapi_Finalize(ctx);
    if (rc == TSS2_RC_SUCCESS)
        tpm_fapi_cloexec(*ctx);          /* its TPM connection: not for children */
    restore("TSS2_FAPICONF", old_conf);
    pthread_mutex_unlock(&env_lock);
    return rc;
}
