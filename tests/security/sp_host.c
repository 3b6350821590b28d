/*
 * A host program for the security tests: it links libsecprov (absolute
 * rpath, so that it also runs setuid or with a file capability, where glibc
 * ignores $ORIGIN) and does one thing per run, telling the outcome by its
 * exit status alone (its stdout and stderr may be closed):
 *   0 done; 1..99 secprov_open failed with -status; 100+(-status) the
 *   operation failed; 200 a write to stdout failed; 201 bad usage.
 *
 *   sp_host [-r] [-c CONFIG] [-d PROVIDER_DIR] [-p PROVIDER] [-l LEVEL] CMD ...
 *     whoami                   print "euid N secure S" (S: getauxval(AT_SECURE))
 *     open                     open, print "provider NAME" on stdout
 *     seal NAME SECRET         seal SECRET (from the command line)
 *     unseal NAME              the secret on stdout
 *     exec NAME OUT            open, unseal NAME, then run "sp_host fds OUT"
 *     fds OUT                  (the child) write the fds >= 3 it holds into OUT
 *     legacy                   secprov_legacy_open, then its fingerprint (the
 *                              config's legacy.hardware) on stdout; 204 if
 *                              fd 0, 1 or 2 is still closed after the open
 * -c, -d, -p and -l go into secprov_options: the program's own choice.
 * -r: make the real ids the effective ones first, as a setuid program that
 * means to act as its owner does (tpm2-tss's FAPI checks its folders with
 * access(2), i.e. for the real uid).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprov.h"
#include "secprov_legacy.h"

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The child: every fd >= 3 it holds, "N -> target" per line, into out. */
static int list_fds(const char *out)
{
    char lines[8192] = "", link[PATH_MAX + 32], target[PATH_MAX];
    size_t used = 0;

    for (int fd = 3; fd < 1024; fd++) {
        if (fcntl(fd, F_GETFD) < 0)
            continue;
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        used += (size_t)snprintf(lines + used, sizeof lines - used, "%d -> %s\n", fd, target);
        if (used >= sizeof lines)
            break;
    }
    FILE *f = fopen(out, "w");
    if (f == NULL)
        return 201;
    fputs(lines, f);
    return fclose(f) == 0 ? 0 : 201;
}

int main(int argc, char **argv)
{
    secprov_options o = SECPROV_OPTIONS_INIT;
    secprov *sp;
    int c, rc;

    while ((c = getopt(argc, argv, "+rc:d:p:l:")) != -1) {
        switch (c) {
        case 'r':
            if (setresgid(getegid(), getegid(), getegid()) != 0 ||
                setresuid(geteuid(), geteuid(), geteuid()) != 0)
                return 201;
            break;
        case 'c': o.config_path = optarg; break;
        case 'd': o.provider_dir = optarg; break;
        case 'p': o.provider = optarg; break;
        case 'l': o.log_level = atoi(optarg); break;
        default: return 201;
        }
    }
    if (optind >= argc)
        return 201;
    const char *cmd = argv[optind], *name = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (strcmp(cmd, "fds") == 0)
        return name != NULL ? list_fds(name) : 201;
    if (strcmp(cmd, "whoami") == 0) {
        printf("euid %u secure %lu\n", (unsigned)geteuid(), getauxval(AT_SECURE));
        return 0;
    }
    /* Only what the test passes: nothing inherited from the test runner. */
    for (int fd = 3; fd < 1024; fd++)
        close(fd);

    if (strcmp(cmd, "legacy") == 0) {
        secprov_legacy *lg;
        char fp[1024];
        if ((rc = secprov_legacy_open(&lg, &o)) != SECPROV_OK)
            return -rc < 100 ? -rc : 99;
        for (int fd = 0; fd <= 2; fd++)
            if (fcntl(fd, F_GETFD) < 0)
                rc = 204;
        if (rc == 0 && (rc = secprov_legacy_fingerprint(lg, fp, sizeof fp)) == SECPROV_OK)
            rc = write_all(1, fp, strlen(fp)) == 0 ? 0 : 200;
        else if (rc < 0)
            rc = 100 - rc;
        secprov_legacy_close(lg);
        return rc;
    }
    rc = secprov_open(&sp, &o);
    if (rc != SECPROV_OK)
        return -rc < 100 ? -rc : 99;
    if (strcmp(cmd, "open") == 0) {
        char line[64];
        int n = snprintf(line, sizeof line, "provider %s\n", secprov_provider_name(sp));
        rc = write_all(1, line, (size_t)n) == 0 ? 0 : 200;
    } else if (strcmp(cmd, "seal") == 0 && name != NULL && optind + 2 < argc) {
        const char *secret = argv[optind + 2];
        rc = secprov_seal(sp, name, secret, strlen(secret));
        rc = rc == SECPROV_OK ? 0 : 100 - rc;
    } else if ((strcmp(cmd, "unseal") == 0 || strcmp(cmd, "exec") == 0) && name != NULL) {
        void *data;
        size_t len;
        rc = secprov_unseal(sp, name, &data, &len);
        if (rc != SECPROV_OK) {
            rc = 100 - rc;
        } else if (strcmp(cmd, "unseal") == 0) {
            rc = write_all(1, data, len) == 0 ? 0 : 200;
            secprov_free(data, len);
        } else {
            secprov_free(data, len);
            if (optind + 2 >= argc) {
                rc = 201;
            } else {
                /* A child exec'd while the handle (and its TPM connection) is open. */
                pid_t pid = fork();
                if (pid == 0) {
                    execl("/proc/self/exe", argv[0], "fds", argv[optind + 2], (char *)NULL);
                    _exit(202);
                }
                int st = 0;
                rc = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : 203;
            }
        }
    } else {
        rc = 201;
    }
    secprov_close(sp);
    return rc;
}
