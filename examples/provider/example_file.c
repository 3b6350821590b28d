/*
 * example_file: a provider module written against the installed provider
 * SDK only (<secprov_provider.h>, found with pkg-config), to show a third
 * party how a provider is built, configured and loaded by name:
 *
 *   SECURITY_PROVIDER=example_file   (or provider = "example_file";)
 *   example_file = { state_dir = "/var/lib/secprov/example"; max_size = 4096; };
 *
 * state_dir is the core's key of every provider group (env->state_dir,
 * default /var/lib/secprov/example_file); max_size is this provider's own:
 * declared in example_keys, its value checked by example_config_check.
 *
 * It keeps each secret in its own file, <state_dir>/NAME.secret (folder
 * 0700, files 0600, written to a temp file, synced and renamed), in the
 * clear: an SDK example, not a vault. Real providers seal (see tpm.so).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <secprov_provider.h>

#define SUFFIX ".secret"

typedef struct example_ctx {
    secprov_provider_ctx base;          /* first: the class */
    const secprov_provider_env *env;
    char dir[3000];
    long long max_size;                 /* example_file.max_size */
} example_ctx;

static const secprov_provider_class example_class;

static int status_of(int err)
{
    return err == ENOENT ? SECPROV_ERR_NOT_FOUND
           : err == EACCES || err == EPERM ? SECPROV_ERR_PERMISSION
           : err == ENOMEM ? SECPROV_ERR_NOMEM : SECPROV_ERR_IO;
}

static int path_of(const example_ctx *c, const char *name, const char *suffix, char *out,
                   size_t len)
{
    int n = snprintf(out, len, "%s/%s%s", c->dir, name, suffix);
    return n > 0 && (size_t)n < len ? SECPROV_OK : SECPROV_ERR_TOO_LARGE;
}

/* example_file.max_size: 1 to SECPROV_SECRET_MAX bytes, default the latter. */
static int max_size_of(const secprov_provider_env *env, long long *out, char *why, size_t why_len)
{
    char where[4200];

    if (env->config_get(env, env->name, "max_size", SECPROV_CONFIG_INT, out) != SECPROV_OK)
        *out = (long long)SECPROV_SECRET_MAX;
    if (*out >= 1 && *out <= (long long)SECPROV_SECRET_MAX)
        return SECPROV_OK;
    env->config_where(env, env->name, "max_size", where, sizeof where);
    snprintf(why, why_len, "%s: '%s.max_size' must be 1 to %zu, not %lld", where, env->name,
             SECPROV_SECRET_MAX, *out);
    return SECPROV_ERR_CONFIG;
}

/* The class's config_check: the values of its group, opening nothing. */
static int example_config_check(const secprov_provider_env *env, char *why, size_t why_len)
{
    long long max;
    return max_size_of(env, &max, why, why_len);
}

static int example_open(secprov_provider_ctx **out, const secprov_provider_env *env, char *why,
                        size_t why_len)
{
    const char *dir = env->state_dir;
    long long max;
    struct stat st;
    example_ctx *c;

    *out = NULL;
    if (max_size_of(env, &max, why, why_len) != SECPROV_OK)
        return SECPROV_ERR_CONFIG;
    if (strlen(dir) >= sizeof c->dir - SECPROV_NAME_MAX - 16) {
        snprintf(why, why_len, "example_file.state_dir is too long");
        return SECPROV_ERR_CONFIG;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, why_len, "cannot create %s: %s", dir, strerror(errno));
        return status_of(errno);
    }
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 0077) != 0) {
        snprintf(why, why_len, "%s is not a private folder of this user", dir);
        return SECPROV_ERR_PERMISSION;
    }
    if ((c = calloc(1, sizeof *c)) == NULL)
        return SECPROV_ERR_NOMEM;
    c->base.klass = &example_class;
    c->env = env;
    c->max_size = max;
    strcpy(c->dir, dir);
    *out = &c->base;
    return SECPROV_OK;
}

