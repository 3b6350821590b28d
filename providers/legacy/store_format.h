/*
 * A sealed secret of the legacy provider, one file "<name>.sec":
 *
 *   offset  size  field
 *        0     4  magic "SPLS"
 *        4     1  version (1)
 *        5     3  zero
 *        8    16  salt      (random per file: HKDF salt)
 *       24    12  nonce     (random per file: GCM IV)
 *       36    16  tag       (GCM)
 *       52     n  ciphertext (n >= 1)
 *
 * key = HKDF-SHA256(ikm = device fingerprint, salt, info = "secprov legacy store v1")
 * AAD = bytes 0..35 || secret name, so a file moved to another name fails.
 */
#ifndef SECPROV_STORE_FORMAT_H
#define SECPROV_STORE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define LG_STORE_SUFFIX ".sec"
#define LG_STORE_HEADER 52

/* Encrypt data into a new malloc'd file image. */
int lg_store_pack(const char *fingerprint, const char *name, const void *data, size_t len,
                  uint8_t **out, size_t *out_len);

/* Check and decrypt a file image into out (len - LG_STORE_HEADER bytes,
 * allocated with alloc). SECPROV_ERR_INTEGRITY for anything malformed. */
int lg_store_unpack(const char *fingerprint, const char *name, const uint8_t *file, size_t len,
                    void *(*alloc)(size_t), void (*release)(void *, size_t),
                    void **out, size_t *out_len);

#endif
