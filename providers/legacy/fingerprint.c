/* Collecting the device fingerprint: see fingerprint.h for the rules. */
#include "fingerprint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "secprov.h"

#define LSPCI_OUTPUT_MAX (64 * 1024)   /* more than any real lspci listing */
#define LSPCI_TIMEOUT_MS 5000          /* a wedged lspci must not hang open */

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    memmove(s, s + i, strlen(s + i) + 1);
}

static void path_of(char *out, size_t len, const struct lg_fp_sources *src, const char *path)
{
    snprintf(out, len, "%s%s", src->root, path);
}

/* Value of the first "key<spaces>: value" line of a /proc file. */
static int proc_field(const struct lg_fp_sources *src, const char *file, const char *key,
                      char *out, size_t out_len)
{
    char path[512], line[512];
    size_t klen = strlen(key);
    int found = 0;

    path_of(path, sizeof path, src, file);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, key, klen) != 0)
            continue;
        const char *colon = line + klen + strspn(line + klen, " \t");
        if (*colon != ':')
            continue;
        snprintf(out, out_len, "%s", colon + 1);
        trim(out);
        found = out[0] != '\0';
    }
    fclose(f);
    return found;
}

static int read_line(const struct lg_fp_sources *src, const char *rel, char *out, size_t out_len)
{
    char path[512];
    int ok = 0;

    path_of(path, sizeof path, src, rel);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return 0;
    if (fgets(out, (int)out_len, f) != NULL) {
        trim(out);
        ok = out[0] != '\0';
    }
    fclose(f);
    return ok;
}

/* lscpu's id parsing: "0x" hex only; lscpu ignores an id <= 0. */
static int parse_id(const char *s)
{
    char *end;
    if (strncmp(s, "0x", 2) != 0)
        return -1;
    errno = 0;
    long v = strtol(s, &end, 16);
    return errno == 0 && end != s + 2 && *end == '\0' && v > 0 && v < 0x100000 ? (int)v : -1;
}

/* lscpu's "Model name": the ARM table name when implementer and part decode,
 * else /proc/cpuinfo "model name" (x86, 32-bit ARM), else missing. */
static void cpu_model(const struct lg_fp_sources *src, char *out, size_t len)
{
    char impl[32], part[32];
    if (proc_field(src, "/proc/cpuinfo", "CPU implementer", impl, sizeof impl) &&
        proc_field(src, "/proc/cpuinfo", "CPU part", part, sizeof part)) {
        int i = parse_id(impl), p = parse_id(part);
        const char *name = i > 0 && p > 0 ? lg_arm_part_name(i, p) : NULL;
        if (name != NULL) {
            snprintf(out, len, "%s", name);
            return;
        }
    }
    if (proc_field(src, "/proc/cpuinfo", "model name", out, len))
        return;
    snprintf(out, len, LG_FP_MISSING);
}

/* Runs lspci (argv array, fixed environment, no shell) and reads its output
 * into buf, bounded in size and time.  Returns 1 if it ran and exited 0. */
static int run_lspci(const char *exe, char *buf, size_t cap)
{
    char *const argv[] = {(char *)"lspci", NULL};
    char *const envp[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *)"LC_ALL=C", NULL};
    int fds[2];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    size_t used = 0;
    int ok = 0, status = 0;

    if (access(exe, X_OK) != 0 || pipe2(fds, O_CLOEXEC) != 0)
        return 0;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    int rc = posix_spawn(&pid, exe, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return 0;
    }

    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = LSPCI_TIMEOUT_MS - ((now.tv_sec - start.tv_sec) * 1000 +
                                        (now.tv_nsec - start.tv_nsec) / 1000000);
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int ready = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            kill(pid, SIGKILL);
            break;
        }
        char tmp[4096];
        ssize_t n = read(fds[0], tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = 1;
            break;
        }
        size_t take = (size_t)n < cap - 1 - used ? (size_t)n : cap - 1 - used;
        memcpy(buf + used, tmp, take);
        used += take;
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    buf[used] = '\0';
    return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The rest of lspci's first VGA line, e.g.
 * "NVIDIA Corporation GA106 [GeForce RTX 3060] (rev a1)". */
