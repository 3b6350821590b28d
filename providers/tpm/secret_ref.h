/*
 * How the tpm provider stores a secret NAME (docs/tpm-store.md): a sealed
 * object in FAPI's keystore at
 *   /HS/SRK/sp-NAME-gGEN        GEN: 16 hex digits, ordered (this version)
 *   /HS/SRK/sp-NAME-GEN         GEN: 16 hex digits, random (earlier versions)
 * and a reference file "<state_dir>/secrets/NAME.ref" that commits one GEN.
 *
 * Version 2 (written by this version):
 *   offset size field
 *        0    4 magic "SPTR"
 *        4    1 version (2)
 *        5    1 kind: 1 direct (the sealed object holds the secret, <= 128 B)
 *                     2 envelope (it holds a 256-bit data key; the file
 *                       holds AES-256-GCM of the secret under that key)
 *        6    2 zero
 *        8    8 GEN (big-endian), ordered: object sp-NAME-gGEN
 *       16   32 check: SHA-256 of "secprov ref v2" 0x00 NAME 0x00, bytes
 *               0..15 and bytes 48..end (the file bound to its name)
 *   envelope only:
 *       48   12 nonce
 *       60   16 tag
 *       76    n ciphertext (n >= 1), AAD = bytes 0..15 || NAME
 * Version 1 (earlier versions, still read): bytes 0..15 as above with
 * version 1 and a random GEN (object sp-NAME-GEN), no check; envelope:
 * nonce at 16, tag at 28, ciphertext at 44, the same AAD.
 *
 * Order of generations: an ordered GEN is newer than a smaller one and than
 * every random one (those were all made before the upgrade); two random
 * ones cannot be ordered.
 */
#ifndef SECPROV_SECRET_REF_H
#define SECPROV_SECRET_REF_H

#include <stddef.h>
#include <stdint.h>

#define REF_SUFFIX ".ref"
#define REF_DIRECT 1
#define REF_ENVELOPE 2
#define REF_HEADER 16           /* the part of the header in the envelope's AAD */
#define REF2_HEADER 48          /* version 2: with the check */
#define REF2_ENV_HEADER 76      /* version 2: where an envelope's ciphertext starts */
#define REF_READ_MAX (16u * 1024 * 1024 + REF2_ENV_HEADER)
#define DIRECT_MAX 128          /* what a TPM sealed object holds */
#define OBJECT_PREFIX "/HS/SRK/sp-"
#define OBJECT_ENTRY_PREFIX "sp-"

typedef struct ref_gen {
    uint64_t value;
    int ordered;                /* 1: this version's; 0: random (earlier versions) */
} ref_gen;

typedef struct secret_ref {
    int version;
    int kind;
    ref_gen gen;
    const uint8_t *nonce;       /* envelope: point into the file image */
    const uint8_t *tag;
    const uint8_t *ct;
    size_t ct_len;
} secret_ref;

/* Parse the reference image of NAME strictly, checking a version 2 file's
 * check value: SECPROV_ERR_INTEGRITY if malformed, altered, or another
 * name's. */
int ref_parse(const uint8_t *file, size_t len, const char *name, secret_ref *ref);

/* A version 2 image of kind for an envelope of ct_len bytes (0 for direct):
 * its length, and where the caller writes nonce, tag and ciphertext. */
size_t ref2_len(int kind, size_t ct_len);
#define REF2_NONCE(img) ((img) + REF2_HEADER)
#define REF2_TAG(img) ((img) + REF2_HEADER + 12)
#define REF2_CT(img) ((img) + REF2_ENV_HEADER)

/* Write the first 16 bytes of a version 2 image (the ordered gen). */
void ref2_header(uint8_t *img, int kind, uint64_t gen);

/* Once the image is complete: compute and store its check. */
int ref2_finish(uint8_t *img, size_t len, const char *name);

/* The envelope's AAD: bytes 0..15 of img, then NAME; its length. */
size_t ref_aad(const uint8_t *img, const char *name, uint8_t *aad, size_t aad_len);

/* "/HS/SRK/sp-NAME-gGEN" or, random, "/HS/SRK/sp-NAME-GEN". */
int ref_object_path(char *out, size_t len, const char *name, ref_gen gen);

/* From a keystore folder entry "sp-NAME-gGEN" or "sp-NAME-GEN": NAME and
 * GEN; 0 when it is one, -1 when not. */
int ref_parse_object_entry(const char *entry, char *name, size_t name_len, ref_gen *gen);

/* 1 when a is provably older than b (b ordered and a random or smaller). */
int ref_gen_older(ref_gen a, ref_gen b);
/* 1 when a and b are the same generation. */
int ref_gen_same(ref_gen a, ref_gen b);

#endif
