/*
 * The legacy provider: sealed secrets on a device with no TPM, one file
 * each under legacy.state_dir (store_format.h; env->state_dir), and the legacy scheme's
 * operations through the extension slot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "fingerprint.h"
#include "legacy_scheme.h"
#include "secprov_provider.h"
#include "state_files.h"
#include "store_format.h"

#define FINGERPRINT_MAX 1024

typedef struct legacy_ctx {
    secprov_provider_ctx base;          /* first: the class */
    const secprov_provider_env *env;
    char fingerprint[FINGERPRINT_MAX];
    int hardware_from_config;
} legacy_ctx;

static const secprov_provider_class legacy_class;

static int file_of(const char *name, char *out, size_t len)
{
    size_t n = strlen(name);
    if (n + sizeof LG_STORE_SUFFIX > len)
        return SECPROV_ERR_NAME;
    memcpy(out, name, n);
    memcpy(out + n, LG_STORE_SUFFIX, sizeof LG_STORE_SUFFIX);
    return SECPROV_OK;
}

/* Context-free (secprov_provider.h): the store seen from its folder alone. */
static int legacy_store_has(const secprov_provider_env *env, const char *name)
{
    char file[SECPROV_NAME_MAX + sizeof LG_STORE_SUFFIX];
    int rc = file_of(name, file, sizeof file);

    return rc != SECPROV_OK ? rc : sp_file_check(env->state_dir, file,
                                                 SECPROV_SECRET_MAX + LG_STORE_HEADER);
}

static int legacy_store_names(const secprov_provider_env *env, char ***names, size_t *count)
{
    int rc = sp_dir_list(env->state_dir, LG_STORE_SUFFIX, names, count);
    return rc == SECPROV_ERR_NOT_FOUND ? SECPROV_OK : rc;
}

/* The legacy group's own keys (state_dir is the core's: env->state_dir). */
static const secprov_config_key legacy_keys[] = {
    {"hardware", SECPROV_CONFIG_STRING},    /* the fingerprint; "" = collect it */
    {NULL, 0},
};

/* legacy.hardware, or "" */
static const char *hardware_of(const secprov_provider_env *env)
{
    const char *v = NULL;

    return env->config_get(env, env->name, "hardware", SECPROV_CONFIG_STRING, &v) == SECPROV_OK
               && v != NULL ? v : "";
}

static int legacy_config_check(const secprov_provider_env *env, char *reason, size_t reason_len)
{
    size_t n = strlen(hardware_of(env));
    char where[4200];

    if (n < FINGERPRINT_MAX)
        return SECPROV_OK;
    env->config_where(env, env->name, "hardware", where, sizeof where);
    snprintf(reason, reason_len, "%s: '%s.hardware' is %zu bytes, more than the %d allowed",
             where, env->name, n, FINGERPRINT_MAX - 1);
    return SECPROV_ERR_CONFIG;
}

static int legacy_open(secprov_provider_ctx **out, const secprov_provider_env *env,
                       char *reason, size_t reason_len)
{
    legacy_ctx *c;
    int rc;

    *out = NULL;
    if ((rc = legacy_config_check(env, reason, reason_len)) != SECPROV_OK ||
        (rc = sp_state_dir_prepare(env->state_dir, reason, reason_len)) != SECPROV_OK)
        return rc;
    const char *hardware = hardware_of(env);
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return SECPROV_ERR_NOMEM;
    c->base.klass = &legacy_class;
    c->env = env;
    if (hardware[0] != '\0') {
        c->hardware_from_config = 1;
        strcpy(c->fingerprint, hardware);      /* its length checked above */
    } else {
        rc = lg_fingerprint_collect(c->fingerprint, sizeof c->fingerprint);
    }
    if (rc != SECPROV_OK) {
        snprintf(reason, reason_len, "cannot get the device fingerprint: %s",
                 env->status_text(rc));
        sp_cleanse(c, sizeof *c);
        free(c);
        return rc;
    }
    *out = &c->base;
    return SECPROV_OK;
}

static void legacy_close(secprov_provider_ctx *ctx)
{
    sp_cleanse(ctx, sizeof(legacy_ctx));
    free(ctx);
}

/* seal and delete on a read-only state folder fail naming it. */
static int check_writable(legacy_ctx *c, const char *what, const char *name)
{
    char why[4200];
    int rc = sp_dir_writable(c->env->state_dir, why, sizeof why);

    if (rc != SECPROV_OK)
        c->env->log(c->env, SECPROV_LOG_ERROR, "legacy: cannot %s '%s': %s", what, name, why);
    return rc;
}

static int legacy_seal(secprov_provider_ctx *ctx, const char *name, const void *data, size_t len)
{
    legacy_ctx *c = (legacy_ctx *)ctx;
    char file[SECPROV_NAME_MAX + sizeof LG_STORE_SUFFIX];
    uint8_t *image;
    size_t image_len;
    int rc;

    if ((rc = file_of(name, file, sizeof file)) != SECPROV_OK ||
        (rc = check_writable(c, "seal", name)) != SECPROV_OK)
        return rc;
    rc = lg_store_pack(c->fingerprint, name, data, len, &image, &image_len);
    if (rc != SECPROV_OK)
        return rc;
    rc = sp_file_write_atomic(c->env->state_dir, file, image, image_len);
    sp_cleanse(image, image_len);
    free(image);
    if (rc == SECPROV_OK)
        sp_temp_sweep(c->env->state_dir);
    sp_os_error_log(c->env, "legacy", rc);
    return rc;
}

