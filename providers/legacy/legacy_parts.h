/*
 * The parts of the legacy scheme that its files share (legacy_keys.c,
 * legacy_cbc.c, legacy_stream.c); legacy_scheme.c puts them in the table.
 * Internal to legacy.so.
 */
#ifndef SECPROV_LG_PARTS_H
#define SECPROV_LG_PARTS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "legacy_scheme.h"

/* ---- keys (legacy_keys.c) ---- */
int lg_calc_hash(const void *data, size_t len, char *out);
int lg_hw_hash(const char *hardware, char *out);
int lg_api_key(const char *email, const char *password, const char *hwh, char *out);
int lg_resource_key(char *out);
int lg_fingerprint(char *out, size_t out_len);
/* AES key = SHA-256 of the key string (or of raw fragment bytes). */
int lg_aes_key_of(const void *key, size_t len, unsigned char aes[32]);
/* A key string is non-empty. */
int lg_key_string_ok(const char *key);

/* ---- buffers (legacy_cbc.c) ---- */
/* AES-256-CBC context for aes/iv, enc 1 or 0 (PKCS#7 padding), or NULL. */
EVP_CIPHER_CTX *lg_cbc_start(const unsigned char aes[32], const unsigned char iv[16], int enc);
int lg_encrypt(const char *key, const uint8_t *iv, const void *in, size_t len,
               secprov_legacy_alloc_fn alloc, secprov_legacy_release_fn release,
               void **out, size_t *out_len);
int lg_decrypt(const char *key, const void *in, size_t len,
               secprov_legacy_alloc_fn alloc, secprov_legacy_release_fn release,
               void **out, size_t *out_len);

/* ---- streams (legacy_stream.c) ---- */
int lg_encrypt_fd(const char *key, const uint8_t *iv, int in_fd, int out_fd);
int lg_decrypt_fd(const char *key, const void *prefix, size_t prefix_len, int in_fd, int out_fd);
int lg_split_fd(const uint8_t *iv, int in_fd, uint64_t size, int small_fd, int big_fd);
uint64_t lg_small_len(uint64_t blob_len);
int lg_archive_decrypt_fd(const void *fragment, size_t len, int in_fd, int out_fd);

#endif
