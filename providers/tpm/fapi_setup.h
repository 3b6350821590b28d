/*
 * The FAPI side of the tpm provider's state folder:
 *   fapi-config.json   the FAPI config (explicit TCTI; paths below): for
 *                      provisioning and for other FAPI users (tss2_*)
 *   profiles/          the shipped profile P_ECCP256SHA256_secprov.json
 *   keystore/{system,user}, eventlog/
 *   provisioned        marker: Fapi_Provision succeeded once
 */
#ifndef SECPROV_FAPI_SETUP_H
#define SECPROV_FAPI_SETUP_H

#include <stddef.h>
#include <tss2/tss2_fapi.h>

#include "secprov_provider.h"
#include "tss_wait.h"

#define PROFILE_NAME "P_ECCP256SHA256_secprov"

/* Write profile and config (atomically, only when they differ); refuse a
 * foreign file in the profile folder; config_path gets the config's path. */
int fapi_files_write(const secprov_provider_env *env, const char *state_dir,
                     const char *tcti, char *config_path, size_t config_len, char *why,
                     size_t why_len);

/* The FAPI config for state_dir with its user keystore at user_dir (malloc'd;
 * NULL when out of memory). Paths and TCTI must pass fapi_json_safe. */
char *fapi_config_json(const char *state_dir, const char *user_dir, const char *tcti);
/* 1 when s needs no JSON escaping (no quote, backslash or control character). */
int fapi_json_safe(const char *s);

/* Provision the TPM and keystore of this FAPI config with FAPI, the one
 * thing secprov leaves to FAPI (fapi_lib.h: libtss2-fapi is loaded now).
 * Fapi_Initialize reads the config from TSS2_FAPICONF (set around the call
 * under a process-wide mutex, then restored) and waits for the TPM at most
 * until deadline; Fapi_Provision is synchronous (see tpm_provision()). A
 * keystore FAPI finds provisioned already is success. SECPROV_OK, else a
 * status and why (naming tcti, the config, FAPI's error). */
int fapi_provision(const char *config_path, const char *tcti, const tpm_deadline *deadline,
                   char *why, size_t why_len);

/* Set TSS2_LOG quiet (errors only when debug) unless the caller set it. */
void tss2_log_quiet(int debug);

#endif
