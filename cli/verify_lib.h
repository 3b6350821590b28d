/*
 * What the verifier-side subcommands (verify, seal-to, activation) share:
 * libsecprov_verify, loaded only when one of them runs, and reading a text
 * file (a record, a report).
 */
#ifndef SECPROV_CLI_VERIFY_LIB_H
#define SECPROV_CLI_VERIFY_LIB_H

/* libsecprov_verify (OpenSSL, tss2-mu) is loaded only for these commands,
 * so the command, like libsecprov, runs on a host without tpm2-tss. Looked
 * for beside libsecprov (where make install puts both), then by the
 * loader's search path. (Not through the command's rpath: a sanitizer's
 * dlopen interceptor is then the caller, and its rpath is not ours.)
 * NULL when it cannot be loaded (dlerror() says why). */
void *cli_verify_lib(void);

/* The whole text file at path (at most 4 MiB, no NUL byte) as a malloc'd
 * string; NULL after printing an error line naming what and path. */
char *cli_read_text(const char *path, const char *what);

#endif
