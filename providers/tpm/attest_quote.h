/*
 * A quote of the selected PCRs and the PCR values that match it: TPM2_Quote
 * with the AK, then TPM2_PCR_Read; the values read must hash to the quote's
 * PCR digest, else a PCR changed in between and both are done again (at
 * most QUOTE_TRIES times). One quote and one PCR read per call when nothing
 * is being extended.
 */
#ifndef SECPROV_ATTEST_QUOTE_H
#define SECPROV_ATTEST_QUOTE_H

#include <tss2/tss2_esys.h>

#include "attest_common.h"
#include "esys_seal.h"
#include "tss_wait.h"

#define QUOTE_TRIES 4

/* Parse "BANK:N[,N...][+BANK:N...]" (e.g. "sha256:7", "sha256:0,7+sha1:7";
 * banks sha1 sha256 sha384 sha512, PCRs 0..23, at most ATTEST_PCRS_MAX in
 * all): 0, or -1 with why. */
int attest_pcrs_parse(const char *text, TPML_PCR_SELECTION *sel, char *why, size_t why_len);

typedef struct attest_quote_out {
    TPM2B_ATTEST attest;            /* the TPMS_ATTEST, TPM encoding */
    TPMT_SIGNATURE signature;
    TPMS_ATTEST info;               /* attest, parsed */
    TPML_DIGEST values;             /* in selection order */
    int tries;                      /* quotes made */
} attest_quote_out;

/* A SECPROV status: SECPROV_ERR_TPM with *trc on a TPM failure;
 * SECPROV_ERR_CONFIG when the TPM has not every PCR selected (bank not
 * allocated); SECPROV_ERR_BUSY when the PCRs kept changing. */
int attest_quote_pcrs(tpm_esys *e, ESYS_TR ak, const TPML_PCR_SELECTION *sel,
                      const uint8_t qd[ATTEST_QD_LEN], const tpm_deadline *d,
                      attest_quote_out *out, TSS2_RC *trc);
/* The same with qualifying data of qd_len bytes (the per-response block's
 * 16: formats/block.h). */
int attest_quote_pcrs_qd(tpm_esys *e, ESYS_TR ak, const TPML_PCR_SELECTION *sel,
                         const uint8_t *qd, size_t qd_len, const tpm_deadline *d,
                         attest_quote_out *out, TSS2_RC *trc);

#endif
