/*
 * The device fingerprint of the legacy scheme:
 *   "CPU: {cpu}. GPU: {gpu}. Memory: {memory}. DriveSerial: {serial}"
 * Collected on Linux from /proc and /sys only (no shell, no external
 * command): a field whose source is missing holds "unknown", so the string
 * stays stable across runs on the same device.
 */
#ifndef SECPROV_FINGERPRINT_H
#define SECPROV_FINGERPRINT_H

#include <stddef.h>

/* Writes the fingerprint into out; SECPROV_ERR_TOO_LARGE if it does not fit. */
int lg_fingerprint_collect(char *out, size_t out_len);

#endif
