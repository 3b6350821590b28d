/* LD_PRELOAD shim for the "secrets are zeroed before free" test (issue 6,
 * item 5): every free()/munmap() first scans the memory being released for
 * the marker in $FREE_SHIM_MARKER and, if found, writes one line to stderr
 * ("free_shim: marker found in freed memory"). The test seals and unseals a
 * secret made of that marker and asserts the line never appears. */
#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int munmap(void *addr, size_t len);

static const char *marker(size_t *mlen)
{
    static const char *m;
    static size_t n;
    static int done;
    if (!done) {
        done = 1;
        m = getenv("FREE_SHIM_MARKER");
        n = m != NULL ? strlen(m) : 0;
    }
    *mlen = n;
    return n >= 8 ? m : NULL;
}

static void scan(const void *p, size_t len)
{
    size_t mlen;
    const char *m = marker(&mlen);
    if (m != NULL && p != NULL && len >= mlen && memmem(p, len, m, mlen) != NULL) {
        static const char msg[] = "free_shim: marker found in freed memory\n";
        ssize_t r = write(2, msg, sizeof msg - 1);
        (void)r;
    }
}

void free(void *p)
{
    static void (*real_free)(void *);
    if (real_free == NULL)
        real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    if (p != NULL)
        scan(p, malloc_usable_size(p));
    real_free(p);
}

int munmap(void *addr, size_t len)
{
    static int (*real_munmap)(void *, size_t);
    if (real_munmap == NULL)
        real_munmap = (int (*)(void *, size_t))dlsym(RTLD_NEXT, "munmap");
    scan(addr, len);
    return real_munmap(addr, len);
}
