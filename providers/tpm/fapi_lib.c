/* libtss2-fapi loaded on demand: see fapi_lib.h. */
#include "fapi_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;
static fapi_lib lib;
static int loaded;

/* Each symbol into its typed slot: a void * from dlsym, stored through the
 * slot's own type (no cast that would hide a mismatch in the table). */
#define FAPI_SYM(field, sym)                                                      \
    do {                                                                          \
        void *p_ = dlsym(h, #sym);                                                \
        if (p_ == NULL) {                                                         \
            snprintf(why, why_len, "%s has no %s: %s", FAPI_LIB_SONAME, #sym,     \
                     dlerror());                                                  \
            goto fail;                                                            \
        }                                                                         \
        *(void **)&t.field = p_;                                                  \
    } while (0)

static int load(char *why, size_t why_len)
{
    fapi_lib t;
    void *h;

    dlerror();
    if ((h = dlopen(FAPI_LIB_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
        const char *e = dlerror();
        snprintf(why, why_len, "cannot load %s (tpm2-tss's FAPI, needed to provision a new "
                 "keystore): %s", FAPI_LIB_SONAME, e != NULL ? e : "unknown error");
        return -1;
    }
    FAPI_SYM(Initialize_Async, Fapi_Initialize_Async);
    FAPI_SYM(Initialize_Finish, Fapi_Initialize_Finish);
    FAPI_SYM(Finalize, Fapi_Finalize);
    FAPI_SYM(Provision, Fapi_Provision);
    FAPI_SYM(GetPollHandles, Fapi_GetPollHandles);
    FAPI_SYM(GetTcti, Fapi_GetTcti);
    FAPI_SYM(Free, Fapi_Free);
    lib = t;              /* the handle is kept: the library stays for the process */
    return 0;
fail:
    dlclose(h);
    return -1;
}

const fapi_lib *fapi_lib_get(char *why, size_t why_len)
{
    const fapi_lib *r = NULL;

    pthread_mutex_lock(&lib_lock);
    if (loaded || load(why, why_len) == 0) {
        loaded = 1;
        r = &lib;
    }
    pthread_mutex_unlock(&lib_lock);
    return r;
}
