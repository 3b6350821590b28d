/* The bounded first TPM command: see tpm_probe.h. */
#include "tpm_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "secprov.h"
#include "tcti_fds.h"

/* TPM2_GetRandom(8): tag NO_SESSIONS, size 12, code 0x17B. */
static const uint8_t GET_RANDOM[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 8};

/* The device fds of probes in progress, for a child forked meanwhile by
 * another thread: its copy would hold /dev/tpm0 busy for the parent for as
 * long as the child lives (docs/fork.md). The child handler closes them.
 * Slots hold fd + 1 (0: free) and are reached with atomics only: the
 * handler runs in a child whose other threads are gone and can take no
 * lock. Left to the child still: a fork in the few instructions between
 * open() and probe_slot_take(), or between the slot's release and close()
 * or during a ninth concurrent probe. */
#define PROBE_SLOTS 8
static int probe_slots[PROBE_SLOTS];
static pthread_once_t probe_handler_once = PTHREAD_ONCE_INIT;

static void probe_child_after_fork(void)
{
    for (int i = 0; i < PROBE_SLOTS; i++) {
        int v = __atomic_exchange_n(&probe_slots[i], 0, __ATOMIC_ACQ_REL);
        if (v != 0)
            close(v - 1);             /* the child's copy; the parent's stays open */
    }
}

static void probe_handler_install(void)
{
    (void)pthread_atfork(NULL, NULL, probe_child_after_fork);
}

static int probe_slot_take(int fd)
{
    pthread_once(&probe_handler_once, probe_handler_install);
    for (int i = 0; i < PROBE_SLOTS; i++) {
        int free_slot = 0;
        if (__atomic_compare_exchange_n(&probe_slots[i], &free_slot, fd + 1, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return i;
    }
    return -1;
}

/* Close a probe's fd, its slot freed first (a child forked after this
 * would close an fd number the parent may already reuse). */
static void probe_close(int fd, int slot)
{
    if (slot >= 0)
        __atomic_store_n(&probe_slots[slot], 0, __ATOMIC_RELEASE);
    close(fd);
}

/* "device:PATH": one TPM2_GetRandom written to the device itself, its answer
 * awaited at most timeout_ms. Opening it ourselves also names why it cannot
 * be used (EBUSY: /dev/tpm0 admits one opener at a time; permissions; not a
 * character device), which the TCTI reports only as "IO failure". */
static int device_probe(const char *tcti, int timeout_ms, char *why, size_t why_len)
{
    const char *path = tcti + 7;
    uint8_t resp[4096];
    struct stat st;
    int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC), st_rc = SECPROV_OK, slot;

    if (fd < 0) {
        int err = errno;
        if (err == EBUSY) {
            snprintf(why, why_len, "TPM device %s is in use by another process (EBUSY): it "
                     "admits one user at a time; use the resource manager /dev/tpmrm0", path);
            return SECPROV_ERR_BUSY;
        }
        snprintf(why, why_len, "cannot open TPM device %s: %s", path, strerror(err));
        return err == EACCES || err == EPERM ? SECPROV_ERR_PERMISSION : SECPROV_ERR_UNAVAILABLE;
    }
    slot = probe_slot_take(fd);
    if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) {
        snprintf(why, why_len, "TPM device %s is not a character device", path);
        probe_close(fd, slot);
        return SECPROV_ERR_UNAVAILABLE;
    }
    /* A TPM behind a terminal (a serial line, the tests' pseudo-terminal) may
     * still hold the late answer to a command given up on: drop it. */
    if (isatty(fd))
        (void)tcflush(fd, TCIOFLUSH);
    ssize_t n;
    do
        n = write(fd, GET_RANDOM, sizeof GET_RANDOM);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof GET_RANDOM) {
        snprintf(why, why_len, "cannot send a command to TPM device %s: %s", path,
                 n < 0 ? strerror(errno) : "short write");
        probe_close(fd, slot);
        return SECPROV_ERR_UNAVAILABLE;
    }
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r;
    do
        r = poll(&pfd, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r == 0) {
        snprintf(why, why_len, "TPM at '%s' did not answer within %d ms", tcti, timeout_ms);
        st_rc = SECPROV_ERR_TIMEOUT;
    } else {
        do
            n = read(fd, resp, sizeof resp);
        while (n < 0 && errno == EINTR);
        if (n < 10 || resp[0] != 0x80 || resp[1] != 0x01) {
            snprintf(why, why_len, "TPM at '%s' %s", tcti,
                     n < 0 ? "failed its first command" : "sent a malformed answer");
            st_rc = SECPROV_ERR_UNAVAILABLE;
        }
    }
    probe_close(fd, slot);
    return st_rc;
}

int tpm_probe(const char *tcti, int timeout_ms, char *why, size_t why_len)
{
    uint8_t resp[64];
    size_t len = sizeof resp;
    TSS2_TCTI_CONTEXT *ctx = NULL;
    TSS2_RC rc;

    if (strncmp(tcti, "device:", 7) == 0 && tcti[7] != '\0')
        return device_probe(tcti, timeout_ms, why, why_len);
    rc = Tss2_TctiLdr_Initialize(tcti, &ctx);
    if (rc != TSS2_RC_SUCCESS) {
        snprintf(why, why_len, "cannot open TCTI '%s': %s", tcti, Tss2_RC_Decode(rc));
        return SECPROV_ERR_UNAVAILABLE;
    }
    tpm_tcti_cloexec(ctx);
    rc = Tss2_Tcti_Transmit(ctx, sizeof GET_RANDOM, GET_RANDOM);
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
