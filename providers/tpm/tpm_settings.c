/* The tpm provider's settings: see tpm_settings.h. */
#include "tpm_settings.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <tss2/tss2_tpm2_types.h>

#include "attest_quote.h"
#include "report.h"
#include "tpm_probe.h"
#include "tss_wait.h"

const secprov_config_key tpm_config_keys[] = {
    {"tcti", SECPROV_CONFIG_STRING},            /* "" = device:<first present device> */
    {"lock_timeout_ms", SECPROV_CONFIG_INT},
    {"resource_manager", SECPROV_CONFIG_STRING}, /* auto | yes | no */
    {"probe_timeout_ms", SECPROV_CONFIG_INT},
    {"call_timeout_ms", SECPROV_CONFIG_INT},
    {"salt_key", SECPROV_CONFIG_STRING},        /* auto | ecc | rsa */
    {NULL, 0},
};

__attribute__((format(printf, 5, 6)))
static int refuse(const secprov_provider_env *env, const char *key, char *reason,
                  size_t reason_len, const char *fmt, ...)
{
    char where[4200], what[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    env->config_where(env, env->name, key, where, sizeof where);
    snprintf(reason, reason_len, "%s: %s", where, what);
    return SECPROV_ERR_CONFIG;
}

static const char *string_of(const secprov_provider_env *env, const char *group, const char *key,
                             const char *dflt)
{
    const char *v = NULL;

    return env->config_get(env, group, key, SECPROV_CONFIG_STRING, &v) == SECPROV_OK && v != NULL
               ? v : dflt;
}

/* An integer key in [min, max], or dflt when not set. */
static int bounded(const secprov_provider_env *env, const char *key, long long min,
                   long long max, int dflt, const char *unit, int *out, char *reason,
                   size_t reason_len)
{
    long long v;

    *out = dflt;
    if (env->config_get(env, env->name, key, SECPROV_CONFIG_INT, &v) != SECPROV_OK)
        return SECPROV_OK;
    if ((v < min || v > max) && unit[0] == '\0')
        return refuse(env, key, reason, reason_len, "'%s.%s' must be %lld to %lld", env->name,
                      key, min, max);
    if (v < min || v > max)
        return refuse(env, key, reason, reason_len, "'%s.%s' must be %lld to %lld%s, not %lld",
                      env->name, key, min, max, unit, v);
    *out = (int)v;
    return SECPROV_OK;
}

/* tpm.tcti names one of the TCTIs secprov supports, never a library (a
 * name or path tpm2-tss's TCTI loader would dlopen): NAME[:conf]. */
static int tcti_supported(const char *tcti)
{
    static const char *const names[] = {"device", "swtpm", "mssim", "tabrmd"};
    size_t n = strcspn(tcti, ":");

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncmp(tcti, names[i], n) == 0)
            return 1;
    return 0;
}

/* tpm.tcti, else the device TCTI on the first present of tpm.devices (the
 * first configured when none is: its open then fails naming it). */
static int read_tcti(const secprov_provider_env *env, tpm_settings *s, char *reason,
                     size_t reason_len)
{
    const char *tcti = string_of(env, env->name, "tcti", "");
    secprov_config_strings devs = {NULL, 0};
    struct stat st;

    if (tcti[0] != '\0') {
        if (!tcti_supported(tcti))
            return refuse(env, "tcti", reason, reason_len, "'%s.tcti' names the TCTI '%.*s': "
                          "only device, swtpm, mssim or tabrmd (NAME or NAME:conf), never a "
                          "library", env->name, (int)strcspn(tcti, ":"), tcti);
        if (snprintf(s->tcti, sizeof s->tcti, "%s", tcti) >= (int)sizeof s->tcti)
            return refuse(env, "tcti", reason, reason_len, "'%s.tcti' is too long", env->name);
        return SECPROV_OK;
    }
    if (env->config_get(env, env->name, "devices", SECPROV_CONFIG_STRINGS, &devs) != SECPROV_OK ||
        devs.count == 0)
        return refuse(env, "devices", reason, reason_len, "'%s.devices' names no device",
                      env->name);
    const char *dev = devs.items[0];
    for (size_t i = 0; i < devs.count; i++)
        if (stat(devs.items[i], &st) == 0) {
            dev = devs.items[i];
            break;
        }
    snprintf(s->tcti, sizeof s->tcti, "device:%s", dev);
    return SECPROV_OK;
}

