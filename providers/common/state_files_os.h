/*
 * What the state_*.c files share and nothing outside providers/common
 * needs: the status of a failed system call, the record of this thread's
 * last state file operation (for sp_os_error_log, state_files.h), and the
 * temp file protocol between the atomic writer and the sweep.
 */
#ifndef SECPROV_STATE_FILES_OS_H
#define SECPROV_STATE_FILES_OS_H

/* Temp files are ".tmp.<pid>.<random>.<file>". Whether a writer is alive
 * is decided by a lock, not by its pid (which means nothing in another PID
 * namespace: two containers sharing a state volume): the writer holds an
 * exclusive flock on its temp file from before its first byte until after
 * the rename. It makes and locks the file while holding a shared flock on
 * the folder; the sweep holds an exclusive one, so it never sees a temp
 * file made but not yet locked. A temp file the sweep can lock has no live
 * writer. */
#define TEMP_PREFIX ".tmp."

/* Start this thread's record of an operation on dir/file (file may be
 * NULL: the folder itself): its path, no errno yet. */
void sp_os_error_begin(const char *dir, const char *file);

/* The SECPROV_ERR_* status of a failed system call's errno, recorded as
 * the failure of the operation begun last. */
int sp_status_from_errno(int err);

/* Open the folder dir for reading, never through a symlink: fd or -1. */
int sp_open_dir(const char *dir);

#endif
