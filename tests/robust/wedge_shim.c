/*
 * LD_PRELOAD shim for tests/robust/test_secret_memory.sh: the TPM stops
 * answering exactly when a given command is sent. write() of a TPM command
 * whose command code is $WEDGE_SHIM_CC first SIGSTOPs the swtpm process
 * $WEDGE_SHIM_PID, so the command is queued and never answered (a wedged
 * firmware TPM). The swtpm is real; only the moment is chosen by the shim,
 * since no timing from outside can land between two commands of one call.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    const char *cc = getenv("WEDGE_SHIM_CC"), *pid = getenv("WEDGE_SHIM_PID");
    const uint8_t *b = buf;

    if (real == NULL)
        real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (cc != NULL && pid != NULL && n >= 10 &&
        ((uint32_t)b[6] << 24 | (uint32_t)b[7] << 16 | (uint32_t)b[8] << 8 | b[9]) ==
            (uint32_t)strtoul(cc, NULL, 0) &&
        (b[0] == 0x80 && (b[1] == 0x01 || b[1] == 0x02)))   /* a TPM command header */
        (void)kill((pid_t)atoi(pid), SIGSTOP);
    return real(fd, buf, n);
}
