/*
 * Bounded FAPI calls. tpm2-tss's synchronous FAPI functions wait for the TPM
 * without a limit, so a TPM that stops answering would hang the caller for
 * ever. The tpm provider calls the _Async/_Finish pairs instead and waits on
 * FAPI's poll handles until a deadline (FAPI_RUN below); past it the call
 * fails with FAPI_RC_DEADLINE and the caller drops the FAPI context.
 *
 * Limit: Fapi_Initialize sends TPM2_Startup synchronously inside tpm2-tss,
 * so a fresh context is only made after tpm_probe() got an answer in time.
 */
#ifndef SECPROV_FAPI_WAIT_H
#define SECPROV_FAPI_WAIT_H

#include <time.h>
#include <tss2/tss2_fapi.h>

/* How long one public call may wait for the TPM in all (the bound is
 * 5 s; the rest is margin for the work around the TPM commands). */
#define TPM_CALL_TIMEOUT_MS 4000
/* First provisioning creates the SRK (key generation): slow on an fTPM. */
#define TPM_PROVISION_TIMEOUT_MS 60000

/* Not a tpm2-tss code (its layer, 0xff, is unused by tpm2-tss): the deadline passed. */
#define FAPI_RC_DEADLINE ((TSS2_RC)(0xffu << TSS2_RC_LAYER_SHIFT | 1u))

typedef struct timespec fapi_deadline;

void fapi_deadline_set(fapi_deadline *d, int ms_from_now);
/* Milliseconds left before d, 0 when past. */
int fapi_deadline_left_ms(const fapi_deadline *d);

/* Wait until FAPI can make progress (its file or TPM handle is ready) or
 * the deadline passes: TSS2_RC_SUCCESS (call _Finish again) or
 * FAPI_RC_DEADLINE. */
TSS2_RC fapi_wait_io(FAPI_CONTEXT *fapi, const fapi_deadline *deadline);

#define FAPI_RC_IS_TRY_AGAIN(rc) \
    (((rc) & ~TSS2_RC_LAYER_MASK) == TSS2_BASE_RC_TRY_AGAIN)

/* rc = ASYNC_CALL, then FINISH_CALL until it is done or the deadline passes. */
#define FAPI_RUN(rc, fapi, deadline, async_call, finish_call)                      \
    do {                                                                           \
        (rc) = (async_call);                                                       \
        if ((rc) == TSS2_RC_SUCCESS) {                                             \
            do                                                                     \
                (rc) = (finish_call);                                              \
            while (FAPI_RC_IS_TRY_AGAIN(rc) &&                                     \
                   ((rc) = fapi_wait_io((fapi), (deadline))) == TSS2_RC_SUCCESS);  \
        }                                                                          \
    } while (0)

#endif
