/*
 * A pseudo-terminal pair standing in for a TPM character device (ptytpm.c,
 * mitmtpm.c): the master end for the TPM side, the slave end for secprov.
 */
#ifndef SECPROV_PTY_PAIR_H
#define SECPROV_PTY_PAIR_H

/* Open a pair and set both ends raw. The slave is opened too and should be
 * kept open, so that the master never sees a hang-up between clients.
 * 0, or -1 after a message on stderr prefixed with who. */
int pty_pair(const char *who, int *master, int *slave, const char **slave_path);

#endif
