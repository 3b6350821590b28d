/*
 * The errors of the state files (state_files.h): the SECPROV status of a
 * failed system call, and this thread's record of its last state file
 * operation (path and errno) that sp_os_error_log turns into a log line.
 */
#include "state_files.h"
#include "state_files_os.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "secprov_provider.h"
#include "secprov.h"

/* This thread's last state file operation: its path, and the errno of the
 * system call that failed in it (0: none), for sp_os_error_log. */
static _Thread_local int os_errno;
static _Thread_local char os_path[512];

void sp_os_error_begin(const char *dir, const char *file)
{
    os_errno = 0;
    snprintf(os_path, sizeof os_path, "%s%s%s", dir, file != NULL ? "/" : "", file != NULL ? file : "");
}

int sp_status_from_errno(int err)
{
    os_errno = err;
    switch (err) {
    case ENOENT:
        return SECPROV_ERR_NOT_FOUND;
    case EACCES:
    case EPERM:
    case ELOOP:     /* a symlink where O_NOFOLLOW refused it */
        return SECPROV_ERR_PERMISSION;
    case ENOMEM:
        return SECPROV_ERR_NOMEM;
    case ENAMETOOLONG:
        return SECPROV_ERR_TOO_LARGE;
    default:
        return SECPROV_ERR_IO;
    }
}

int sp_os_error_log(const struct secprov_provider_env *env, const char *who, int rc)
{
    int err = os_errno;

    /* an absent file is an answer (SECPROV_ERR_NOT_FOUND), not a failure */
    if (rc == SECPROV_OK || rc == SECPROV_ERR_NOT_FOUND || err == 0 || sp_status_from_errno(err) != rc)
        return 0;
    env->log(env, SECPROV_LOG_ERROR, "%s: %s: %s", who, os_path, strerror(err));
    return 1;
}
