/* The configuration file (libconfig) and its defaults. */
#ifndef SECPROV_CONFIG_H
#define SECPROV_CONFIG_H

#include <stddef.h>

#include "secprov_provider.h"

#define SECPROV_DEFAULT_CONFIG "/etc/secprov/secprov.conf"
#define SECPROV_DEFAULT_TPM_STATE "/var/lib/secprov/tpm"
#define SECPROV_DEFAULT_LEGACY_STATE "/var/lib/secprov/legacy"
#define SP_CONFIG_MAX (1 << 20)    /* bytes: libconfig's parse is quadratic in a long string */
#define SECPROV_DEFAULT_LOCK_TIMEOUT_MS 3000     /* tpm.lock_timeout_ms */
#define SECPROV_DEFAULT_RETRY_INTERVAL_S 60      /* tpm.retry_interval_s */
#define SECPROV_LOCK_TIMEOUT_MS_MAX 600000
#define SECPROV_RETRY_INTERVAL_S_MAX 86400
/* The TPM's bounded waits (docs/performance.md: checked against the modeled
 * latency of a firmware TPM). */
#define SECPROV_DEFAULT_TPM_PROBE_TIMEOUT_MS 3000
#define SECPROV_DEFAULT_TPM_CALL_TIMEOUT_MS 4000
#define SECPROV_TPM_TIMEOUT_MAX_MS 600000
#define SECPROV_DEFAULT_ATTEST_PCRS "sha256:7"

typedef struct sp_config {
    char *path;                 /* the file read, or NULL when defaults only */
    char *provider;             /* "auto" | "tpm" | "legacy", or NULL = not set */
    int fallback;               /* 1 = fall back from tpm to legacy in auto */
    int log_level;              /* 0 = not set */
    char **tpm_devices;
    size_t tpm_device_count;
    char *tpm_tcti;             /* "" = default */
    char *tpm_state_dir;
    char *legacy_state_dir;
    char *legacy_hardware;      /* "" = collect */
    int tpm_lock_timeout_ms;    /* wait for another process's lock, then BUSY */
    int tpm_retry_interval_s;   /* a fallen-back auto handle retries the TPM */
    int tpm_resource_manager;   /* SECPROV_TPM_RM_* (secprov_provider.h); default auto */
    int tpm_probe_timeout_ms;   /* tpm.probe_timeout_ms, default 3000 */
    int tpm_call_timeout_ms;    /* tpm.call_timeout_ms, default 4000 */
    struct config_t *tree;      /* the file as parsed (NULL: defaults only): provider groups */
    char *attest_pcrs;          /* attest.pcrs: PCR selection of a quote */
} sp_config;

/*
 * Load the config: explicit path (options or $SECPROV_CONFIG, may be NULL)
 * else the default file. A missing default file means all defaults; a
 * missing or malformed explicit file, a wrong type, an unknown key or an
 * unknown value is SECPROV_ERR_CONFIG with err naming file, line and what;
 * so is a file that is not regular (a fifo, folder or device) or larger than
 * SP_CONFIG_MAX. A file another user could have written (sp_trust_check)
 * is SECPROV_ERR_PERMISSION. tpm.tcti may name only device, swtpm, mssim
 * or tabrmd.
 */
int sp_config_load(sp_config *cfg, const char *explicit_path, char *err, size_t err_len);
void sp_config_free(sp_config *cfg);

/* Every top-level group that is not the core's (a group named like a
 * provider module) names an installed module in provider_dir; else
 * SECPROV_ERR_CONFIG naming file, line, group and folder. */
int sp_config_provider_groups(const sp_config *cfg, const char *provider_dir, char *err,
                              size_t err_len);
/* The provider's group holds only keys (of their types): else
 * SECPROV_ERR_CONFIG naming file and line. */
int sp_config_provider_keys(const sp_config *cfg, const char *provider,
                            const secprov_config_key *keys, char *err, size_t err_len);
/* provider.key as type (secprov_provider_env.config_get). */
int sp_config_provider_get(const sp_config *cfg, const char *provider, const char *key,
                           int type, void *out);

#endif
