/* Watched files read without following a symlink or blocking on a fifo. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attestor.h"

static int open_regular(const char *path, char *why, size_t why_len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        snprintf(why, why_len, "%s: %s", path,
                 errno == ELOOP ? "a symbolic link (never followed)" : strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    return fd;
}

int at_file_read(const char *path, size_t max, unsigned char **buf, size_t *len, char *why,
                 size_t why_len)
{
    int fd = open_regular(path, why, why_len);
    size_t cap = 4096, n = 0;
    unsigned char *b;

    *buf = NULL;
    *len = 0;
    if (fd < 0)
        return -1;
    if ((b = malloc(cap + 1)) == NULL) {
        close(fd);
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                snprintf(why, why_len, "%s: larger than %zu bytes", path, max);
                goto fail;
            }
            unsigned char *nb = realloc(b, 2 * cap + 1);
            if (nb == NULL) {
                snprintf(why, why_len, "out of memory");
                goto fail;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, why_len, "%s: %s", path, strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
fail:
    close(fd);
    free(b);
    return -1;
}

void at_hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    out[2 * n] = '\0';
}

int at_file_sha256(const char *path, unsigned char out[32], char *why, size_t why_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[8192];
    int rc = -1, fd = -1;

    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        snprintf(why, why_len, "SHA-256 unavailable");
        goto out;
    }
    if ((fd = open_regular(path, why, why_len)) < 0)
        goto out;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, why_len, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)r);
    }
    rc = EVP_DigestFinal_ex(ctx, out, NULL) == 1 ? 0 : -1;
out:
    if (fd >= 0)
        close(fd);
    EVP_MD_CTX_free(ctx);
    return rc;
}

int at_files_sha256(char *const *paths, size_t n, unsigned char out[32], char *why,
                    size_t why_len)
{
    unsigned char *all = malloc(32 * (n ? n : 1));
    unsigned int len = 0;
    int rc = -1;

    if (all == NULL) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (at_file_sha256(paths[i], all + 32 * i, why, why_len) != 0)
            goto out;
    rc = EVP_Digest(all, 32 * n, out, &len, EVP_sha256(), NULL) == 1 ? 0 : -1;
out:
    free(all);
    return rc;
}
