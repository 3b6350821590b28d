/*
 * AES-256-GCM and randomness, through OpenSSL. Used by both providers for
 * stored secrets (legacy store, TPM envelope).
 */
#ifndef SECPROV_AEAD_H
#define SECPROV_AEAD_H

#include <stddef.h>
#include <stdint.h>

#define SP_GCM_KEY_LEN 32
#define SP_GCM_IV_LEN 12
#define SP_GCM_TAG_LEN 16

/* Fill buf with cryptographically secure random bytes. */
int sp_random(void *buf, size_t len);

/* ct must hold len bytes (in-place allowed). */
int sp_gcm_encrypt(const uint8_t key[SP_GCM_KEY_LEN], const uint8_t iv[SP_GCM_IV_LEN],
                   const void *aad, size_t aad_len,
                   const void *pt, size_t len, void *ct, uint8_t tag[SP_GCM_TAG_LEN]);

/* SECPROV_ERR_INTEGRITY when the tag does not match; pt is then zeroed. */
int sp_gcm_decrypt(const uint8_t key[SP_GCM_KEY_LEN], const uint8_t iv[SP_GCM_IV_LEN],
                   const void *aad, size_t aad_len,
                   const void *ct, size_t len, const uint8_t tag[SP_GCM_TAG_LEN], void *pt);

/* Zero memory that held a secret (the compiler may not remove it). */
void sp_cleanse(void *p, size_t len);

#endif