static int legacy_unseal(secprov_provider_ctx *ctx, const char *name, void **data, size_t *len)
{
    legacy_ctx *c = (legacy_ctx *)ctx;
    char file[SECPROV_NAME_MAX + sizeof LG_STORE_SUFFIX];
    void *image;
    size_t image_len;
    int rc;

    if ((rc = file_of(name, file, sizeof file)) != SECPROV_OK)
        return rc;
    rc = sp_file_read(c->env->state_dir, file, SECPROV_SECRET_MAX + LG_STORE_HEADER,
                      &image, &image_len);
    if (rc == SECPROV_ERR_TOO_LARGE)
        rc = SECPROV_ERR_INTEGRITY;                  /* no sealed secret is that large */
    if (rc != SECPROV_OK) {
        if (!sp_os_error_log(c->env, "legacy", rc) && rc == SECPROV_ERR_PERMISSION)
            c->env->log(c->env, SECPROV_LOG_ERROR,
                        "legacy: refusing %s/%s: not a private regular file of this user",
                        c->env->state_dir, file);
        return rc;
    }
    rc = lg_store_unpack(c->fingerprint, name, image, image_len, c->env->secret_alloc,
                         c->env->secret_free, data, len);
    free(image);                                     /* ciphertext only: nothing secret */
    if (rc == SECPROV_ERR_INTEGRITY)
        c->env->log(c->env, SECPROV_LOG_ERROR,
                    "legacy: %s/%s failed its integrity check (tampered, truncated, moved, "
                    "or sealed on another device)", c->env->state_dir, file);
    return rc;
}

static int legacy_remove(secprov_provider_ctx *ctx, const char *name)
{
    legacy_ctx *c = (legacy_ctx *)ctx;
    char file[SECPROV_NAME_MAX + sizeof LG_STORE_SUFFIX];
    int rc = file_of(name, file, sizeof file);

    if (rc == SECPROV_OK && legacy_store_has(c->env, name) == SECPROV_ERR_NOT_FOUND)
        return SECPROV_ERR_NOT_FOUND;
    if (rc == SECPROV_OK && (rc = sp_file_remove(c->env->state_dir, file)) != SECPROV_OK)
        sp_os_error_log(c->env, "legacy", rc);
    if (rc == SECPROV_OK)
        sp_temp_sweep(c->env->state_dir);
    return rc;
}

static int legacy_list(secprov_provider_ctx *ctx, char ***names, size_t *count)
{
    legacy_ctx *c = (legacy_ctx *)ctx;
    int rc = sp_dir_list(c->env->state_dir, LG_STORE_SUFFIX, names, count);

    sp_os_error_log(c->env, "legacy", rc);
    return rc;
}

static int legacy_info(const secprov_provider_ctx *ctx, secprov_info_fn emit, void *user)
{
    const legacy_ctx *c = (const legacy_ctx *)ctx;
    emit("state_dir", c->env->state_dir, user);
    emit("hardware_source", c->hardware_from_config ? "config" : "collected", user);
    return SECPROV_OK;
}

static int legacy_locate(secprov_provider_ctx *ctx, const char *name, char *out, size_t out_len)
{
    legacy_ctx *c = (legacy_ctx *)ctx;
    char file[SECPROV_NAME_MAX + sizeof LG_STORE_SUFFIX];
    int rc = file_of(name, file, sizeof file);

    if (rc == SECPROV_OK)
        rc = sp_file_check(c->env->state_dir, file, SECPROV_SECRET_MAX + LG_STORE_HEADER);
    if (rc != SECPROV_OK)
        return rc;
    int n = snprintf(out, out_len, "file:%s/%s", c->env->state_dir, file);
    return n > 0 && (size_t)n < out_len ? SECPROV_OK : SECPROV_ERR_TOO_LARGE;
}

static const void *legacy_extension(const char *iface)
{
    return iface != NULL && strcmp(iface, LG_SCHEME_IFACE) == 0 ? (const void *)lg_scheme() : NULL;
}

/* Nothing to collect: a seal's only leftover, a dead writer's temp file,
 * is removed by the next open or seal (sp_temp_sweep). */
static int legacy_gc(secprov_provider_ctx *ctx, int dry_run, secprov_gc_fn emit, void *user)
{
    (void)ctx, (void)dry_run, (void)emit, (void)user;
    return SECPROV_OK;
}

static const secprov_provider_class legacy_class = {
    .abi_version = SECPROV_PROVIDER_ABI_VERSION,
    .size = sizeof(secprov_provider_class),
    .name = "legacy",
    .config_keys = legacy_keys,
    .config_check = legacy_config_check,
    .open = legacy_open,
    .close = legacy_close,
    .seal = legacy_seal,
    .unseal = legacy_unseal,
    .remove = legacy_remove,
    .list = legacy_list,
    .info = legacy_info,
    .extension = legacy_extension,
    .locate = legacy_locate,
    .gc = legacy_gc,
    .store_has = legacy_store_has,
    .store_names = legacy_store_names,
};

SECPROV_API const secprov_provider_class *secprov_provider_entry(void)
{
    return &legacy_class;
}
