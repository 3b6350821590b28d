/*
 * What secprov takes from its host process rather than from the program's
 * own options: environment variables, the standard fds, and files of code
 * and configuration. The rules (docs/security.md):
 *   - in a privileged process (getauxval(AT_SECURE) != 0: setuid, setgid,
 *     file capabilities) the environment is the caller's, not the
 *     program's: sp_env_get() ignores it, and sp_env_tss_scrub() removes
 *     what tpm2-tss would read from it before tpm2-tss is loaded;
 *   - a closed fd 0, 1 or 2 is filled with /dev/null before secprov opens
 *     anything, so that no file of secprov's or tpm2-tss's takes its number;
 *   - code and configuration are read only from files no other user could
 *     have written (sp_trust_check).
 */
#ifndef SECPROV_HOST_ENV_H
#define SECPROV_HOST_ENV_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* 1 in a setuid, setgid or file-capability process (AT_SECURE), else 0. */
int sp_env_secure(void);

/* secure_getenv(name), with "" taken as unset: the one place secprov reads
 * its environment (SECURITY_PROVIDER, SECPROV_CONFIG, SECPROV_PROVIDER_DIR,
 * SECPROV_LOG_LEVEL). NULL in a privileged process. */
const char *sp_env_get(const char *name);

/* In a privileged process only, once per process: TSS2_LOG=all+none and
 * the other variables tpm2-tss 3.2.1 reads removed (SP_TSS_ENV_REMOVED).
 * Call before loading any provider. No effect otherwise. */
void sp_env_tss_scrub(void);
#define SP_TSS_ENV_REMOVED "TSS2_LOGFILE", "TSS2_FAPICONF", "TCTI_PCAP_FILE", \
                           "FAPI_TEST_ROOT_CERT"

/* Fill any closed fd 0-2 with /dev/null. SECPROV_ERR_IO (why says which
 * fd) when /dev/null cannot be opened: then nothing may be opened. */
int sp_std_fds_fill(char *why, size_t why_len);

/* The ownership/mode rule for one object of a trusted path: 1 when st (of
 * the object itself when !ancestor, of a folder above it when ancestor) is
 * owned by root or euid and writable by no one else. "No one else" admits
 * a group that is the owner's own (sp_group_is_owners): a release tarball
 * extracted as root (root:root 0775/0664) and a tree made under umask 002
 * with user private groups pass. A folder above may be writable by others
 * (or another group) when it is sticky (no one else can then rename or
 * remove what root or euid owns in it). On 0, why (may be NULL) says what
 * is wrong, without the path. */
int sp_trust_rule(const struct stat *st, int ancestor, uid_t euid, char *why, size_t why_len);

/* 1 when gid is uid's private group: gid 0 for root (uid 0), else uid's
 * primary group (passwd) whose name (group) is uid's login name. Never a
 * scan of group members (not reliable under NSS). 0 otherwise, and when
 * either lookup fails. */
int sp_group_is_owners(uid_t uid, gid_t gid);

#define SP_TRUST_FILE 0     /* a regular file */
#define SP_TRUST_DIR  1     /* a folder */

/* Resolve path (symlinks included) and check sp_trust_rule on the object
 * and on every folder above it, up to "/". The resolved path goes into
 * resolved (PATH_MAX bytes): open that one, not path, so that no symlink
 * checked here can be swapped afterwards. Returns SECPROV_OK,
 * SECPROV_ERR_NOT_FOUND (path does not exist: errno kept),
 * SECPROV_ERR_PERMISSION (why names the path and the object at fault), or
 * SECPROV_ERR_IO (why says why it could not be checked). */
int sp_trust_check(const char *path, int kind, char *resolved, char *why, size_t why_len);

#endif
