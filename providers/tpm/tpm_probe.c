/* The bounded first TPM command: see tpm_probe.h. */
#include "tpm_probe.h"

#include <stdint.h>
#include <stdio.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "secprov.h"

int tpm_probe(const char *tcti, char *why, size_t why_len)
{
    /* TPM2_GetRandom(8): tag NO_SESSIONS, size 12, code 0x17B. */
    static const uint8_t cmd[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 8};
    uint8_t resp[64];
    size_t len = sizeof resp;
    TSS2_TCTI_CONTEXT *ctx = NULL;
    TSS2_RC rc;

    rc = Tss2_TctiLdr_Initialize(tcti, &ctx);
    if (rc != TSS2_RC_SUCCESS) {
        snprintf(why, why_len, "cannot open TCTI '%s': %s", tcti, Tss2_RC_Decode(rc));
        return SECPROV_ERR_UNAVAILABLE;
    }
    rc = Tss2_Tcti_Transmit(ctx, sizeof cmd, cmd);
    if (rc == TSS2_RC_SUCCESS)
        rc = Tss2_Tcti_Receive(ctx, &len, resp, PROBE_TIMEOUT_MS);
    Tss2_TctiLdr_Finalize(&ctx);
    if (rc == TSS2_TCTI_RC_TRY_AGAIN) {
        snprintf(why, why_len, "TPM at '%s' did not answer within %d ms", tcti, PROBE_TIMEOUT_MS);
        return SECPROV_ERR_TIMEOUT;
    }
    if (rc != TSS2_RC_SUCCESS) {
        snprintf(why, why_len, "first TPM command on '%s' failed: %s", tcti, Tss2_RC_Decode(rc));
        return SECPROV_ERR_UNAVAILABLE;
    }
    if (len < 10) {
        snprintf(why, why_len, "TPM at '%s' sent a malformed answer", tcti);
        return SECPROV_ERR_UNAVAILABLE;
    }
    return SECPROV_OK;
}
