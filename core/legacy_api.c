/*
 * The public secprov_legacy_* functions: they load legacy.so with the
 * core's loader and forward to the scheme table it returns from its
 * extension slot. The core itself holds no cipher.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "fork_gate.h"
#include "host_env.h"
#include "loader.h"
#include "log.h"
#include "options.h"
#include "provider_slot.h"
#include "secprov_legacy.h"
#include "secure_mem.h"
#include "secprov_legacy_scheme.h"

struct secprov_legacy {
    sp_provider provider;               /* legacy.so, loaded (never opened) */
    const secprov_legacy_scheme_ops *ops;
    char *hardware;                     /* legacy.hardware, or NULL */
};

/* legacy.so loaded, its group checked (provider_slot.h), its scheme table
 * and legacy.hardware taken: what the handle keeps of the setup. */
static int load_scheme(secprov_legacy *lg, sp_setup *setup, char *why, size_t why_len)
{
    const sp_env_source src = {&setup->log, &setup->cfg};
    const char *hw = NULL;
    int rc = sp_provider_bind(&lg->provider, "legacy", &src);

    if (rc == SECPROV_OK)
        rc = sp_provider_load(&lg->provider, setup->provider_dir, why, why_len);
    if (rc != SECPROV_OK)
        return rc;
    const secprov_provider_class *klass = lg->provider.klass;
    lg->ops = SECPROV_CLASS_HAS(klass, extension) ? klass->extension(SECPROV_LEGACY_SCHEME_IFACE)
                                                  : NULL;
    if (lg->ops == NULL || lg->ops->size < sizeof(secprov_legacy_scheme_ops)) {
        snprintf(why, why_len, "the legacy provider lacks the legacy scheme %s",
                 SECPROV_LEGACY_SCHEME_IFACE);
        return SECPROV_ERR_UNSUPPORTED;
    }
    if (sp_config_get(&setup->cfg, "legacy", "hardware", SECPROV_CONFIG_STRING, &hw) ==
            SECPROV_OK && hw[0] != '\0' && (lg->hardware = strdup(hw)) == NULL) {
        snprintf(why, why_len, "out of memory");
        return SECPROV_ERR_NOMEM;
    }
    return SECPROV_OK;
}

int secprov_legacy_open(secprov_legacy **out, const secprov_options *opts)
{
    char why[SECPROV_REASON_MAX];
    sp_setup setup;
    secprov_legacy *lg;
    int rc;

    if (out != NULL)
        *out = NULL;
    /* The same options, environment, config and log level as secprov_open. */
    if ((rc = sp_setup_begin(&setup, out != NULL, opts)) != SECPROV_OK)
        return rc;
    if ((lg = calloc(1, sizeof *lg)) == NULL) {
        sp_setup_free(&setup);
        return SECPROV_ERR_NOMEM;
    }
    rc = SP_GATED(load_scheme(lg, &setup, why, sizeof why));
    if (rc != SECPROV_OK) {
        sp_log(&setup.log, SECPROV_LOG_ERROR, "%s", why);
        secprov_legacy_close(lg);
    }
    sp_setup_free(&setup);
    if (rc != SECPROV_OK)
        return rc;
    *out = lg;
    return SECPROV_OK;
}

void secprov_legacy_close(secprov_legacy *lg)
{
    if (lg == NULL)
        return;
    sp_gate_enter();
    sp_provider_close(&lg->provider);
    sp_gate_leave();
    if (lg->hardware != NULL) {
        explicit_bzero(lg->hardware, strlen(lg->hardware));
        free(lg->hardware);
    }
    free(lg);
}

#define NEED(cond) do { if (!(cond)) return SECPROV_ERR_INVALID_ARG; } while (0)

int secprov_legacy_calc_hash(secprov_legacy *lg, const char *s, char *out)
{
    NEED(lg != NULL && s != NULL && out != NULL);
    return SP_GATED(lg->ops->calc_hash(s, strlen(s), out));
}

int secprov_legacy_collect_fingerprint(secprov_legacy *lg, char *out, size_t out_len)
{
    NEED(lg != NULL && out != NULL && out_len > 0);
    return SP_GATED(lg->ops->fingerprint(out, out_len));
}

int secprov_legacy_fingerprint(secprov_legacy *lg, char *out, size_t out_len)
{
    NEED(lg != NULL && out != NULL && out_len > 0);
    if (lg->hardware == NULL)
        return SP_GATED(lg->ops->fingerprint(out, out_len));
    if (strlen(lg->hardware) >= out_len)
        return SECPROV_ERR_TOO_LARGE;
    strcpy(out, lg->hardware);
    return SECPROV_OK;
}

