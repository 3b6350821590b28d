/* The selection rules: see select.h. */
#include "select.h"

#include <stdio.h>
#include <string.h>

#include "secprov_name_rules.h"
#include "secprov.h"

static int parse_wish(const char *s, sp_wish *wish)
{
    if (strcmp(s, "auto") == 0)
        *wish = SP_WISH_AUTO;
    else if (strcmp(s, "tpm") == 0)
        *wish = SP_WISH_TPM;
    else if (strcmp(s, "legacy") == 0)
        *wish = SP_WISH_LEGACY;
    else if (secprov_provider_name_rule_ok(s))
        *wish = SP_WISH_NAMED;
    else
        return SECPROV_ERR_CONFIG;
    return SECPROV_OK;
}

int sp_select_wish(const char *from_options, const char *from_env, const char *from_config,
                   sp_wish *wish, const char **named, const char **source, char *err,
                   size_t err_len)
{
    const char *value = "auto";

    *source = "default";
    if (from_options != NULL) {
        value = from_options;
        *source = "options";
    } else if (from_env != NULL) {
        value = from_env;
        *source = "SECURITY_PROVIDER";
    } else if (from_config != NULL) {
        value = from_config;
        *source = "config";
    }
    if (parse_wish(value, wish) != SECPROV_OK) {
        snprintf(err, err_len, "unknown provider '%s' in %s (auto, tpm, legacy or the name of "
                 "an installed provider module: [a-z][a-z0-9_]{0,31}, never a path)", value,
                 *source);
        return SECPROV_ERR_CONFIG;
    }
    *named = *wish == SP_WISH_NAMED ? value : NULL;
    return SECPROV_OK;
}

int sp_select_open(sp_wish wish, const char *named, const char *source, const char *device,
                   int fallback, sp_try_open_fn try_open, void *ctx, const sp_logger *log,
                   sp_selection *out)
{
    char why[sizeof out->reason] = "";
    int rc;

    memset(out, 0, sizeof *out);
    if (wish == SP_WISH_NAMED) {                /* another installed module, by name */
        out->provider = named;
        rc = try_open(ctx, named, out->reason, sizeof out->reason);
        if (rc == SECPROV_ERR_NOT_INSTALLED) {
            sp_log(log, SECPROV_LOG_ERROR, "provider '%s' (%s) is not installed: %s", named,
                   source, out->reason);
            return SECPROV_ERR_CONFIG;
        }
        if (rc == SECPROV_ERR_BUSY || rc == SECPROV_ERR_CONFIG) {
            sp_log(log, SECPROV_LOG_ERROR, "provider %s: %s", named, out->reason);
            return rc;
        }
        if (rc != SECPROV_OK) {
            sp_log(log, SECPROV_LOG_ERROR, "provider %s asked for (%s) but failed: %s", named,
                   source, out->reason);
            return SECPROV_ERR_UNAVAILABLE;
        }
        sp_log(log, SECPROV_LOG_INFO, "provider %s selected (%s)", named, source);
        return SECPROV_OK;
    }
    if (wish == SP_WISH_LEGACY) {
        out->provider = "legacy";
        rc = try_open(ctx, "legacy", out->reason, sizeof out->reason);
        if (rc == SECPROV_OK)
            sp_log(log, SECPROV_LOG_INFO, "provider legacy selected (%s)", source);
        else
            sp_log(log, SECPROV_LOG_ERROR, "legacy provider failed: %s", out->reason);
        return rc;
    }
    if (wish == SP_WISH_TPM) {
        out->provider = "tpm";
        rc = try_open(ctx, "tpm", out->reason, sizeof out->reason);
        if (rc == SECPROV_ERR_BUSY || rc == SECPROV_ERR_CONFIG) {
            sp_log(log, SECPROV_LOG_ERROR, "TPM provider %s: %s",
                   rc == SECPROV_ERR_BUSY ? "busy" : "refuses its configuration", out->reason);
            return rc;
        }
        if (rc != SECPROV_OK) {
            sp_log(log, SECPROV_LOG_ERROR, "TPM provider asked for (%s) but failed: %s",
                   source, out->reason);
            return SECPROV_ERR_UNAVAILABLE;
        }
        sp_log(log, SECPROV_LOG_INFO, "provider tpm selected (%s)", source);
        return SECPROV_OK;
    }

    /* auto */
    if (device == NULL) {
        out->provider = "legacy";
        rc = try_open(ctx, "legacy", out->reason, sizeof out->reason);
        if (rc == SECPROV_OK)
            sp_log(log, SECPROV_LOG_INFO, "provider legacy selected (auto: no TPM device)");
        else
            sp_log(log, SECPROV_LOG_ERROR, "legacy provider failed: %s", out->reason);
        return rc;
    }
    out->provider = "tpm";
    rc = try_open(ctx, "tpm", why, sizeof why);
    if (rc == SECPROV_OK) {
        sp_log(log, SECPROV_LOG_INFO, "provider tpm selected (auto: %s present)", device);
        return SECPROV_OK;
    }
    snprintf(out->reason, sizeof out->reason, "%s", why);
    if (rc == SECPROV_ERR_BUSY) {              /* contention is not failure */
        sp_log(log, SECPROV_LOG_ERROR, "TPM provider busy: %s", why);
        return rc;
    }
    if (rc == SECPROV_ERR_CONFIG) {            /* nor is a typo: it is the operator's */
        sp_log(log, SECPROV_LOG_ERROR, "TPM provider refuses its configuration: %s", why);
        return rc;
    }
    if (!fallback) {
        sp_log(log, SECPROV_LOG_ERROR, "TPM provider failed (%s) and fallback = false", why);
        return SECPROV_ERR_UNAVAILABLE;
    }
    out->provider = "legacy";
    out->fell_back = 1;
    rc = try_open(ctx, "legacy", why, sizeof why);
    if (rc != SECPROV_OK) {
        sp_log(log, SECPROV_LOG_ERROR, "TPM provider failed (%s), and legacy failed too: %s",
               out->reason, why);
        return rc;
    }
    sp_log(log, SECPROV_LOG_WARNING, "TPM provider failed (%s); falling back to legacy",
           out->reason);
    return SECPROV_OK;
}
