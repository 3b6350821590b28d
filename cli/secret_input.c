/*
 * A secret read in by the command (seal's input): kept only in secret
 * memory (secprov_secret_alloc: locked where allowed, out of core dumps,
 * zeroed on release). It is read with read(2) straight into that memory,
 * never through a stdio buffer, and when it grows the old buffer is zeroed
 * and released at once (secprov_free), so no copy stays behind.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"

/* 0 or an errno (EFBIG: more than SECPROV_SECRET_MAX bytes). */
int cli_read_secret(int fd, unsigned char **out, size_t *out_len, size_t *out_cap)
{
    size_t cap = 4096, len = 0;
    struct stat st;

    /* a regular file: room for all of it and one byte more (to see its end) */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (size_t)st.st_size <= SECPROV_SECRET_MAX)
        cap = (size_t)st.st_size + 1;
    unsigned char *buf = secprov_secret_alloc(cap);
    if (buf == NULL)
        return ENOMEM;
    for (;;) {
        if (len == cap) {
            if (cap > SECPROV_SECRET_MAX) {
                secprov_free(buf, cap);
                return EFBIG;
            }
            size_t bigger_cap = cap * 2 > SECPROV_SECRET_MAX + 1 ? SECPROV_SECRET_MAX + 1 : cap * 2;
            unsigned char *bigger = secprov_secret_alloc(bigger_cap);
            if (bigger == NULL) {
                secprov_free(buf, cap);
                return ENOMEM;
            }
            memcpy(bigger, buf, len);
            secprov_free(buf, cap);
            buf = bigger;
            cap = bigger_cap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            secprov_free(buf, cap);
            return err;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = buf;
    *out_len = len;
    *out_cap = cap;
    return 0;
}
