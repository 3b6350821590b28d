/*
 * LD_PRELOAD shim for the EBUSY case of tests/tpm/test_faults.sh: open() of
 * the path in $EBUSY_SHIM_PATH fails with EBUSY, as the kernel's /dev/tpm0
 * does while another process has it open. A mock: no character device here
 * (the pseudo-terminal TPM admits many openers) can be made to refuse a
 * second opener, so this replaces only that kernel behaviour.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int busy(const char *path)
{
    const char *p = getenv("EBUSY_SHIM_PATH");
    if (p != NULL && path != NULL && strcmp(p, path) == 0) {
        errno = EBUSY;
        return 1;
    }
    return 0;
}

#define SHIM_OPEN(fn)                                                                   \
    int fn(const char *path, int flags, ...)                                            \
    {                                                                                   \
        static int (*real)(const char *, int, ...);                                     \
        mode_t mode = 0;                                                                \
        if (flags & (O_CREAT | O_TMPFILE)) {                                            \
            va_list ap;                                                                 \
            va_start(ap, flags);                                                        \
            mode = va_arg(ap, mode_t);                                                  \
            va_end(ap);                                                                 \
        }                                                                               \
        if (busy(path))                                                                 \
            return -1;                                                                  \
        if (real == NULL)                                                               \
            *(void **)&real = dlsym(RTLD_NEXT, #fn);                                    \
        return real(path, flags, mode);                                                 \
    }

SHIM_OPEN(open)
SHIM_OPEN(open64)

int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
    return busy(path) ? -1 : open(path, flags);
}
