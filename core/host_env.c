/* The host's environment, standard fds and trusted files: see host_env.h. */
#include "host_env.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "secprov.h"

int sp_env_secure(void)
{
    return getauxval(AT_SECURE) != 0;
}

const char *sp_env_get(const char *name)
{
    const char *v = secure_getenv(name);

    /* secure_getenv is NULL exactly when AT_SECURE is set; checked again so
     * that the rule does not rest on one libc's reading of it. */
    if (sp_env_secure())
        return NULL;
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static void tss_scrub_once(void)
{
    static const char *const removed[] = {SP_TSS_ENV_REMOVED};

    /* tpm2-tss reads these with plain getenv, whoever set them. */
    setenv("TSS2_LOG", "all+none", 1);
    for (size_t i = 0; i < sizeof removed / sizeof removed[0]; i++)
        unsetenv(removed[i]);
}

void sp_env_tss_scrub(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    if (sp_env_secure())
        pthread_once(&once, tss_scrub_once);
}

int sp_std_fds_fill(char *why, size_t why_len)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* Lowest free number first: this takes fd (0-2 below it are open).
         * Not close-on-exec: it stands for the host's own stdin/out/err. */
        int nfd = open("/dev/null", O_RDWR | O_NOCTTY);
        if (nfd < 0) {
            snprintf(why, why_len, "fd %d is closed and /dev/null cannot be opened to fill it "
                     "(%s): nothing is opened with a standard fd's number", fd, strerror(errno));
            return SECPROV_ERR_IO;
        }
        if (nfd != fd)                /* another thread filled it meanwhile */
            close(nfd);
    }
    return SECPROV_OK;
}

/* Reentrant NSS lookups into a growing buffer (*buf, freed by the caller):
 * 1 on a found entry. */
static int grow(char **buf, size_t *len)
{
    size_t n = *len == 0 ? 4096 : *len * 2;
    char *nb = n <= (1u << 20) ? realloc(*buf, n) : NULL;

    if (nb == NULL)
        return 0;
    *buf = nb;
    *len = n;
    return 1;
}

static int passwd_of(uid_t uid, struct passwd *pw, char **buf)
{
    struct passwd *res = NULL;
    size_t len = 0;
    int e = ERANGE;

    while (e == ERANGE && grow(buf, &len))
        e = getpwuid_r(uid, pw, *buf, len, &res);
    return e == 0 && res != NULL;
}

static int group_of(gid_t gid, struct group *gr, char **buf)
{
    struct group *res = NULL;
    size_t len = 0;
    int e = ERANGE;

    while (e == ERANGE && grow(buf, &len))
        e = getgrgid_r(gid, gr, *buf, len, &res);
    return e == 0 && res != NULL;
}

int sp_group_is_owners(uid_t uid, gid_t gid)
{
    struct passwd pw;
    struct group gr;
    char *pbuf = NULL, *gbuf = NULL;
    int ok = 0;

    if (uid == 0)
        return gid == 0;
    if (passwd_of(uid, &pw, &pbuf) && pw.pw_gid == gid && group_of(gid, &gr, &gbuf))
        ok = strcmp(gr.gr_name, pw.pw_name) == 0;
    free(pbuf);
    free(gbuf);
    return ok;
}

int sp_trust_rule(const struct stat *st, int ancestor, uid_t euid, char *why, size_t why_len)
{
    char dummy[1];

    if (why == NULL) {
        why = dummy;
        why_len = sizeof dummy;
    }
    if (st->st_uid != 0 && st->st_uid != euid) {
        snprintf(why, why_len, "owned by uid %u (only root or uid %u is trusted)",
                 (unsigned)st->st_uid, (unsigned)euid);
        return 0;
    }
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
        return 1;
    if (ancestor && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
        return 1;
    if ((st->st_mode & S_IWOTH) == 0 && sp_group_is_owners(st->st_uid, st->st_gid))
        return 1;
    if (st->st_mode & S_IWOTH)
        snprintf(why, why_len, "writable by others (mode %04o%s)",
                 (unsigned)(st->st_mode & 07777), ancestor ? ", not sticky" : "");
    else
        snprintf(why, why_len, "writable by its group gid %u, not its owner's own group "
                 "(mode %04o%s)", (unsigned)st->st_gid, (unsigned)(st->st_mode & 07777),
                 ancestor ? ", not sticky" : "");
    return 0;
}

static const char *type_name(mode_t m)
{
    if (S_ISREG(m)) return "a regular file";
    if (S_ISDIR(m)) return "a folder";
    if (S_ISFIFO(m)) return "a fifo";
    if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
    if (S_ISSOCK(m)) return "a socket";
    return "a special file";
}

int sp_trust_check(const char *path, int kind, char *resolved, char *why, size_t why_len)
{
    char rule[128], at[PATH_MAX];
    uid_t euid = geteuid();
    struct stat st;

    if (realpath(path, resolved) == NULL) {
        int err = errno;
        snprintf(why, why_len, "%s: %s", path, strerror(err));
        errno = err;
        return err == ENOENT || err == ENOTDIR ? SECPROV_ERR_NOT_FOUND : SECPROV_ERR_IO;
    }
    snprintf(at, sizeof at, "%s", resolved);
    for (int ancestor = 0;; ancestor = 1) {
        if (lstat(at, &st) != 0) {
            snprintf(why, why_len, "%s: cannot check %s: %s", path, at, strerror(errno));
            return SECPROV_ERR_IO;
        }
        if (!ancestor && (kind == SP_TRUST_DIR ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
            snprintf(why, why_len, "%s is %s, not %s", path,
                     type_name(st.st_mode),
                     kind == SP_TRUST_DIR ? "a folder" : "a regular file");
            return SECPROV_ERR_PERMISSION;
        }
        if (!sp_trust_rule(&st, ancestor, euid, rule, sizeof rule)) {
            if (!ancestor)
                snprintf(why, why_len, "%s is %s: another user could have written it", path,
                         rule);
            else
                snprintf(why, why_len, "%s: the folder %s above it is %s: another user could "
                         "have replaced it", path, at, rule);
            return SECPROV_ERR_PERMISSION;
        }
        if (strcmp(at, "/") == 0)
            return SECPROV_OK;
        char *slash = strrchr(at, '/');
        if (slash == at)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
}
