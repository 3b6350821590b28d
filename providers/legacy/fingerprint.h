/*
 * The device fingerprint of the legacy scheme:
 *   "CPU: {cpu}. GPU: {gpu}. Memory: {memory}. DriveSerial: {serial}"
 * Each field reproduces what the old collector printed (legacy-scheme.md):
 *   cpu     lscpu's "Model name": on ARM the name from lscpu's part-number
 *           table (CPU implementer + CPU part of /proc/cpuinfo, e.g.
 *           "Cortex-A78AE" on a Jetson Orin), else /proc/cpuinfo "model name";
 *   gpu     the text after "VGA compatible controller: " on lspci's first VGA
 *           line (lspci run by execve with a fixed argv, never a shell);
 *   memory  total memory in KiB as `free` prints it (/proc/meminfo MemTotal);
 *   serial  the first real block device's serial under /sys/block.
 * A field whose source is missing holds LG_FP_MISSING, so the string stays
 * stable across runs on the same device.  No shell command line is built.
 */
#ifndef SECPROV_FINGERPRINT_H
#define SECPROV_FINGERPRINT_H

#include <stddef.h>

/* assumed: what a field holds when its source is missing (no lspci in a slim
 * container, no VGA line on a Jetson, no serial file, unknown ARM part). */
#define LG_FP_MISSING "unknown"
/* assumed: the lspci line that names the GPU, and the field is the rest of it. */
#define LG_FP_GPU_MARKER "VGA compatible controller: "

/* Where the collector reads from; tests point these at a fake tree. */
struct lg_fp_sources {
    const char *root;             /* prefix for /proc and /sys ("" = this device) */
    const char *const *lspci;     /* NULL-terminated candidate paths of lspci */
};

/* lscpu's ARM table: the model name of (implementer, part), NULL if absent. */
const char *lg_arm_part_name(int implementer, int part);

/* Writes the fingerprint into out; SECPROV_ERR_TOO_LARGE if it does not fit. */
int lg_fingerprint_collect_from(const struct lg_fp_sources *src, char *out, size_t out_len);

/* The same for this device. */
int lg_fingerprint_collect(char *out, size_t out_len);

#endif
