/*
 * The TPM commands that carry a secret (TPM2_Create of a sealed object,
 * TPM2_Unseal), sent through an ESAPI context that the tpm provider owns.
 *
 * Why not FAPI: Fapi_CreateSeal and Fapi_Unseal keep copies of the secret in
 * FAPI's and ESAPI's own memory and free it without zeroing (found by
 * tests/robust/test_secret_memory.sh). With its own ESYS context secprov
 * zeroes every copy before tpm2-tss frees it:
 *   - the response parameters in the SAPI buffer (Tss2_Sys_GetRpBuffer),
 *     where ESAPI decrypts the unsealed data in place;
 *   - the unsealed TPM2B that Esys_Unseal allocates;
 *   - ESAPI's copy of Create's input, kept in the context for resubmission:
 *     found by value in the context's allocation and zeroed.
 *
 * The objects are the ones FAPI makes (keystore_object.h writes FAPI's
 * keystore file for them), and the protection on the bus is FAPI's: every
 * command runs in an HMAC session salted by ECDH with the SRK, with
 * AES-128-CFB parameter encryption both ways; one such session per context,
 * not per call (tpm_session.h). Before the first salt the SRK in the TPM is
 * checked against the keystore's (TSS_RC_SRK_MISMATCH).
 *
 * The context owns its TCTI (the provider's only connection to the TPM:
 * /dev/tpm0 admits one opener). Callers serialise use.
 */
#ifndef SECPROV_ESYS_SEAL_H
#define SECPROV_ESYS_SEAL_H

#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_esys.h>

#include "tpm_session.h"
#include "tss_wait.h"

typedef struct tpm_esys {
    ESYS_CONTEXT *esys;
    TSS2_TCTI_CONTEXT *tcti;    /* owned */
    ESYS_TR srk;
    tpm_session session;
} tpm_esys;

/* An ESYS context on tcti (owned from here on, also on failure) with the
 * persistent SRK at srk_handle, whose name must be the name of srk_public
 * (the keystore's SRK): else TSS_RC_SRK_MISMATCH; a missing SRK gives the
 * TPM's handle error. keep_loaded: a resource manager is in front of the
 * TPM (tpm_session.h). */
TSS2_RC tpm_esys_open(tpm_esys *e, TSS2_TCTI_CONTEXT *tcti, TPM2_HANDLE srk_handle,
                      const TPM2B_PUBLIC *srk_public, int keep_loaded, const tpm_deadline *d);

/* Free the context and its TCTI (no copy of a secret is left in it). With d,
 * the TPM is answering: flush the session first; without, only forget it
 * (a resource manager flushes it when the TCTI closes; else it stays until
 * a recovery flush: tpm_flush.h). */
void tpm_esys_close(tpm_esys *e, const tpm_deadline *d);

/* Seal len (1..128) bytes under the SRK with the auth value auth
 * (name_auth.h): noDA, no policy, the template FAPI uses for
 * Fapi_CreateSeal. Every copy of auth made here is zeroed. */
TSS2_RC tpm_esys_seal(tpm_esys *e, const void *data, size_t len, const TPM2B_AUTH *auth,
                      TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, const tpm_deadline *d);

/* Load and unseal an object sealed under the SRK, authorised with auth
 * (NULL: the empty auth value of objects sealed before name binding), into
 * out (room for 128 bytes); the caller zeroes out. An object without noDA
 * is refused (TSS2_ESYS_RC_BAD_VALUE) before anything is sent: each failed
 * use of a DA-protected object would raise the TPM's lockout counter. The
 * caller checks the whole public area first (keystore_sealed_check). */
TSS2_RC tpm_esys_unseal(tpm_esys *e, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
                        const TPM2B_AUTH *auth, uint8_t out[128], size_t *out_len,
                        const tpm_deadline *d);

/* The TPM name of a public area (nameAlg || H(TPMT_PUBLIC)): 0 on success. */
int tpm_public_name(const TPM2B_PUBLIC *pub, TPM2B_NAME *name);

#endif
