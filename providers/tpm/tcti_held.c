/* A TCTI that holds a TPM device only under the provider's lock: tcti_held.h. */
#include "tcti_held.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <tss2/tss2_tpm2_types.h>

#define HELD_MAGIC 0x7365637072766864ULL    /* "secprvhd" */
#define HEADER_SIZE 10                      /* tag, size, code */

typedef struct tcti_held {
    TSS2_TCTI_CONTEXT_COMMON_V2 common;
    int fd;                                 /* the device, or -1 between calls */
    int awaiting;                           /* a command was sent, its response not taken */
    size_t have;                            /* bytes of the response read so far */
    uint8_t rsp[TPM2_MAX_COMMAND_SIZE];
    char path[];
} tcti_held;

static tcti_held *held_of(TSS2_TCTI_CONTEXT *t)
{
    return tcti_held_is(t) ? (tcti_held *)t : NULL;
}

static void forget_response(tcti_held *h)
{
    explicit_bzero(h->rsp, h->have);        /* a response may carry a secret */
    h->have = 0;
    h->awaiting = 0;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static TSS2_RC held_transmit(TSS2_TCTI_CONTEXT *t, size_t size, const uint8_t *cmd)
{
    tcti_held *h = held_of(t);
    size_t off = 0;

    if (h == NULL)
        return TSS2_TCTI_RC_BAD_CONTEXT;
    if (cmd == NULL || size < HEADER_SIZE)
        return TSS2_TCTI_RC_BAD_VALUE;
    if (h->awaiting)
        return TSS2_TCTI_RC_BAD_SEQUENCE;
    if (h->fd < 0) {
        h->fd = open(h->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (h->fd < 0)
            return TSS2_TCTI_RC_IO_ERROR;   /* tpm_call_probe names why (EBUSY...) */
        /* A TPM behind a terminal (the tests' pseudo-terminal, a serial
         * line) may still hold the late answer to a command a process gave
         * up on or died in: not this command's. */
        if (isatty(h->fd))
            (void)tcflush(h->fd, TCIOFLUSH);
    }
    while (off < size) {
        ssize_t n = write(h->fd, cmd + off, size - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return TSS2_TCTI_RC_IO_ERROR;
        off += (size_t)n;
    }
    h->awaiting = 1;
    h->have = 0;
    return TSS2_RC_SUCCESS;
}

/* Read until the whole response (its header's size) is in h->rsp; each wait
 * at most timeout ms (TSS2_TCTI_TIMEOUT_BLOCK: without a limit). */
static TSS2_RC read_response(tcti_held *h, int32_t timeout)
{
    for (;;) {
        if (h->have >= HEADER_SIZE) {
            uint32_t want = be32(h->rsp + 2);
            if (want < HEADER_SIZE || want > sizeof h->rsp)
                return TSS2_TCTI_RC_MALFORMED_RESPONSE;
            if (h->have >= want)
                return TSS2_RC_SUCCESS;
        }
        struct pollfd p = {.fd = h->fd, .events = POLLIN};
        int r = poll(&p, 1, timeout < 0 ? -1 : (int)timeout);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return TSS2_TCTI_RC_TRY_AGAIN;
        if (r < 0)
            return TSS2_TCTI_RC_IO_ERROR;
        ssize_t n = read(h->fd, h->rsp + h->have, sizeof h->rsp - h->have);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return TSS2_TCTI_RC_IO_ERROR;
        h->have += (size_t)n;
    }
}

static TSS2_RC held_receive(TSS2_TCTI_CONTEXT *t, size_t *size, uint8_t *response,
                            int32_t timeout)
{
    tcti_held *h = held_of(t);
    TSS2_RC rc;

    if (h == NULL)
        return TSS2_TCTI_RC_BAD_CONTEXT;
    if (size == NULL)
        return TSS2_TCTI_RC_BAD_REFERENCE;
    if (!h->awaiting || h->fd < 0)
        return TSS2_TCTI_RC_BAD_SEQUENCE;
    if ((rc = read_response(h, timeout)) != TSS2_RC_SUCCESS) {
        if (rc != TSS2_TCTI_RC_TRY_AGAIN)
            forget_response(h);
        return rc;
    }
    size_t want = be32(h->rsp + 2);
    if (response == NULL) {                 /* asking for the size */
        *size = want;
        return TSS2_RC_SUCCESS;
    }
    if (*size < want) {
        *size = want;
        return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
    }
    memcpy(response, h->rsp, want);
    *size = want;
    forget_response(h);
    return TSS2_RC_SUCCESS;
}

static void held_finalize(TSS2_TCTI_CONTEXT *t)
{
    tcti_held_release(t);
}

static TSS2_RC held_cancel(TSS2_TCTI_CONTEXT *t)
{
    (void)t;
    return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static TSS2_RC held_poll_handles(TSS2_TCTI_CONTEXT *t, TSS2_TCTI_POLL_HANDLE *handles,
                                 size_t *count)
{
    tcti_held *h = held_of(t);

    if (h == NULL)
        return TSS2_TCTI_RC_BAD_CONTEXT;
    if (count == NULL)
        return TSS2_TCTI_RC_BAD_REFERENCE;
    if (h->fd < 0) {
        *count = 0;
        return TSS2_RC_SUCCESS;
    }
    if (handles != NULL) {
        if (*count < 1)
            return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
        handles[0] = (TSS2_TCTI_POLL_HANDLE){.fd = h->fd, .events = POLLIN};
    }
    *count = 1;
    return TSS2_RC_SUCCESS;
}

static TSS2_RC held_set_locality(TSS2_TCTI_CONTEXT *t, uint8_t locality)
{
    (void)t;
    (void)locality;
    return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static TSS2_RC held_make_sticky(TSS2_TCTI_CONTEXT *t, TPM2_HANDLE *handle, uint8_t sticky)
{
    (void)t;
    (void)handle;
    (void)sticky;
    return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

TSS2_RC tcti_held_new(const char *path, TSS2_TCTI_CONTEXT **out)
{
    size_t len = strlen(path);
    tcti_held *h;

    *out = NULL;
    if (len == 0 || len >= 4096)
        return TSS2_TCTI_RC_BAD_VALUE;
    if ((h = calloc(1, sizeof *h + len + 1)) == NULL)
        return TSS2_TCTI_RC_MEMORY;
    memcpy(h->path, path, len + 1);
    h->fd = -1;
    h->common.v1.magic = HELD_MAGIC;
    h->common.v1.version = 2;
    h->common.v1.transmit = held_transmit;
    h->common.v1.receive = held_receive;
    h->common.v1.finalize = held_finalize;
    h->common.v1.cancel = held_cancel;
    h->common.v1.getPollHandles = held_poll_handles;
    h->common.v1.setLocality = held_set_locality;
    h->common.makeSticky = held_make_sticky;
    *out = (TSS2_TCTI_CONTEXT *)h;
    return TSS2_RC_SUCCESS;
}

int tcti_held_is(const TSS2_TCTI_CONTEXT *t)
{
    return t != NULL && ((const TSS2_TCTI_CONTEXT_COMMON_V1 *)t)->magic == HELD_MAGIC;
}

void tcti_held_release(TSS2_TCTI_CONTEXT *t)
{
    tcti_held *h = held_of(t);

    if (h == NULL)
        return;
    forget_response(h);
    if (h->fd >= 0)
        close(h->fd);
    h->fd = -1;
}

void tcti_held_free(TSS2_TCTI_CONTEXT **t)
{
    if (t == NULL || !tcti_held_is(*t))
        return;
    tcti_held_release(*t);
    free(*t);
    *t = NULL;
}
