/* Collecting the device fingerprint: see fingerprint.h. */
#include "fingerprint.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprov.h"

#define UNKNOWN "unknown"

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    memmove(s, s + i, strlen(s + i) + 1);
}

/* Value of the first "key<spaces>: value" line of a /proc file. */
static int proc_field(const char *file, const char *key, char *out, size_t out_len)
{
    FILE *f = fopen(file, "re");
    char line[512];
    size_t klen = strlen(key);
    int found = 0;

    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, key, klen) != 0)
            continue;
        char *colon = strchr(line + klen, ':');
        if (colon == NULL)
            continue;
        snprintf(out, out_len, "%s", colon + 1);
        trim(out);
        found = out[0] != '\0';
    }
    fclose(f);
    return found;
}

static int read_line(const char *path, char *out, size_t out_len)
{
    FILE *f = fopen(path, "re");
    int ok = 0;

    if (f == NULL)
        return 0;
    if (fgets(out, (int)out_len, f) != NULL) {
        trim(out);
        ok = out[0] != '\0';
    }
    fclose(f);
    return ok;
}

static void cpu_model(char *out, size_t len)
{
    if (proc_field("/proc/cpuinfo", "model name", out, len) ||
        proc_field("/proc/cpuinfo", "Hardware", out, len) ||
        read_line("/proc/device-tree/model", out, len))
        return;
    snprintf(out, len, UNKNOWN);
}

/* The GPU: a DRM card's driver-reported name, else the device-tree model
 * of a Jetson's GPU, else unknown. */
static void gpu_name(char *out, size_t len)
{
    if (read_line("/sys/class/drm/card0/device/label", out, len) ||
        read_line("/sys/class/drm/card1/device/label", out, len) ||
        read_line("/proc/device-tree/gpu/compatible", out, len))
        return;
    snprintf(out, len, UNKNOWN);
}

static void memory_kib(char *out, size_t len)
{
    char v[64];
    if (proc_field("/proc/meminfo", "MemTotal", v, sizeof v)) {
        snprintf(out, len, "%lu", strtoul(v, NULL, 10));
        return;
    }
    snprintf(out, len, UNKNOWN);
}

static int disk_first(const struct dirent *d)
{
    return strncmp(d->d_name, "loop", 4) != 0 && strncmp(d->d_name, "ram", 3) != 0 &&
           strncmp(d->d_name, "zram", 4) != 0 && strncmp(d->d_name, "dm-", 3) != 0 &&
           d->d_name[0] != '.';
}

/* Serial of the first real block device, by name order (sda, mmcblk0, nvme0n1). */
static void drive_serial(char *out, size_t len)
{
    struct dirent **list;
    int n = scandir("/sys/block", &list, disk_first, alphasort);
    int found = 0;

    for (int i = 0; i < n; i++) {
        char path[512];
        static const char *const files[] = {"device/serial", "device/cid", "serial"};
        for (size_t j = 0; !found && j < sizeof files / sizeof files[0]; j++) {
            snprintf(path, sizeof path, "/sys/block/%s/%s", list[i]->d_name, files[j]);
            found = read_line(path, out, len);
        }
        free(list[i]);
    }
    if (n >= 0)
        free(list);
    if (!found)
        snprintf(out, len, UNKNOWN);
}

int lg_fingerprint_collect(char *out, size_t out_len)
{
    char cpu[256], gpu[256], mem[64], serial[256];

    cpu_model(cpu, sizeof cpu);
    gpu_name(gpu, sizeof gpu);
    memory_kib(mem, sizeof mem);
    drive_serial(serial, sizeof serial);
    int n = snprintf(out, out_len, "CPU: %s. GPU: %s. Memory: %s. DriveSerial: %s",
                     cpu, gpu, mem, serial);
    return n >= 0 && (size_t)n < out_len ? SECPROV_OK : SECPROV_ERR_TOO_LARGE;
}