static void example_close(secprov_provider_ctx *ctx)
{
    free(ctx);
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int example_seal(secprov_provider_ctx *ctx, const char *name, const void *data, size_t len)
{
    example_ctx *c = (example_ctx *)ctx;
    char tmp[4096], path[4096];
    int rc, fd;

    if ((long long)len > c->max_size) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "example_file: '%s' is %zu bytes, more than "
                    "example_file.max_size (%lld)", name, len, c->max_size);
        return SECPROV_ERR_TOO_LARGE;
    }
    if ((rc = path_of(c, name, ".tmp", tmp, sizeof tmp)) != SECPROV_OK ||
        (rc = path_of(c, name, SUFFIX, path, sizeof path)) != SECPROV_OK)
        return rc;
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
        return status_of(errno);
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        rc = status_of(errno);
        close(fd);
        unlink(tmp);
        return rc;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        rc = status_of(errno);
        unlink(tmp);
        return rc;
    }
    return SECPROV_OK;
}

static int example_unseal(secprov_provider_ctx *ctx, const char *name, void **data, size_t *len)
{
    example_ctx *c = (example_ctx *)ctx;
    char path[4096];
    struct stat st;
    int rc = path_of(c, name, SUFFIX, path, sizeof path), fd;

    if (rc != SECPROV_OK)
        return rc;
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return status_of(errno);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 0077) != 0 || st.st_size == 0 || (size_t)st.st_size > SECPROV_SECRET_MAX) {
        close(fd);
        return SECPROV_ERR_PERMISSION;
    }
    unsigned char *buf = c->env->secret_alloc((size_t)st.st_size);
    size_t got = 0;
    if (buf == NULL) {
        close(fd);
        return SECPROV_ERR_NOMEM;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != (size_t)st.st_size) {
        c->env->secret_free(buf, (size_t)st.st_size);
        return SECPROV_ERR_IO;
    }
    *data = buf;
    *len = got;
    return SECPROV_OK;
}

static int example_remove(secprov_provider_ctx *ctx, const char *name)
{
    char path[4096];
    int rc = path_of((example_ctx *)ctx, name, SUFFIX, path, sizeof path);

    if (rc != SECPROV_OK)
        return rc;
    return unlink(path) == 0 ? SECPROV_OK : status_of(errno);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int example_list(secprov_provider_ctx *ctx, char ***names, size_t *count)
{
    example_ctx *c = (example_ctx *)ctx;
    DIR *d = opendir(c->dir);
    size_t n = 0, cap = 0;
    char **v = NULL;
    struct dirent *e;

    if (d == NULL)
        return status_of(errno);
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= strlen(SUFFIX) || strcmp(e->d_name + l - strlen(SUFFIX), SUFFIX) != 0)
            continue;
        if (n == cap) {
            char **bigger = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
            if (bigger == NULL)
                break;
            v = bigger;
        }
        if ((v[n] = strndup(e->d_name, l - strlen(SUFFIX))) == NULL)
            break;
        n++;
    }
    closedir(d);
    if (e != NULL) {                     /* out of memory */
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
        return SECPROV_ERR_NOMEM;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, by_name);
    *names = v;
    *count = n;
    return SECPROV_OK;
}

static int example_info(const secprov_provider_ctx *ctx, secprov_info_fn emit, void *user)
{
    emit("state_dir", ((const example_ctx *)ctx)->dir, user);
    return SECPROV_OK;
}

static int example_locate(secprov_provider_ctx *ctx, const char *name, char *out, size_t out_len)
{
    char path[4096];
    struct stat st;
    int rc = path_of((example_ctx *)ctx, name, SUFFIX, path, sizeof path);

    if (rc != SECPROV_OK)
        return rc;
    if (lstat(path, &st) != 0)
        return status_of(errno);
    int n = snprintf(out, out_len, "file:%s", path);
    return n > 0 && (size_t)n < out_len ? SECPROV_OK : SECPROV_ERR_TOO_LARGE;
}

static const secprov_config_key example_keys[] = {
    {"max_size", SECPROV_CONFIG_INT},
    {NULL, 0},
};

static const secprov_provider_class example_class = {
    .abi_version = SECPROV_PROVIDER_ABI_VERSION,
    .size = sizeof(secprov_provider_class),
    .name = "example_file",
    .config_keys = example_keys,
    .config_check = example_config_check,
    .open = example_open,
    .close = example_close,
    .seal = example_seal,
    .unseal = example_unseal,
    .remove = example_remove,
    .list = example_list,
    .info = example_info,
    .locate = example_locate,
};

SECPROV_API const secprov_provider_class *secprov_provider_entry(void)
{
    return &example_class;
}
