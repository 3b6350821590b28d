/* LD_PRELOAD shim for the "secrets are zeroed before free" test (issue 6,
 * item 5): every free()/munmap() first scans the memory being released for
 * the marker in $FREE_SHIM_MARKER and, if found, writes one line to stderr
 * ("free_shim: marker found in freed memory"). The test seals and unseals a
 * secret made of that marker and asserts the line never appears.
 *
 * With FREE_SHIM_ZEROED=1 it also scans memory as it is zeroed
 * (explicit_bzero, OPENSSL_cleanse) and reports ("free_shim: marker zeroed
 * in heap memory") a marker found outside the anonymous mappings the
 * program made with mmap() (secret memory, sp_secret_alloc): a secret that
 * went through plain heap memory, even one zeroed before its free(). */
#include <dlfcn.h>
#include <stdint.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int munmap(void *addr, size_t len);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void explicit_bzero(void *p, size_t len);
void __explicit_bzero_chk(void *p, size_t len, size_t dest_len);
void OPENSSL_cleanse(void *p, size_t len);

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

static int has_marker(const void *p, size_t len)
{
    size_t mlen;
    const char *m = marker(&mlen);
    return m != NULL && p != NULL && len >= mlen && memmem(p, len, m, mlen) != NULL;
}

static void say(const char *msg)
{
    ssize_t r = write(2, msg, strlen(msg));
    (void)r;
}

static void scan(const void *p, size_t len)
{
    if (has_marker(p, len))
        say("free_shim: marker found in freed memory\n");
}

/* FREE_SHIM_ZEROED: the program's own anonymous mappings (no lock: the
 * tests that set it are single-threaded). */
#define MAPS 1024
static struct { uintptr_t start, end; } maps[MAPS];

static int zeroed_on(void)
{
    static int on = -1;
    if (on < 0) {
        const char *e = getenv("FREE_SHIM_ZEROED");
        on = e != NULL && strcmp(e, "1") == 0;
    }
    return on;
}

static int in_mapping(const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;
    for (size_t i = 0; i < MAPS; i++)
        if (maps[i].end != 0 && a >= maps[i].start && a + len <= maps[i].end)
            return 1;
    return 0;
}

static void scan_zeroed(const void *p, size_t len)
{
    if (zeroed_on() && has_marker(p, len) && !in_mapping(p, len))
        say("free_shim: marker zeroed in heap memory\n");
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
    if (real_mmap == NULL)
        real_mmap = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
    void *p = real_mmap(addr, len, prot, flags, fd, off);
    if (zeroed_on() && p != MAP_FAILED && (flags & MAP_ANONYMOUS))
        for (size_t i = 0; i < MAPS; i++)
            if (maps[i].end == 0) {
                maps[i].start = (uintptr_t)p;
                maps[i].end = (uintptr_t)p + len;
                break;
            }
    return p;
}

/* libc declares explicit_bzero write-only: reading it first is the point. */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
void explicit_bzero(void *p, size_t len)
{
    scan_zeroed(p, len);
    volatile unsigned char *v = p;
    while (len-- > 0)
        *v++ = 0;
}

void __explicit_bzero_chk(void *p, size_t len, size_t dest_len)
{
    (void)dest_len;
    explicit_bzero(p, len);
}

void OPENSSL_cleanse(void *p, size_t len)
{
    static void (*real_cleanse)(void *, size_t);
    scan_zeroed(p, len);
    if (real_cleanse == NULL)
        real_cleanse = (void (*)(void *, size_t))dlsym(RTLD_NEXT, "OPENSSL_cleanse");
    if (real_cleanse != NULL)
        real_cleanse(p, len);
    else
        explicit_bzero(p, len);
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
    uintptr_t a = (uintptr_t)addr;
    for (size_t i = 0; i < MAPS; i++)
        if (maps[i].end != 0 && maps[i].start >= a && maps[i].end <= a + len)
            maps[i].end = maps[i].start = 0;
    return real_munmap(addr, len);
}
