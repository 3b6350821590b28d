/*
 * The legacy scheme's extension interface (secprov_provider.h, the class's
 * extension slot): the table a provider that implements the legacy scheme
 * returns for SECPROV_LEGACY_SCHEME_IFACE. The core's secprov_legacy_*
 * functions (secprov_legacy.h) forward to it; legacy.so implements it
 * (providers/legacy/legacy_scheme.c, the scheme in docs/legacy-scheme.md).
 * Part of the provider SDK: the table grows only by appending.
 */
#ifndef SECPROV_LEGACY_SCHEME_H
#define SECPROV_LEGACY_SCHEME_H

#include <stddef.h>
#include <stdint.h>

#define SECPROV_LEGACY_SCHEME_IFACE "legacy-scheme-1"

typedef struct secprov_legacy_scheme_ops {
    uint32_t size;                      /* sizeof(secprov_legacy_scheme_ops); grows by appending */
    /* base64(SHA-384(data)) into out[64 + 1] */
    int (*calc_hash)(const void *data, size_t len, char *out);
    /* the collected device fingerprint */
    int (*fingerprint)(char *out, size_t out_len);
    int (*hw_hash)(const char *hardware, char *out);
    int (*api_key)(const char *email, const char *password, const char *hw_hash, char *out);
    int (*resource_key)(char *out);
    /* iv: 16 bytes, or NULL for a fresh random IV. *out malloc'd. */
    int (*encrypt)(const char *key, const uint8_t *iv, const void *in, size_t len,
                   void **out, size_t *out_len);
    int (*decrypt)(const char *key, const void *in, size_t len, void **out, size_t *out_len);
    /* Streams with bounded memory; output written as it goes (the caller
     * discards it on error). prefix: bytes that come before in_fd (join). */
    int (*encrypt_fd)(const char *key, const uint8_t *iv, int in_fd, int out_fd);
    int (*decrypt_fd)(const char *key, const void *prefix, size_t prefix_len, int in_fd,
                      int out_fd);
    /* encrypt in_fd (size bytes) with the resource key and split into small/big */
    int (*split_fd)(const uint8_t *iv, int in_fd, uint64_t size, int small_fd, int big_fd);
    /* the length of small for a blob of blob_len bytes */
    uint64_t (*small_len)(uint64_t blob_len);
    /* container archive: key = SHA-256(fragment) (raw bytes), IV || ct */
    int (*archive_decrypt_fd)(const void *fragment, size_t len, int in_fd, int out_fd);
} secprov_legacy_scheme_ops;

#endif