int secprov_legacy_hw_hash(secprov_legacy *lg, const char *hardware, char *out)
{
    char mine[1024];
    int rc;

    NEED(lg != NULL && out != NULL);
    if (hardware != NULL)
        return SP_GATED(lg->ops->hw_hash(hardware, out));
    if ((rc = secprov_legacy_fingerprint(lg, mine, sizeof mine)) == SECPROV_OK)
        rc = SP_GATED(lg->ops->hw_hash(mine, out));
    explicit_bzero(mine, sizeof mine);
    return rc;
}

int secprov_legacy_api_key(secprov_legacy *lg, const char *email, const char *password,
                           const char *hw_hash, char *out)
{
    NEED(lg != NULL && email != NULL && password != NULL && hw_hash != NULL && out != NULL);
    return SP_GATED(lg->ops->api_key(email, password, hw_hash, out));
}

int secprov_legacy_resource_key(secprov_legacy *lg, char *out)
{
    NEED(lg != NULL && out != NULL);
    return SP_GATED(lg->ops->resource_key(out));
}

int secprov_legacy_encrypt_with_iv(secprov_legacy *lg, const char *key,
                                   const uint8_t iv[SECPROV_LEGACY_IV_LEN], const void *in,
                                   size_t len, void **out, size_t *out_len)
{
    NEED(lg != NULL && key != NULL && out != NULL && out_len != NULL && (in != NULL || len == 0));
    return SP_GATED(
        lg->ops->encrypt(key, iv, in, len, sp_secret_alloc, sp_secret_free, out, out_len));
}

int secprov_legacy_encrypt(secprov_legacy *lg, const char *key, const void *in, size_t len,
                           void **out, size_t *out_len)
{
    return secprov_legacy_encrypt_with_iv(lg, key, NULL, in, len, out, out_len);
}

int secprov_legacy_decrypt(secprov_legacy *lg, const char *key, const void *in, size_t len,
                           void **out, size_t *out_len)
{
    NEED(lg != NULL && key != NULL && out != NULL && out_len != NULL && (in != NULL || len == 0));
    return SP_GATED(
        lg->ops->decrypt(key, in, len, sp_secret_alloc, sp_secret_free, out, out_len));
}

int secprov_legacy_encrypt_fd(secprov_legacy *lg, const char *key, const uint8_t *iv,
                              int in_fd, int out_fd)
{
    NEED(lg != NULL && key != NULL && in_fd >= 0 && out_fd >= 0);
    return SP_GATED(lg->ops->encrypt_fd(key, iv, in_fd, out_fd));
}

int secprov_legacy_decrypt_fd(secprov_legacy *lg, const char *key, int in_fd, int out_fd)
{
    NEED(lg != NULL && key != NULL && in_fd >= 0 && out_fd >= 0);
    return SP_GATED(lg->ops->decrypt_fd(key, NULL, 0, in_fd, out_fd));
}

int secprov_legacy_split_fd(secprov_legacy *lg, const uint8_t *iv, int in_fd, int small_fd,
                            int big_fd)
{
    struct stat st;

    NEED(lg != NULL && in_fd >= 0 && small_fd >= 0 && big_fd >= 0);
    if (fstat(in_fd, &st) != 0 || !S_ISREG(st.st_mode))
        return SECPROV_ERR_INVALID_ARG;         /* the split needs the length first */
    return SP_GATED(lg->ops->split_fd(iv, in_fd, (uint64_t)st.st_size, small_fd, big_fd));
}

int secprov_legacy_join_fd(secprov_legacy *lg, const void *small, size_t small_len, int big_fd,
                           int out_fd)
{
    char key[SECPROV_LEGACY_KEY_LEN + 1];
    int rc;

    NEED(lg != NULL && (small != NULL || small_len == 0) && big_fd >= 0 && out_fd >= 0);
    sp_gate_enter();
    if ((rc = lg->ops->resource_key(key)) == SECPROV_OK)
        rc = lg->ops->decrypt_fd(key, small, small_len, big_fd, out_fd);
    sp_gate_leave();
    explicit_bzero(key, sizeof key);
    return rc;
}

int secprov_legacy_archive_decrypt_fd(secprov_legacy *lg, const void *fragment, size_t len,
                                      int in_fd, int out_fd)
{
    NEED(lg != NULL && fragment != NULL && len > 0 && in_fd >= 0 && out_fd >= 0);
    return SP_GATED(lg->ops->archive_decrypt_fd(fragment, len, in_fd, out_fd));
}
