/* Secret buffers: see secure_mem.h. */
#include "secure_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "secprov.h"

#define MAGIC UINT64_C(0x5345435052564d31)  /* "SECPRVM1" */
#define HEADER 64                            /* keeps the user pointer aligned */

struct header {
    uint64_t magic;
    uint64_t map_len;
    uint64_t user_len;
    uint64_t locked;
};

void *sp_secret_alloc(size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t need, map_len;
    struct header *h;

    if (len > SIZE_MAX - HEADER - page)
        return NULL;
    need = HEADER + (len ? len : 1);
    map_len = (need + page - 1) / page * page;
    h = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h == MAP_FAILED)
        return NULL;
#ifdef MADV_DONTDUMP
    madvise(h, map_len, MADV_DONTDUMP);
#endif
    h->magic = MAGIC;
    h->map_len = map_len;
    h->user_len = len;
    h->locked = mlock(h, map_len) == 0;      /* best effort: RLIMIT_MEMLOCK may say no */
    return (unsigned char *)h + HEADER;
}

void sp_secret_free(void *p, size_t len)
{
    struct header *h;

    if (p == NULL)
        return;
    h = (struct header *)(void *)((unsigned char *)p - HEADER);
    if (((uintptr_t)h % (uintptr_t)sysconf(_SC_PAGESIZE)) != 0 || h->magic != MAGIC) {
        explicit_bzero(p, len);              /* not ours: plain heap memory */
        free(p);
        return;
    }
    size_t map_len = (size_t)h->map_len;
    int locked = (int)h->locked;
    explicit_bzero(h, map_len);
    if (locked)
        munlock(h, map_len);
    munmap(h, map_len);
}

void sp_secret_internal(void *p)
{
    struct header *h;

    if (p == NULL)
        return;
    h = (struct header *)(void *)((unsigned char *)p - HEADER);
    if (((uintptr_t)h % (uintptr_t)sysconf(_SC_PAGESIZE)) != 0 || h->magic != MAGIC)
        return;                              /* plain heap memory: not ours to advise */
#ifdef MADV_WIPEONFORK
    if (madvise(h, (size_t)h->map_len, MADV_WIPEONFORK) == 0)
        return;
#endif
    (void)madvise(h, (size_t)h->map_len, MADV_DONTFORK);
}

/* The public name of sp_secret_alloc (released with secprov_free). */
void *secprov_secret_alloc(size_t len)
{
    return sp_secret_alloc(len);
}
