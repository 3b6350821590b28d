/* A host that loads libsecprov the way Python's ctypes and most plugin hosts
 * do: dlopen(RTLD_NOW | RTLD_LOCAL), so nothing of libsecprov is in the
 * global symbol table the providers could bind to. Opens the provider named
 * on the command line, round-trips a secret, deletes it.
 *   rtld_local_host LIBSECPROV PROVIDER     prints "ok PROVIDER" or the failure
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "secprov.h"

#define BIND(name) *(void **)(&p_##name) = dlsym(lib, #name); if (p_##name == NULL) return fail(#name)

static int fail(const char *what)
{
    fprintf(stderr, "rtld_local_host: %s: %s\n", what, dlerror());
    return 1;
}

int main(int argc, char **argv)
{
    int (*p_secprov_open)(secprov **, const secprov_options *);
    int (*p_secprov_seal)(secprov *, const char *, const void *, size_t);
    int (*p_secprov_unseal)(secprov *, const char *, void **, size_t *);
    int (*p_secprov_delete)(secprov *, const char *);
    void (*p_secprov_free)(void *, size_t);
    void (*p_secprov_close)(secprov *);
    const char *(*p_secprov_provider_name)(const secprov *);
    const char *(*p_secprov_strerror)(int);
    static const char value[] = "rtld-local-secret";
    secprov_options o = SECPROV_OPTIONS_INIT;
    secprov *sp;
    void *data, *lib;
    size_t len;
    int rc;

    if (argc != 3)
        return 2;
    if ((lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL)
        return fail("dlopen");
    BIND(secprov_open); BIND(secprov_seal); BIND(secprov_unseal); BIND(secprov_delete);
    BIND(secprov_free); BIND(secprov_close); BIND(secprov_provider_name); BIND(secprov_strerror);
    o.provider = argv[2];
    if ((rc = p_secprov_open(&sp, &o)) != SECPROV_OK) {
        fprintf(stderr, "rtld_local_host: open %s: %s\n", argv[2], p_secprov_strerror(rc));
        return 1;
    }
    rc = p_secprov_seal(sp, "rtld-local", value, sizeof value);
    if (rc == SECPROV_OK && (rc = p_secprov_unseal(sp, "rtld-local", &data, &len)) == SECPROV_OK) {
        if (len != sizeof value || memcmp(data, value, len) != 0)
            rc = SECPROV_ERR_INTERNAL;
        p_secprov_free(data, len);
    }
    if (rc == SECPROV_OK)
        rc = p_secprov_delete(sp, "rtld-local");
    if (rc == SECPROV_OK)
        printf("ok %s\n", p_secprov_provider_name(sp));
    else
        fprintf(stderr, "rtld_local_host: round-trip on %s: %s\n", argv[2], p_secprov_strerror(rc));
    p_secprov_close(sp);
    dlclose(lib);
    return rc == SECPROV_OK ? 0 : 1;
}
