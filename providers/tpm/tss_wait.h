/*
 * Bounded tpm2-tss calls. tpm2-tss's synchronous FAPI and ESAPI functions
 * wait for the TPM without a limit, so a TPM that stops answering would hang
 * the caller for ever. The tpm provider calls the _Async/_Finish pairs
 * instead: FAPI's initialisation waits on FAPI's poll handles
 * (fapi_setup.c), ESYS_RUN gives each _Finish the time left as its TCTI
 * timeout. Past the deadline the call fails with TSS_RC_DEADLINE and the
 * caller drops its contexts.
 *
 * Limits: Fapi_Initialize sends TPM2_Startup synchronously inside tpm2-tss,
 * so a fresh context is only made after tpm_probe() got an answer in time;
 * and provisioning (once per keystore, at open) is synchronous: see
 * provision() in tpm_provider.c.
 */
#ifndef SECPROV_TSS_WAIT_H
#define SECPROV_TSS_WAIT_H

#include <time.h>
#include <tss2/tss2_esys.h>

/* How long one public call may wait for the TPM in all, when the core's env
 * has no tpm.call_timeout_ms (core/config.h has the same default: the
 * issue's bound is 5 s; the rest is margin for the work around the TPM
 * commands). */
#define TPM_CALL_TIMEOUT_MS 4000

/* secprov's own codes, in a layer (0xff) tpm2-tss does not use. */
#define TSS_RC_DEADLINE ((TSS2_RC)(0xffu << TSS2_RC_LAYER_SHIFT | 1u))     /* deadline passed */
#define TSS_RC_SRK_MISMATCH ((TSS2_RC)(0xffu << TSS2_RC_LAYER_SHIFT | 2u)) /* see esys_seal.h */
#define TSS_RC_SALT_KEY ((TSS2_RC)(0xffu << TSS2_RC_LAYER_SHIFT | 3u))   /* see tpm_session.h */

typedef struct timespec tpm_deadline;

void tpm_deadline_set(tpm_deadline *d, int ms_from_now);
/* Milliseconds left before d, 0 when past. */
int tpm_deadline_left_ms(const tpm_deadline *d);

#define TSS_RC_IS_TRY_AGAIN(rc) \
    (((rc) & ~TSS2_RC_LAYER_MASK) == TSS2_BASE_RC_TRY_AGAIN)

/* rc = ASYNC_CALL, then FINISH_CALL, each time with the time left as the
 * TCTI timeout, until it is done or the deadline passes. */
#define ESYS_RUN(rc, esys, deadline, async_call, finish_call)                     \
    do {                                                                           \
        (rc) = (async_call);                                                       \
        while ((rc) == TSS2_RC_SUCCESS) {                                          \
            int left_ = tpm_deadline_left_ms(deadline);                            \
            if (left_ == 0) {                                                      \
                (rc) = TSS_RC_DEADLINE;                                            \
                break;                                                             \
            }                                                                      \
            (void)Esys_SetTimeout((esys), left_);                                  \
            (rc) = (finish_call);                                                  \
            if (!TSS_RC_IS_TRY_AGAIN(rc))                                          \
                break;                                                             \
            (rc) = TSS2_RC_SUCCESS;                                                \
        }                                                                          \
    } while (0)

#endif
