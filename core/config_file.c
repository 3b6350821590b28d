/* Reading the config file's text under the trust rule: config_file.h. */
#include "config_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_rules.h"
#include "host_env.h"
#include "secprov.h"

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m)) return "a folder";
    if (S_ISFIFO(m)) return "a fifo";
    if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

/* libconfig's @include (a line starting with it) would read a file that
 * the trust rule never saw, relative to the caller's working folder: no
 * line may start with it. A NUL byte would end libconfig's reading early. */
int sp_config_text_check(const char *file, const char *text, size_t len, char *err, size_t err_len)
{
    int line = 1;

    if (memchr(text, '\0', len) != NULL)
        return sp_config_fail(err, err_len, "%s: contains a NUL byte: not a config file", file);
    for (const char *p = text; p < text + len; line++) {
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "@include", 8) == 0)
            return sp_config_fail(err, err_len, "%s:%d: @include is not allowed (the included file would "
                        "escape the owner and mode check)", file, line);
        const char *nl = memchr(p, '\n', (size_t)(text + len - p));
        p = nl != NULL ? nl + 1 : text + len;
    }
    return SECPROV_OK;
}

/* Read the config file into *text (NUL-terminated, *len bytes): a regular
 * file of at most SP_CONFIG_MAX bytes that no other user could have written
 * (sp_trust_check), opened by its resolved path. *text stays NULL for an
 * absent default file (all defaults). */
int sp_config_read_text(const char *file, int explicit, char **text, size_t *len,
                        char *err, size_t err_len)
{
    char real[PATH_MAX], why[600], *buf;
    struct stat st;
    size_t got = 0;
    int rc, fd;

    *text = NULL;
    if (stat(file, &st) != 0) {
        if (!explicit && errno == ENOENT)
            return SECPROV_OK;                   /* no default file: all defaults */
        return sp_config_fail(err, err_len, "%s: cannot read config file: %s", file, strerror(errno));
    }
    /* Before any open: a fifo would block, a folder would read as empty. */
    if (!S_ISREG(st.st_mode))
        return sp_config_fail(err, err_len, "%s: is %s, not a config file", file, file_kind(st.st_mode));
    if (st.st_size > SP_CONFIG_MAX)
        return sp_config_fail(err, err_len, "%s: config file of %lld bytes, more than the %d allowed", file,
                    (long long)st.st_size, SP_CONFIG_MAX);
    rc = sp_trust_check(file, SP_TRUST_FILE, real, why, sizeof why);
    if (rc == SECPROV_ERR_PERMISSION) {
        snprintf(err, err_len, "config file refused: %s", why);
        return rc;
    }
    if (rc != SECPROV_OK)
        return sp_config_fail(err, err_len, "%s: cannot read config file: %s", file, why);
    fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return sp_config_fail(err, err_len, "%s: cannot read config file: %s", file, strerror(errno));
    /* The file opened is the one checked: its folders admit no one else. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SP_CONFIG_MAX ||
        !sp_trust_rule(&st, 0, geteuid(), NULL, 0)) {
        close(fd);
        return sp_config_fail(err, err_len, "%s: changed while it was being opened", file);
    }
    if ((buf = malloc(SP_CONFIG_MAX + 1)) == NULL) {
        close(fd);
        return SECPROV_ERR_NOMEM;
    }
    for (;;) {
        ssize_t n = read(fd, buf + got, SP_CONFIG_MAX + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = sp_config_fail(err, err_len, "%s: cannot read config file: %s", file, strerror(errno));
            break;
        }
        got += (size_t)n;
        if (n == 0 || got > SP_CONFIG_MAX) {
            rc = got > SP_CONFIG_MAX ? sp_config_fail(err, err_len, "%s: grew past %d bytes while being "
                                            "read", file, SP_CONFIG_MAX) : SECPROV_OK;
            break;
        }
    }
    close(fd);
    if (rc == SECPROV_OK) {
        buf[got] = '\0';
        rc = sp_config_text_check(file, buf, got, err, err_len);
    }
    if (rc != SECPROV_OK) {
        explicit_bzero(buf, got);            /* legacy.hardware may be in it */
        free(buf);
        return rc;
    }
    *text = buf;
    *len = got;
    return SECPROV_OK;
}

