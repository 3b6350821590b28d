/*
 * FAPI on a read-only state folder (a read-only bind mount, or a folder this
 * user may only read). Fapi_Initialize refuses a user keystore folder it
 * cannot write (tpm2-tss checks user_dir for write access), even to read.
 * So, for such a folder only, the FAPI config is one of a private temp
 * folder (in $TMPDIR, else /tmp; 0700, removed at close) whose user_dir
 * holds one symlink, the profile's folder -> <state_dir>/keystore/user/
 * <profile>; system_dir, profile_dir and log_dir are the state folder's own.
 * Nothing is written in the state folder. Writes (seal, delete) are refused
 * before they reach FAPI (sp_dir_writable).
 */
#ifndef SECPROV_FAPI_READONLY_H
#define SECPROV_FAPI_READONLY_H

#include <stddef.h>

typedef struct fapi_readonly {
    char dir[4096];             /* the temp folder, "" when not used */
} fapi_readonly;

/* Make the temp folder and config for state_dir; config_path gets its path. */
int fapi_readonly_setup(fapi_readonly *ro, const char *state_dir, const char *tcti,
                        char *config_path, size_t config_len, char *why, size_t why_len);
/* Remove the temp folder (nothing when not used). */
void fapi_readonly_remove(fapi_readonly *ro);

#endif