/* tpm.resource_manager: auto (by the TCTI: device:.../tpmrm*, tabrmd), yes, no. */
static int read_resource_manager(const secprov_provider_env *env, tpm_settings *s, char *reason,
                                 size_t reason_len)
{
    const char *rm = string_of(env, env->name, "resource_manager", "auto");
    const char *dev = strncmp(s->tcti, "device:", 7) == 0 ? s->tcti + 7 : NULL;
    const char *base = dev != NULL && strrchr(dev, '/') != NULL ? strrchr(dev, '/') + 1 : dev;

    if (strcmp(rm, "yes") == 0 || strcmp(rm, "no") == 0)
        s->keep_session = strcmp(rm, "yes") == 0;
    else if (strcmp(rm, "auto") == 0)       /* by name: the kernel's /dev/tpmrm<N>, or tabrmd */
        s->keep_session = strncmp(s->tcti, "tabrmd", 6) == 0 ||
                          (base != NULL && strncmp(base, "tpmrm", 5) == 0);
    else
        return refuse(env, "resource_manager", reason, reason_len,
                      "unknown %s.resource_manager '%s' (auto, yes or no)", env->name, rm);
    return SECPROV_OK;
}

/* tpm.salt_key: auto (by the TPM's manufacturer: salt_key.h), ecc (the
 * SRK), rsa (an RSA-2048 key under the SRK). */
static int read_salt_key(const secprov_provider_env *env, tpm_settings *s, char *reason,
                         size_t reason_len)
{
    const char *v = string_of(env, env->name, "salt_key", "auto");

    if (strcmp(v, "auto") == 0)
        s->salt_key = TPM_SALT_AUTO;
    else if (strcmp(v, "ecc") == 0)
        s->salt_key = TPM_SALT_ECC;
    else if (strcmp(v, "rsa") == 0)
        s->salt_key = TPM_SALT_RSA;
    else
        return refuse(env, "salt_key", reason, reason_len,
                      "unknown %s.salt_key '%s' (auto, ecc or rsa)", env->name, v);
    return SECPROV_OK;
}

int tpm_settings_read(const secprov_provider_env *env, tpm_settings *s, char *reason,
                      size_t reason_len)
{
    TPML_PCR_SELECTION sel;
    char why[300];
    int rc;

    memset(s, 0, sizeof *s);
    if ((rc = read_tcti(env, s, reason, reason_len)) != SECPROV_OK ||
        (rc = read_resource_manager(env, s, reason, reason_len)) != SECPROV_OK ||
        (rc = read_salt_key(env, s, reason, reason_len)) != SECPROV_OK ||
        (rc = bounded(env, "lock_timeout_ms", 0, TPM_LOCK_TIMEOUT_MS_MAX,
                      TPM_LOCK_TIMEOUT_MS_DEFAULT, "", &s->lock_timeout_ms, reason,
                      reason_len)) != SECPROV_OK ||
        (rc = bounded(env, "probe_timeout_ms", 1, TPM_TIMEOUT_MS_MAX, PROBE_TIMEOUT_MS,
                      " (milliseconds)", &s->probe_ms, reason, reason_len)) != SECPROV_OK ||
        (rc = bounded(env, "call_timeout_ms", 1, TPM_TIMEOUT_MS_MAX, TPM_CALL_TIMEOUT_MS,
                      " (milliseconds)", &s->call_ms, reason, reason_len)) != SECPROV_OK)
        return rc;
    s->pcrs = string_of(env, "attest", "pcrs", TPM_ATTEST_PCRS_DEFAULT);
    if (attest_pcrs_parse(s->pcrs, &sel, why, sizeof why) != 0) {
        char where[4200];
        env->config_where(env, "attest", "pcrs", where, sizeof where);
        snprintf(reason, reason_len, "%s: %s", where, why);
        return SECPROV_ERR_CONFIG;
    }
    long long life;
    if (env->config_get(env, "attest", "lifetime_s", SECPROV_CONFIG_INT, &life) == SECPROV_OK &&
        (life < 1 || life > REPORT_LIFETIME_MAX)) {
        char where[4200];
        env->config_where(env, "attest", "lifetime_s", where, sizeof where);
        snprintf(reason, reason_len, "%s: 'attest.lifetime_s' must be 1 to %d (seconds), not %lld",
                 where, REPORT_LIFETIME_MAX, life);
        return SECPROV_ERR_CONFIG;
    }
    return SECPROV_OK;
}

int tpm_config_check(const secprov_provider_env *env, char *reason, size_t reason_len)
{
    tpm_settings s;

    return tpm_settings_read(env, &s, reason, reason_len);
}
