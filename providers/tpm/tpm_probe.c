/* The bounded first TPM command: see tpm_probe.h. */
#include "tpm_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "secprov.h"

/* For "device:PATH": open it once ourselves, because the TCTI reports only
 * "IO failure" and the reason matters. /dev/tpm0 admits one opener at a time
 * (EBUSY for the next); /dev/tpmrm0, the kernel resource manager, admits many. */
static int device_check(const char *tcti, char *why, size_t why_len)
{
    if (strncmp(tcti, "device:", 7) != 0 || tcti[7] == '\0')
        return SECPROV_OK;
    const char *path = tcti + 7;
    int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0) {
        /* A TPM behind a terminal (a serial line, the tests' pseudo-terminal)
         * may still hold the late answer to a command given up on: drop it. */
        if (isatty(fd))
            (void)tcflush(fd, TCIOFLUSH);
        close(fd);
        return SECPROV_OK;
    }
    if (errno == EBUSY) {
        snprintf(why, why_len, "TPM device %s is in use by another process (EBUSY): it admits one "
                 "user at a time; use the resource manager /dev/tpmrm0", path);
        return SECPROV_ERR_BUSY;
    }
    snprintf(why, why_len, "cannot open TPM device %s: %s", path, strerror(errno));
    return errno == EACCES || errno == EPERM ? SECPROV_ERR_PERMISSION : SECPROV_ERR_UNAVAILABLE;
}

int tpm_probe(const char *tcti, int timeout_ms, char *why, size_t why_len)
{
    /* TPM2_GetRandom(8): tag NO_SESSIONS, size 12, code 0x17B. */
    static const uint8_t cmd[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 8};
    uint8_t resp[64];
    size_t len = sizeof resp;
    TSS2_TCTI_CONTEXT *ctx = NULL;
    TSS2_RC rc;
    int st = device_check(tcti, why, why_len);

    if (st != SECPROV_OK || strncmp(tcti, "device:", 7) == 0)
        return st;          /* a device: its TCTI's own first command is the probe */
    rc = Tss2_TctiLdr_Initialize(tcti, &ctx);
    if (rc != TSS2_RC_SUCCESS) {
        snprintf(why, why_len, "cannot open TCTI '%s': %s", tcti, Tss2_RC_Decode(rc));
        return SECPROV_ERR_UNAVAILABLE;
    }
    rc = Tss2_Tcti_Transmit(ctx, sizeof cmd, cmd);
    if (rc == TSS2_RC_SUCCESS)
        rc = Tss2_Tcti_Receive(ctx, &len, resp, timeout_ms);
    Tss2_TctiLdr_Finalize(&ctx);
    if (rc == TSS2_TCTI_RC_TRY_AGAIN) {
        snprintf(why, why_len, "TPM at '%s' did not answer within %d ms", tcti, timeout_ms);
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