static void gpu_name(const struct lg_fp_sources *src, char *out, size_t len)
{
    char *buf = malloc(LSPCI_OUTPUT_MAX);
    int found = 0;

    for (size_t i = 0; buf != NULL && !found && src->lspci != NULL && src->lspci[i] != NULL; i++) {
        if (!run_lspci(src->lspci[i], buf, LSPCI_OUTPUT_MAX))
            continue;
        for (char *line = buf; line != NULL && !found;) {
            char *next = strchr(line, '\n');
            if (next != NULL)
                *next++ = '\0';
            char *m = strstr(line, LG_FP_GPU_MARKER);
            if (m != NULL) {
                snprintf(out, len, "%s", m + strlen(LG_FP_GPU_MARKER));
                trim(out);
                found = out[0] != '\0';
            }
            line = next;
        }
        break; /* lspci ran: no VGA line means no VGA device */
    }
    free(buf);
    if (!found)
        snprintf(out, len, LG_FP_MISSING);
}

static void memory_kib(const struct lg_fp_sources *src, char *out, size_t len)
{
    char v[64];
    if (proc_field(src, "/proc/meminfo", "MemTotal", v, sizeof v)) {
        snprintf(out, len, "%lu", strtoul(v, NULL, 10));
        return;
    }
    snprintf(out, len, LG_FP_MISSING);
}

static int disk_first(const struct dirent *d)
{
    return strncmp(d->d_name, "loop", 4) != 0 && strncmp(d->d_name, "ram", 3) != 0 &&
           strncmp(d->d_name, "zram", 4) != 0 && strncmp(d->d_name, "dm-", 3) != 0 &&
           strncmp(d->d_name, "md", 2) != 0 && strncmp(d->d_name, "sr", 2) != 0 &&
           strstr(d->d_name, "boot") == NULL && strstr(d->d_name, "rpmb") == NULL &&
           d->d_name[0] != '.';
}

/* Serial of the first real block device, by name order (mmcblk0, nvme0n1,
 * sda): device/serial (NVMe, eMMC, USB), then device/cid (SD), then serial. */
static void drive_serial(const struct lg_fp_sources *src, char *out, size_t len)
{
    struct dirent **list;
    char dir[512];
    int found = 0;

    path_of(dir, sizeof dir, src, "/sys/block");
    int n = scandir(dir, &list, disk_first, alphasort);
    for (int i = 0; i < n; i++) {
        char rel[512];
        static const char *const files[] = {"device/serial", "device/cid", "serial"};
        for (size_t j = 0; !found && j < sizeof files / sizeof files[0]; j++) {
            snprintf(rel, sizeof rel, "/sys/block/%s/%s", list[i]->d_name, files[j]);
            found = read_line(src, rel, out, len);
        }
        free(list[i]);
    }
    if (n >= 0)
        free(list);
    if (!found)
        snprintf(out, len, LG_FP_MISSING);
}

int lg_fingerprint_collect_from(const struct lg_fp_sources *src, char *out, size_t out_len)
{
    char cpu[256], gpu[256], mem[64], serial[256];

    cpu_model(src, cpu, sizeof cpu);
    gpu_name(src, gpu, sizeof gpu);
    memory_kib(src, mem, sizeof mem);
    drive_serial(src, serial, sizeof serial);
    int n = snprintf(out, out_len, "CPU: %s. GPU: %s. Memory: %s. DriveSerial: %s",
                     cpu, gpu, mem, serial);
    return n >= 0 && (size_t)n < out_len ? SECPROV_OK : SECPROV_ERR_TOO_LARGE;
}

int lg_fingerprint_collect(char *out, size_t out_len)
{
    static const char *const lspci[] = {"/usr/bin/lspci", "/usr/sbin/lspci", "/sbin/lspci",
                                        "/bin/lspci", NULL};
    const struct lg_fp_sources here = {.root = "", .lspci = lspci};
    return lg_fingerprint_collect_from(&here, out, out_len);
}
