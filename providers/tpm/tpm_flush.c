/* Flushing what dead processes left loaded: see tpm_flush.h. */
#include "tpm_flush.h"

#include <stdlib.h>
#include <tss2/tss2_sys.h>

int tpm_rc_slots_exhausted(TSS2_RC rc)
{
    TSS2_RC base = rc & ~TSS2_RC_LAYER_MASK;
    return (rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER &&
           (base == TPM2_RC_SESSION_MEMORY || base == TPM2_RC_OBJECT_MEMORY ||
            base == TPM2_RC_SESSION_HANDLES || base == TPM2_RC_OBJECT_HANDLES);
}

/* The prepared command, sent and answered within timeout_ms. */
static TSS2_RC execute(TSS2_SYS_CONTEXT *sys, TSS2_RC prepared, int timeout_ms)
{
    if (prepared != TSS2_RC_SUCCESS)
        return prepared;
    TSS2_RC rc = Tss2_Sys_ExecuteAsync(sys);
    return rc != TSS2_RC_SUCCESS ? rc : Tss2_Sys_ExecuteFinish(sys, timeout_ms);
}

static int flush_range(TSS2_SYS_CONTEXT *sys, TPM2_HANDLE first, int timeout_ms)
{
    TPMS_CAPABILITY_DATA cap;
    TPMI_YES_NO more = 0;
    int n = 0;

    if (execute(sys, Tss2_Sys_GetCapability_Prepare(sys, TPM2_CAP_HANDLES, first,
                                                    TPM2_MAX_CAP_HANDLES), timeout_ms)
            != TSS2_RC_SUCCESS ||
        Tss2_Sys_GetCapability_Complete(sys, &more, &cap) != TSS2_RC_SUCCESS)
        return -1;
    for (UINT32 i = 0; i < cap.data.handles.count; i++) {
        TSS2_RC rc = execute(sys, Tss2_Sys_FlushContext_Prepare(sys, cap.data.handles.handle[i]),
                             timeout_ms);
        if (rc == TSS2_TCTI_RC_TRY_AGAIN)
            return -1;                  /* the TPM stopped answering */
        if (rc == TSS2_RC_SUCCESS && Tss2_Sys_FlushContext_Complete(sys) == TSS2_RC_SUCCESS)
            n++;
    }
    return n;
}

/* A SAPI context on the FAPI context's own TCTI; NULL if none. */
static TSS2_SYS_CONTEXT *sys_on_fapi(FAPI_CONTEXT *fapi)
{
    TSS2_TCTI_CONTEXT *tcti = NULL;
    TSS2_ABI_VERSION abi = TSS2_ABI_VERSION_CURRENT;
    size_t size = Tss2_Sys_GetContextSize(0);
    TSS2_SYS_CONTEXT *sys;

    if (Fapi_GetTcti(fapi, &tcti) != TSS2_RC_SUCCESS || tcti == NULL)
        return NULL;
    if ((sys = calloc(1, size)) == NULL)
        return NULL;
    if (Tss2_Sys_Initialize(sys, size, tcti, &abi) != TSS2_RC_SUCCESS) {
        free(sys);
        return NULL;
    }
    return sys;
}

static void sys_done(TSS2_SYS_CONTEXT *sys)
{
    Tss2_Sys_Finalize(sys);
    free(sys);
}

int tpm_persistent_present(FAPI_CONTEXT *fapi, TPM2_HANDLE handle, int timeout_ms)
{
    TSS2_SYS_CONTEXT *sys = sys_on_fapi(fapi);
    TPMS_CAPABILITY_DATA cap;
    TPMI_YES_NO more = 0;
    int present = -1;

    if (sys == NULL)
        return -1;
    if (execute(sys, Tss2_Sys_GetCapability_Prepare(sys, TPM2_CAP_HANDLES, handle, 1),
                timeout_ms) == TSS2_RC_SUCCESS &&
        Tss2_Sys_GetCapability_Complete(sys, &more, &cap) == TSS2_RC_SUCCESS)
        present = cap.data.handles.count > 0 && cap.data.handles.handle[0] == handle;
    sys_done(sys);
    return present;
}

int tpm_flush_stale(FAPI_CONTEXT *fapi, int timeout_ms)
{
    static const TPM2_HANDLE ranges[] = {
        TPM2_LOADED_SESSION_FIRST,      /* 0x02000000: loaded HMAC/policy sessions */
        TPM2_ACTIVE_SESSION_FIRST,      /* 0x03000000: saved (context-swapped) sessions */
        TPM2_TRANSIENT_FIRST,           /* 0x80000000: transient objects */
    };
    TSS2_SYS_CONTEXT *sys = sys_on_fapi(fapi);
    int total = 0;

    if (sys == NULL)
        return -1;
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        int n = flush_range(sys, ranges[i], timeout_ms);
        if (n < 0) {
            total = -1;
            break;
        }
        total += n;
    }
    sys_done(sys);
    return total;
}
