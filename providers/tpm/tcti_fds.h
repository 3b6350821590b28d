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

#include <tss2/tss2_tcti.h>

/* FD_CLOEXEC on every poll handle of tcti (NULL: nothing). */
void tpm_tcti_cloexec(TSS2_TCTI_CONTEXT *tcti);

#endif
