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

static int flush_range(TSS2_SYS_CONTEXT *sys, TPM2_HANDLE first)
{
    TPMS_CAPABILITY_DATA cap;
    TPMI_YES_NO more = 0;
    int n = 0;

    if (Tss2_Sys_GetCapability(sys, NULL, TPM2_CAP_HANDLES, first, TPM2_MAX_CAP_HANDLES, &more,
                               &cap, NULL) != TSS2_RC_SUCCESS)
        return -1;
    for (UINT32 i = 0; i < cap.data.handles.count; i++)
        if (Tss2_Sys_FlushContext(sys, cap.data.handles.handle[i]) == TSS2_RC_SUCCESS)
            n++;
    return n;
}

int tpm_flush_stale(FAPI_CONTEXT *fapi)
{
    static const TPM2_HANDLE ranges[] = {
        TPM2_LOADED_SESSION_FIRST,      /* 0x02000000: loaded HMAC/policy sessions */
        TPM2_ACTIVE_SESSION_FIRST,      /* 0x03000000: saved (context-swapped) sessions */
        TPM2_TRANSIENT_FIRST,           /* 0x80000000: transient objects */
    };
    TSS2_TCTI_CONTEXT *tcti = NULL;
    TSS2_ABI_VERSION abi = TSS2_ABI_VERSION_CURRENT;
    size_t size = Tss2_Sys_GetContextSize(0);
    TSS2_SYS_CONTEXT *sys;
    int total = 0;

    if (Fapi_GetTcti(fapi, &tcti) != TSS2_RC_SUCCESS || tcti == NULL)
        return -1;
    sys = calloc(1, size);
    if (sys == NULL)
        return -1;
    if (Tss2_Sys_Initialize(sys, size, tcti, &abi) != TSS2_RC_SUCCESS) {
        free(sys);
        return -1;
    }
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        int n = flush_range(sys, ranges[i]);
        if (n < 0) {
            total = -1;
            break;
        }
        total += n;
    }
    Tss2_Sys_Finalize(sys);
    free(sys);
    return total;
}
