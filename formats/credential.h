/*
 * The activation challenge (docs/attestation.md, "Credential activation"):
 * what secprov_verify_make_credential() writes for the device and `secprov
 * attest activate` reads, in tpm2-tools' credential file format (what
 * `tpm2_activatecredential -i` reads, so the manual recipe opens it too):
 *   4 bytes 0xBADCC0DE, 4 bytes version 1 (big-endian),
 *   TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET (TPM encoding), nothing after.
 * Written by libsecprov_verify, read by tpm.so (and the fuzz target): one
 * source for both. Links libtss2-mu only.
 */
#ifndef SECPROV_FORMATS_CREDENTIAL_H
#define SECPROV_FORMATS_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#define CREDENTIAL_MAGIC 0xBADCC0DEu
#define CREDENTIAL_VERSION 1u
#define CREDENTIAL_MAX (8 + sizeof(TPM2B_ID_OBJECT) + sizeof(TPM2B_ENCRYPTED_SECRET))

/* Read a challenge: 0, or -1 with why (one line naming what is wrong). */
int credential_read(const void *buf, size_t len, TPM2B_ID_OBJECT *id,
                    TPM2B_ENCRYPTED_SECRET *secret, char *why, size_t why_len);

/* Write one into out (cap bytes, CREDENTIAL_MAX is enough): 0 and *len, or -1. */
int credential_write(const TPM2B_ID_OBJECT *id, const TPM2B_ENCRYPTED_SECRET *secret,
                     uint8_t *out, size_t cap, size_t *len);

#endif
