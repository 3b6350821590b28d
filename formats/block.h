/*
 * The per-response `tpm_attestation` block (docs/attestation.md, "The
 * per-response block"): what a service hands its client with each answer,
 * in the published shape the clients already read:
 *   {"is_available": true, "pcr_banks": "sha256:0,7,10",
 *    "pcr_values": {"sha256": {"0": hex, "7": hex, "10": hex}},
 *    "aik_pubkey_b64": base64 TPM2B_PUBLIC, "quote_b64": base64 TPM2B_ATTEST,
 *    "signature_b64": base64 TPMT_SIGNATURE}
 * or {"is_available": false} without a TPM. The quote's qualifying data is
 * SHA-256(payload_id)[:16]. Written by tpm.so, read by libsecprov_verify
 * (and the fuzz target): one source for both. Links json-c, OpenSSL,
 * libtss2-mu only.
 */
#ifndef SECPROV_FORMATS_BLOCK_H
#define SECPROV_FORMATS_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#define BLOCK_QD_LEN 16
#define BLOCK_PAYLOAD_ID_MAX 4096
#define BLOCK_PCRS_MAX 8         /* one TPM2_PCR_Read answers at most 8 */
#define BLOCK_TEXT_MAX (256 * 1024)

/* SHA-256(payload_id)[:16]: 0, or -1 (OpenSSL failure). */
int block_qualifying_data(const void *payload_id, size_t len, uint8_t out[BLOCK_QD_LEN]);

/* The selection as pcr_banks text, "sha256:0,7,10" ("+" between banks, as
 * attest.pcrs): 0, or -1 when it does not fit or names an unknown bank. */
int block_banks_text(const TPML_PCR_SELECTION *sel, char *out, size_t out_len);

/* pcr_banks text into a selection (banks sha1 sha256 sha384 sha512, PCRs
 * 0..23 ascending, at most BLOCK_PCRS_MAX): 0, or -1 with why. */
int block_banks_parse(const char *text, TPML_PCR_SELECTION *sel, char *why, size_t why_len);

typedef struct block {
    int available;
    TPML_PCR_SELECTION sel;      /* pcr_banks */
    TPML_DIGEST values;          /* pcr_values in selection order */
    TPM2B_PUBLIC aik;
    TPM2B_ATTEST quote;
    TPMT_SIGNATURE sig;
    /* --ephemeral-aik: the AIK is a fresh key, certified by the persistent
     * AK (TPM2_Certify, same qualifying data): "aik_certify_b64" (base64
     * TPM2B_ATTEST) and "aik_certify_signature_b64" (base64 TPMT_SIGNATURE),
     * both or neither. */
    int certified;
    TPM2B_ATTEST certify;
    TPMT_SIGNATURE certify_sig;
} block;

/* The block as JSON text (malloc'd, NULL on no memory or bad input);
 * b->available 0 gives {"is_available": false}. */
char *block_write(const block *b);

/* Read a block: 0, or -1 with why (which field, what is wrong). Every
 * member known, typed and whole (every base64 byte used by its TPM
 * structure); the pcr_values exactly the PCRs of pcr_banks. An unavailable
 * block sets b->available = 0 and nothing else. */
int block_read(const char *text, block *b, char *why, size_t why_len);

#endif
