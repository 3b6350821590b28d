/*
 * The legacy scheme's extension interface (secprov_provider.h, the class's
 * extension slot): the table a provider that implements the legacy scheme
 * returns for SECPROV_LEGACY_SCHEME_IFACE. The core's secprov_legacy_*
 * functions (secprov_legacy.h) forward to it; legacy.so implements it
 * (providers/legacy/legacy_*.c, the scheme in docs/legacy-scheme.md).
 * Part of the provider SDK: the table grows only by appending; a change of
 * a slot's type changes the interface's name (docs/provider-sdk.md).
 */
#ifndef SECPROV_LEGACY_SCHEME_H
#define SECPROV_LEGACY_SCHEME_H

#include <stddef.h>
#include <stdint.h>

/* -2: encrypt and decrypt take the caller's allocator (-1 returned malloc'd
 * output that the core then copied into secret memory). */
#define SECPROV_LEGACY_SCHEME_IFACE "legacy-scheme-2"

/* The memory encrypt and decrypt return their output in: the core passes
 * sp_secret_alloc/sp_secret_free (locked, kept out of core dumps, zeroed
 * when released), so a plaintext is never in plain heap memory.
 * release(p, n) is given either the n asked of alloc or the length the op
 * reported in *out_len (which may be less: decrypt asks for the input's
 * length), so it must not rely on n (sp_secret_free does not). */
typedef void *(*secprov_legacy_alloc_fn)(size_t len);
typedef void (*secprov_legacy_release_fn)(void *p, size_t len);

typedef struct secprov_legacy_scheme_ops {
    uint32_t size;                      /* sizeof(secprov_legacy_scheme_ops); grows by appending */
    /* base64(SHA-384(data)) into out[64 + 1] */
    int (*calc_hash)(const void *data, size_t len, char *out);
    /* the collected device fingerprint */
    int (*fingerprint)(char *out, size_t out_len);
    int (*hw_hash)(const char *hardware, char *out);
    int (*api_key)(const char *email, const char *password, const char *hw_hash, char *out);
    int (*resource_key)(char *out);
    /* iv: 16 bytes, or NULL for a fresh random IV. *out from alloc (the
     * op writes its output only there; on failure it releases what it
     * took and leaves *out NULL); the caller releases *out with release. */
    int (*encrypt)(const char *key, const uint8_t *iv, const void *in, size_t len,
                   secprov_legacy_alloc_fn alloc, secprov_legacy_release_fn release,
                   void **out, size_t *out_len);
    int (*decrypt)(const char *key, const void *in, size_t len,
                   secprov_legacy_alloc_fn alloc, secprov_legacy_release_fn release,
                   void **out, size_t *out_len);
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
