/* The configuration file (libconfig) and its defaults. */
#ifndef SECPROV_CONFIG_H
#define SECPROV_CONFIG_H

#include <stddef.h>

#define SECPROV_DEFAULT_CONFIG "/etc/secprov/secprov.conf"
#define SECPROV_DEFAULT_TPM_STATE "/var/lib/secprov/tpm"
#define SECPROV_DEFAULT_LEGACY_STATE "/var/lib/secprov/legacy"
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
    char *attest_pcrs;          /* attest.pcrs: PCR selection of a quote */
} sp_config;

/*
 * Load the config: explicit path (options or $SECPROV_CONFIG, may be NULL)
 * else the default file. A missing default file means all defaults; a
 * missing or malformed explicit file, a wrong type, an unknown key or an
 * unknown value is SECPROV_ERR_CONFIG with err naming file, line and what.
 */
int sp_config_load(sp_config *cfg, const char *explicit_path, char *err, size_t err_len);
void sp_config_free(sp_config *cfg);

#endif
