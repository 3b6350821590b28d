/* Flushing what dead processes left loaded: see tpm_flush.h. */
#include "tpm_flush.h"

#include <stdlib.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tctildr.h>

int tpm_rc_slots_exhausted(TSS2_RC rc)
{
    TSS2_RC base = rc & ~TSS2_RC_LAYER_MASK;
    return (rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER &&
           (base == TPM2_RC_SESSION_MEMORY || base == TPM2_RC_OBJECT_MEMORY ||
            base == TPM2_RC_SESSION_HANDLES || base == TPM2_RC_OBJECT_HANDLES ||
            base == TPM2_RC_CONTEXT_GAP);
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

typedef struct housekeeping {
    TSS2_SYS_CONTEXT *sys;
    TSS2_TCTI_CONTEXT *own_tcti;        /* opened for the call, else NULL */
} housekeeping;

/* A SAPI context on tcti, else on a TCTI opened from tcti_conf; NULL if none. */
static TSS2_SYS_CONTEXT *sys_open(housekeeping *h, TSS2_TCTI_CONTEXT *tcti, const char *tcti_conf)
{
    TSS2_ABI_VERSION abi = TSS2_ABI_VERSION_CURRENT;
    size_t size = Tss2_Sys_GetContextSize(0);

    h->sys = NULL;
    h->own_tcti = NULL;
    if (tcti == NULL && (tcti_conf == NULL ||
                         Tss2_TctiLdr_Initialize(tcti_conf, &h->own_tcti) != TSS2_RC_SUCCESS))
        return NULL;
    if ((h->sys = calloc(1, size)) == NULL ||
        Tss2_Sys_Initialize(h->sys, size, tcti != NULL ? tcti : h->own_tcti, &abi) !=
            TSS2_RC_SUCCESS) {
        free(h->sys);
        h->sys = NULL;
        if (h->own_tcti != NULL)
            Tss2_TctiLdr_Finalize(&h->own_tcti);
    }
    return h->sys;
}

static void sys_done(housekeeping *h)
{
    Tss2_Sys_Finalize(h->sys);
    free(h->sys);
    if (h->own_tcti != NULL)
        Tss2_TctiLdr_Finalize(&h->own_tcti);
}

int tpm_persistent_present(TSS2_TCTI_CONTEXT *tcti, const char *tcti_conf, TPM2_HANDLE handle,
                           int timeout_ms)
{
    housekeeping h;
    TSS2_SYS_CONTEXT *sys = sys_open(&h, tcti, tcti_conf);
    TPMS_CAPABILITY_DATA cap;
    TPMI_YES_NO more = 0;
    int present = -1;

    if (sys == NULL)
        return -1;
    if (execute(sys, Tss2_Sys_GetCapability_Prepare(sys, TPM2_CAP_HANDLES, handle, 1),
                timeout_ms) == TSS2_RC_SUCCESS &&
        Tss2_Sys_GetCapability_Complete(sys, &more, &cap) == TSS2_RC_SUCCESS)
        present = cap.data.handles.count > 0 && cap.data.handles.handle[0] == handle;
    sys_done(&h);
    return present;
}

int tpm_flush_stale(TSS2_TCTI_CONTEXT *tcti, const char *tcti_conf, int timeout_ms)
{
    static const TPM2_HANDLE ranges[] = {
        TPM2_LOADED_SESSION_FIRST,      /* 0x02000000: loaded HMAC/policy sessions */
        TPM2_ACTIVE_SESSION_FIRST,      /* 0x03000000: saved (context-swapped) sessions */
        TPM2_TRANSIENT_FIRST,           /* 0x80000000: transient objects */
    };
    housekeeping h;
    TSS2_SYS_CONTEXT *sys = sys_open(&h, tcti, tcti_conf);
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
    sys_done(&h);
    return total;
}
