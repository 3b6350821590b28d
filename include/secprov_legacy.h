/*
 * secprov_legacy.h: the legacy scheme's operations, byte for byte as the
 * loaders without a TPM use them today (SHA-384 key derivation, AES-256-CBC
 * with PKCS#7, resources split into a small and a big part).
 *
 * Keys are 64-character base64 strings; a key string K is used as the
 * AES-256 key SHA-256(K). Ciphertext is IV (16 bytes) || AES-256-CBC.
 * Key strings and passwords are secrets: zero them when done
 * (secprov_free or explicit_bzero); secprov never logs them.
 * Every call returns SECPROV_OK or a negative SECPROV_ERR_*; decrypting
 * input shorter than 32 bytes or not whole blocks is SECPROV_ERR_FORMAT,
 * bad padding (a wrong key or corrupted data) is SECPROV_ERR_PADDING.
 */
#ifndef SECPROV_LEGACY_H
#define SECPROV_LEGACY_H

#include <stddef.h>
#include <stdint.h>

#include "secprov.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SECPROV_LEGACY_KEY_LEN 64       /* out buffers hold KEY_LEN + 1 */
#define SECPROV_LEGACY_IV_LEN 16

typedef struct secprov_legacy secprov_legacy;

/* Loads the legacy provider's scheme (opts: config path, provider folder,
 * logging; may be NULL). The config's legacy.hardware is the fingerprint
 * override. */
SECPROV_API int secprov_legacy_open(secprov_legacy **lg, const secprov_options *opts);
SECPROV_API void secprov_legacy_close(secprov_legacy *lg);

/* base64(SHA-384(UTF-8 bytes of s)) */
SECPROV_API int secprov_legacy_calc_hash(secprov_legacy *lg, const char *s, char *out);
/* This device's fingerprint: legacy.hardware when set, else collected. */
SECPROV_API int secprov_legacy_fingerprint(secprov_legacy *lg, char *out, size_t out_len);
/* The collected fingerprint, ignoring legacy.hardware. */
SECPROV_API int secprov_legacy_collect_fingerprint(secprov_legacy *lg, char *out, size_t out_len);
/* hardware NULL: this device's fingerprint. */
SECPROV_API int secprov_legacy_hw_hash(secprov_legacy *lg, const char *hardware, char *out);
SECPROV_API int secprov_legacy_api_key(secprov_legacy *lg, const char *email, const char *password,
                                       const char *hw_hash, char *out);
SECPROV_API int secprov_legacy_resource_key(secprov_legacy *lg, char *out);

/* Buffers: *out is released with secprov_free(*out, *out_len). */
SECPROV_API int secprov_legacy_encrypt(secprov_legacy *lg, const char *key, const void *in,
                                       size_t len, void **out, size_t *out_len);
/* With a given IV: for test vectors and interoperability checks only. */
SECPROV_API int secprov_legacy_encrypt_with_iv(secprov_legacy *lg, const char *key,
                                               const uint8_t iv[SECPROV_LEGACY_IV_LEN],
                                               const void *in, size_t len,
                                               void **out, size_t *out_len);
SECPROV_API int secprov_legacy_decrypt(secprov_legacy *lg, const char *key, const void *in,
                                       size_t len, void **out, size_t *out_len);

/* Streams (bounded memory, output written as it goes: on an error the
 * caller discards what was written). iv NULL: a fresh random IV. */
SECPROV_API int secprov_legacy_encrypt_fd(secprov_legacy *lg, const char *key, const uint8_t *iv,
                                          int in_fd, int out_fd);
SECPROV_API int secprov_legacy_decrypt_fd(secprov_legacy *lg, const char *key, int in_fd,
                                          int out_fd);
/* Upload side: encrypt in_fd (a regular file) with the resource key, then the
 * first min(3072, floor(0.3 * len)) bytes to small_fd, the rest to big_fd. */
SECPROV_API int secprov_legacy_split_fd(secprov_legacy *lg, const uint8_t *iv, int in_fd,
                                        int small_fd, int big_fd);
/* Download side: decrypt small || big (big streamed) with the resource key. */
SECPROV_API int secprov_legacy_join_fd(secprov_legacy *lg, const void *small, size_t small_len,
                                       int big_fd, int out_fd);
/* Container archive: AES key = SHA-256(fragment bytes); IV || ct, streamed. */
SECPROV_API int secprov_legacy_archive_decrypt_fd(secprov_legacy *lg, const void *fragment,
                                                  size_t fragment_len, int in_fd, int out_fd);

#ifdef __cplusplus
}
#endif
#endif
