/*
 * tpm2-tss opens its TPM connection without O_CLOEXEC (tcti-device's
 * open(O_RDWR | O_NONBLOCK), mssim's socket()), so a child the host execs
 * would inherit a TPM connection it may use in secprov's name. The fds a
 * TCTI keeps open are the ones it reports as poll handles: made
 * close-on-exec here right after the TCTI is made. (swtpm's TCTI opens its
 * socket per command and closes it again; it has no poll handles.)
 */
#ifndef SECPROV_TCTI_FDS_H
#define SECPROV_TCTI_FDS_H

#include <stddef.h>
#include <sys/types.h>
#include <tss2/tss2_tcti.h>

/* FD_CLOEXEC on every poll handle of tcti (NULL: nothing). */
void tpm_tcti_cloexec(TSS2_TCTI_CONTEXT *tcti);

/* An fd a TCTI keeps open, and its file, to know it again in a forked
 * child (which may have closed it and reused the number). */
typedef struct tpm_fd_id {
    int fd;
    dev_t dev;
    ino_t ino;
} tpm_fd_id;
#define TPM_TCTI_FDS_MAX 4

/* The fds tcti keeps open (its poll handles) into ids: how many (0..max). */
size_t tpm_tcti_fds(TSS2_TCTI_CONTEXT *tcti, tpm_fd_id *ids, size_t max);

/* Close id->fd if it is still that file (a child's copy: closing it leaves
 * the parent's open). */
void tpm_fd_close_if_same(const tpm_fd_id *id);

#endif
