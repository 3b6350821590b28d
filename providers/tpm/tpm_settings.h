/*
 * The tpm provider's settings: its config group (tpm = { ... }) read through
 * the env (secprov_provider.h), checked, with their defaults. The keys
 * devices, retry_interval_s and state_dir of the group are the core's
 * (auto-detection, auto's retry, env->state_dir); the rest are here, and
 * nowhere else. attest.pcrs (the core's group) is checked here too, as the
 * tpm provider is the one that quotes.
 */
#ifndef SECPROV_TPM_SETTINGS_H
#define SECPROV_TPM_SETTINGS_H

#include <stddef.h>

#include "secprov_provider.h"

#define TPM_LOCK_TIMEOUT_MS_DEFAULT 3000
#define TPM_LOCK_TIMEOUT_MS_MAX 600000
#define TPM_TIMEOUT_MS_MAX 600000       /* probe_timeout_ms, call_timeout_ms */
#define TPM_ATTEST_PCRS_DEFAULT "sha256:7"

/* tpm.salt_key: the key the handle's session salt is encrypted to
 * (salt_key.h). */
typedef enum { TPM_SALT_AUTO, TPM_SALT_ECC, TPM_SALT_RSA } tpm_salt_choice;

typedef struct tpm_settings {
    char tcti[4200];            /* tpm.tcti, else "device:<first present of tpm.devices>" */
    int lock_timeout_ms;        /* tpm.lock_timeout_ms: then SECPROV_ERR_BUSY */
    int keep_session;           /* tpm.resource_manager (auto: by the TCTI's name) */
    int probe_ms;               /* tpm.probe_timeout_ms: the first command's bound */
    int call_ms;                /* tpm.call_timeout_ms: each public call's bound */
    tpm_salt_choice salt_key;   /* tpm.salt_key: auto (salt_key.h's table), ecc, rsa */
    const char *pcrs;           /* attest.pcrs */
} tpm_settings;

/* The group's keys for the class table (config_keys). */
extern const secprov_config_key tpm_config_keys[];

/* Read and check; SECPROV_ERR_CONFIG with reason naming file and line. */
int tpm_settings_read(const secprov_provider_env *env, tpm_settings *s, char *reason,
                      size_t reason_len);
/* The class's config_check: tpm_settings_read into a throwaway. */
int tpm_config_check(const secprov_provider_env *env, char *reason, size_t reason_len);

#endif
