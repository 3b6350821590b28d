/* FAPI config, profile and context: see fapi_setup.h. */
#include "fapi_setup.h"

#include <dirent.h>
#include <poll.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tss2/tss2_rc.h>

#include "fapi_lib.h"
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

/* Wait until FAPI can make progress (its file or TPM handle is ready) or
 * the deadline passes: TSS2_RC_SUCCESS (call _Finish again) or
 * TSS_RC_DEADLINE. FAPI's poll handles are its pending file, else the
 * TPM's. FAPI also says TRY_AGAIN when it only moved to its next state
 * (nothing to wait for): a poll on the TPM then would sleep for nothing. So
 * each wait is one short slice: a pending answer wakes it at once, a bare
 * state change costs at most a slice. */
#define WAIT_SLICE_MS 1

static TSS2_RC wait_io(const fapi_lib *f, FAPI_CONTEXT *fapi, const tpm_deadline *deadline)
{
    FAPI_POLL_HANDLE *handles = NULL;
    size_t n = 0;
    int left = tpm_deadline_left_ms(deadline);

    if (left == 0)
        return TSS_RC_DEADLINE;
    if (f->GetPollHandles(fapi, &handles, &n) != TSS2_RC_SUCCESS || n == 0) {
        f->Free(handles);
        return TSS2_RC_SUCCESS;
    }
    (void)poll(handles, (nfds_t)n, left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS);
    f->Free(handles);
    return TSS2_RC_SUCCESS;     /* ready, a hang-up or the slice's end: _Finish tells */
}

/* Fapi_Initialize with config_path, bounded by deadline (its TPM2_Startup
 * is synchronous inside tpm2-tss: see tss_wait.h). *ctx NULL on failure. */
static TSS2_RC context_new(const fapi_lib *f, const char *config_path,
                           const tpm_deadline *deadline, FAPI_CONTEXT **ctx)
{
    TSS2_RC rc;

    pthread_mutex_lock(&env_lock);
    char *old_conf = saved("TSS2_FAPICONF");
    setenv("TSS2_FAPICONF", config_path, 1);
    *ctx = NULL;
    rc = f->Initialize_Async(ctx, NULL);
    if (rc == TSS2_RC_SUCCESS) {
        do
            rc = f->Initialize_Finish(ctx);
        while (TSS_RC_IS_TRY_AGAIN(rc) && (rc = wait_io(f, *ctx, deadline)) == TSS2_RC_SUCCESS);
    }
    if (rc != TSS2_RC_SUCCESS && *ctx != NULL)
        f->Finalize(ctx);
    if (rc == TSS2_RC_SUCCESS) {          /* its TPM connection: not for children */
        TSS2_TCTI_CONTEXT *tcti = NULL;
        if (f->GetTcti(*ctx, &tcti) == TSS2_RC_SUCCESS)
            tpm_tcti_cloexec(tcti);
    }
    restore("TSS2_FAPICONF", old_conf);
    pthread_mutex_unlock(&env_lock);
    return rc;
}

int fapi_provision(const char *config_path, const char *tcti, const tpm_deadline *deadline,
                   char *why, size_t why_len)
{
    const fapi_lib *f = fapi_lib_get(why, why_len);
    FAPI_CONTEXT *fapi = NULL;
    TSS2_RC rc;

    if (f == NULL)
        return SECPROV_ERR_UNAVAILABLE;
    /* A FAPI context on the TPM, for this only (its Fapi_Initialize sends
     * TPM2_Startup synchronously: made right after tpm_probe() got an answer). */
    if ((rc = context_new(f, config_path, deadline, &fapi)) != TSS2_RC_SUCCESS) {
        snprintf(why, why_len, "FAPI initialisation failed on '%s' (config %s): %s",
                 tcti, config_path, Tss2_RC_Decode(rc));
        return rc == TSS_RC_DEADLINE || (rc & TSS2_RC_LAYER_MASK) == TSS2_TCTI_RC_LAYER
                   ? SECPROV_ERR_TIMEOUT : SECPROV_ERR_TPM;
    }
    /* The one unbounded wait, once per keystore and right after tpm_probe()
     * got an answer: the synchronous call. tpm2-tss 3.2.1's asynchronous
     * provisioning fails when 0x81000001 already holds the SRK (made by
     * another keystore, an earlier container's volume, or the OS): it takes
     * TR_FromTPMPublic's answer without waiting for it (TCTI TRY_AGAIN) and
     * leaves its transient keys loaded. tests/tpm/test_provision.sh. */
    rc = f->Provision(fapi, NULL, NULL, NULL);
    f->Finalize(&fapi);
    if (rc != TSS2_RC_SUCCESS && rc != TSS2_FAPI_RC_ALREADY_PROVISIONED) {
        snprintf(why, why_len, "FAPI provisioning failed: %s (0x%x)", Tss2_RC_Decode(rc),
                 (unsigned)rc);
        return SECPROV_ERR_TPM;
    }
    return SECPROV_OK;
}
