/*
 * LD_PRELOAD shim for tests/cli/test_openssl_names.sh: counts OpenSSL's
 * OBJ_NAME_add() calls, by which OpenSSL fills its legacy cipher and digest
 * name tables (about 400 in a process that loads them), and appends the
 * count to the file named by $OBJNAME_SHIM_OUT when the process exits.
 * It only counts: every call goes on to the real OBJ_NAME_add().
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static int calls;

int OBJ_NAME_add(const char *name, int type, const char *data);
int OBJ_NAME_add(const char *name, int type, const char *data)
{
    static int (*real)(const char *, int, const char *);

    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "OBJ_NAME_add");
    calls++;
    return real != NULL ? real(name, type, data) : 0;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("OBJNAME_SHIM_OUT");
    FILE *f = path != NULL ? fopen(path, "a") : NULL;

    if (f != NULL) {
        fprintf(f, "%d\n", calls);
        fclose(f);
    }
}
