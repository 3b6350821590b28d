/*
 * The seal-to blob (docs/seal-to.md): a secret sealed on a server, with no
 * TPM, to one device's TPM (its ECC SRK), for one secret name. Written by
 * libsecprov_verify (verify/seal_to.c), read by tpm.so (tpm_import.c);
 * both compile this file. All integers big-endian.
 *
 *   off  len  field
 *   0    4    magic "SPSB"
 *   4    1    format version (1)
 *   5    1    kind: 1 direct (the secret is the sealed object's data),
 *             2 envelope (the sealed data is a 32-byte AES-256-GCM key)
 *   6    1    n: length of the secret name (1..64)
 *   7    n    the secret name
 *   .    8    the secret's version (--version, default 1)
 *   .    2+s  TPM2B_NAME: the name of the SRK it is wrapped to
 *   .    2+s  TPM2B_PUBLIC: the sealed keyed-hash object (authPolicy =
 *             sealed_blob_policy(name, version))
 *   .    2+s  TPM2B_PRIVATE: its duplicate, outer wrap only (no inner)
 *   .    2+s  TPM2B_ENCRYPTED_SECRET: the seed, ECDH with the SRK
 *   envelope only:
 *   .    12   GCM nonce
 *   .    4    ciphertext length c (129 .. 16 MiB)
 *   .    c    ciphertext
 *   .    16   GCM tag; the AAD is every byte before the nonce
 *   Nothing follows.
 */
#ifndef SECPROV_SEALED_BLOB_H
#define SECPROV_SEALED_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#define SEALED_BLOB_MAGIC "SPSB"
#define SEALED_BLOB_VERSION 1
#define SEALED_BLOB_DIRECT 1
#define SEALED_BLOB_ENVELOPE 2
#define SEALED_BLOB_DIRECT_MAX 128
#define SEALED_BLOB_SECRET_MAX (16u * 1024u * 1024u)
#define SEALED_BLOB_KEY_LEN 32
#define SEALED_BLOB_NONCE_LEN 12
#define SEALED_BLOB_TAG_LEN 16
#define SEALED_BLOB_NAME_MAX 64
/* The domain of the object's authPolicy (no NUL). */
#define SEALED_BLOB_POLICY_LABEL "secprov-seal-to-v1"

typedef struct sealed_blob {
    int kind;
    char name[SEALED_BLOB_NAME_MAX + 1];
    uint64_t version;
    TPM2B_NAME srk_name;
    TPM2B_PUBLIC pub;
    TPM2B_PRIVATE dup;
    TPM2B_ENCRYPTED_SECRET seed;
    /* envelope only: pointers into the parsed buffer */
    size_t aad_len;                 /* bytes before the nonce */
    const uint8_t *nonce, *ct, *tag;
    size_t ct_len;
} sealed_blob;

/* The object's authPolicy: SHA-256("secprov-seal-to-v1" || u8 n || name
 * || u64 version). Not a policy anyone can satisfy: it puts the name and
 * version under the object's TPM name, which the outer HMAC covers and
 * TPM2_Import checks. 0 on success. */
int sealed_blob_policy(const char *name, uint64_t version, TPM2B_DIGEST *out);

/* Parse and check the framing of a blob (never the crypto): 0, or -1 with
 * one line in why naming the field: truncated or trailing bytes, a bad
 * magic or version, a name not 1..64 characters, a public area that is
 * not a sealed keyed-hash object; -2: the object's authPolicy is not
 * sealed_blob_policy(name, version) (the header was altered). */
int sealed_blob_parse(const uint8_t *buf, size_t len, sealed_blob *b, char *why, size_t why_len);

/* Write the header, through the seed, into out (room: cap) for a blob of
 * kind: its length in *len; 0, or -1 when it does not fit. */
int sealed_blob_write_head(const sealed_blob *b, uint8_t *out, size_t cap, size_t *len);

#endif
