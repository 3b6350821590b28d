/*
 * How the tpm provider stores a secret NAME: a FAPI sealed object at
 *   /HS/SRK/sp-NAME-GEN         (GEN: 16 hex digits, new for every seal)
 * and a reference file "<state_dir>/secrets/NAME.ref" that names GEN:
 *
 *   offset size field
 *        0    4 magic "SPTR"
 *        4    1 version (1)
 *        5    1 kind: 1 direct (the sealed object holds the secret, <= 128 B)
 *                     2 envelope (it holds a 256-bit data key; the file
 *                       holds AES-256-GCM of the secret under that key)
 *        6    2 zero
 *        8    8 GEN (big-endian)
 *   envelope only:
 *       16   12 nonce
 *       28   16 tag
 *       44    n ciphertext (n >= 1), AAD = bytes 0..15 || NAME
 *
 * Sealing writes a new object, then renames the new reference file into
 * place (the commit point), then deletes the old object. A crash leaves the
 * old or the new secret; an object no reference names is swept later.
 */
#ifndef SECPROV_SECRET_REF_H
#define SECPROV_SECRET_REF_H

#include <stddef.h>
#include <stdint.h>

#define REF_SUFFIX ".ref"
#define REF_DIRECT 1
#define REF_ENVELOPE 2
#define REF_HEADER 16
#define REF_ENV_HEADER 44
#define DIRECT_MAX 128          /* what a TPM sealed object holds */
#define OBJECT_PREFIX "/HS/SRK/sp-"

typedef struct secret_ref {
    int kind;
    uint64_t gen;
    const uint8_t *nonce;       /* envelope: point into the file image */
    const uint8_t *tag;
    const uint8_t *ct;
    size_t ct_len;
} secret_ref;

/* Parse a reference file image strictly: SECPROV_ERR_INTEGRITY if malformed. */
int ref_parse(const uint8_t *file, size_t len, secret_ref *ref);

/* Build the 16-byte header. */
void ref_header(uint8_t out[REF_HEADER], int kind, uint64_t gen);

/* "/HS/SRK/sp-NAME-GEN" */
int ref_object_path(char *out, size_t len, const char *name, uint64_t gen);

/* From a FAPI path ".../HS/SRK/sp-NAME-GEN", NAME and GEN; 0 when it is one. */
int ref_parse_object_path(const char *path, char *name, size_t name_len, uint64_t *gen);

#endif
