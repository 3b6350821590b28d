/*
 * The selection rules: which provider secprov_open() uses. All of them are
 * here and nowhere else.
 *
 *  1. secprov_open options, if the caller set a provider there;
 *  2. the environment variable SECURITY_PROVIDER = auto | tpm | legacy | NAME;
 *  3. `provider` in the config file;
 *  4. auto.
 *
 * auto: if any configured TPM device node exists, try tpm; on ANY failure
 * log one warning naming why and use legacy (unless fallback = false: then
 * fail). Contention is not failure: when another process holds the tpm
 * provider's lock for longer than tpm.lock_timeout_ms the open is
 * SECPROV_ERR_BUSY, never a fallback (auto and tpm alike). No device:
 * legacy, logged at info. tpm asked for explicitly: a failure is
 * SECPROV_ERR_UNAVAILABLE, never a downgrade. legacy: legacy.
 * What an auto handle does after the open (one store): auto_store.h.
 * An unknown value anywhere is SECPROV_ERR_CONFIG naming the value; a
 * provider that refuses its config group (provider_slot.h) is
 * SECPROV_ERR_CONFIG too, never a fallback.
 */
#ifndef SECPROV_SELECT_H
#define SECPROV_SELECT_H

#include <stddef.h>

#include "log.h"

typedef enum sp_wish { SP_WISH_AUTO, SP_WISH_TPM, SP_WISH_LEGACY, SP_WISH_NAMED } sp_wish;

/* Resolve rules 1-4; *source names where the answer came from. A value
 * other than auto, tpm, legacy that passes the provider-name rule
 * (name_rules.h) is SP_WISH_NAMED with *named that value: an installed
 * module of that name, opened as tpm is when asked for explicitly (a
 * failure is UNAVAILABLE, never a fallback); no such module is
 * SECPROV_ERR_CONFIG naming it and the folder. auto chooses only between
 * tpm and legacy. */
int sp_select_wish(const char *from_options, const char *from_env, const char *from_config,
                   sp_wish *wish, const char **named, const char **source, char *err,
                   size_t err_len);

/* Tries to open one provider ("tpm" or "legacy"); on failure writes why. */
typedef int (*sp_try_open_fn)(void *ctx, const char *provider, char *why, size_t why_len);

typedef struct sp_selection {
    const char *provider;       /* the one opened */
    int fell_back;              /* auto wanted tpm and fell back */
    char reason[512];           /* why it fell back, or why it failed */
} sp_selection;

/* Rules after the wish: device presence, fallback. device: first present
 * TPM device node or NULL. */
int sp_select_open(sp_wish wish, const char *named, const char *source, const char *device,
                   int fallback, sp_try_open_fn try_open, void *ctx, const sp_logger *log,
                   sp_selection *out);

#endif
