/*
 * The keystore JSON that secprov reads: FAPI's object.json of a sealed
 * object (user store), of the SRK or of the EK (system store), parsed with json-c
 * strictly, member by member, before anything in it reaches tpm2-tss or the
 * TPM. Any malformed, missing, out-of-range or unexpected value is refused
 * with SECPROV_ERR_INTEGRITY and a reason that names the member. Pure: no
 * file, no TPM (fuzz/fuzz_keystore_json.c). The format and every check are
 * documented in docs/tpm-objects.md.
 */
#ifndef SECPROV_KEYSTORE_JSON_H
#define SECPROV_KEYSTORE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_tpm2_types.h>

#define KEYSTORE_JSON_MAX (64 * 1024)      /* larger files are refused */

/* The members of TPMA_OBJECT in FAPI's JSON, each 0 or 1, in FAPI's order:
 * read by keystore_public.c, written by keystore_object.c. */
typedef struct keystore_attr {
    const char *name;
    TPMA_OBJECT bit;
} keystore_attr;
extern const keystore_attr keystore_attrs[];
extern const size_t keystore_attr_count;

/* A sealed object (user store), the SRK or the EK (system store). */
typedef enum { KEYSTORE_SEALED, KEYSTORE_SRK, KEYSTORE_EK } keystore_kind;

typedef struct keystore_entry {
    TPM2B_PUBLIC pub;
    TPM2B_PRIVATE priv;             /* KEYSTORE_SEALED only */
    TPM2B_NAME name;                /* the "name" member, as stored */
    uint32_t persistent_handle;
    int with_auth;                  /* "with_auth": "YES" */
    char certificate[8192];         /* KEYSTORE_EK: its "certificate" (PEM), "" = none */
} keystore_entry;

/* Parse text (len bytes, no NUL needed) as an entry of kind: SECPROV_OK or
 * SECPROV_ERR_INTEGRITY with why saying what is wrong. For KEYSTORE_SEALED
 * the public area also passes keystore_sealed_check(). */
int keystore_json_parse(const char *text, size_t len, keystore_kind kind, keystore_entry *out,
                        char *why, size_t why_len);

/* The public area of an object secprov may hand to the TPM: a keyed-hash
 * sealed data object (no sign/decrypt/restricted), nameAlg SHA-256, no
 * scheme, fixedTPM, fixedParent, userWithAuth, noDA, no adminWithPolicy,
 * empty authPolicy. 0, or -1 with why naming the first failed rule. */
int keystore_sealed_check(const TPMT_PUBLIC *a, char *why, size_t why_len);

#endif
