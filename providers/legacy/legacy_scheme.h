/*
 * The legacy scheme, byte for byte (docs/legacy-scheme.md): the table
 * legacy.so returns from its extension slot for LG_SCHEME_IFACE. The core's
 * secprov_legacy_* functions (core/legacy_api.c) forward to it.
 *
 * Keys are 64-character base64 strings (calc_hash); a key string K becomes
 * an AES-256 key as SHA-256(K). Cipher: AES-256-CBC, PKCS#7, output IV||ct.
 */
#ifndef SECPROV_LEGACY_SCHEME_H
#define SECPROV_LEGACY_SCHEME_H

#include <stddef.h>
#include <stdint.h>

#define LG_SCHEME_IFACE "legacy-scheme-1"
#define LG_KEY_LEN 64                   /* base64 of 48 bytes, no '=' */
#define LG_IV_LEN 16

/* The scheme's constants, each in one place. Marked (assumed) where the
 * scheme's documents leave the detail open. */
#define LG_HW_PREFIX "Azaion_"
#define LG_HW_SUFFIX "_%$$$)0_"
#define LG_API_KEY_SUFFIX "-#%@AzaionKey@%#---"
#define LG_RESOURCE_SECRET "-#%@AzaionKey@%#---234sdfklgvhjbnn"
#define LG_SMALL_MAX 3072               /* 3 KiB */
#define LG_SMALL_RATIO_NUM 3            /* small = floor(0.3 * len) (assumed) */
#define LG_SMALL_RATIO_DEN 10

typedef struct lg_scheme_ops {
    uint32_t size;                      /* sizeof(lg_scheme_ops); grows by appending */
    /* base64(SHA-384(data)) into out[LG_KEY_LEN + 1] */
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
} lg_scheme_ops;

const lg_scheme_ops *lg_scheme(void);

#endif
