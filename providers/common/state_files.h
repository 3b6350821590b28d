/*
 * Files in a provider's state folder, kept safe: the folder is 0700 and ours,
 * files are 0600 and ours, symlinks are never followed, and a write is
 * atomic (temp file in the same folder, fsync, rename, fsync the folder).
 * A file owned by another user, or writable by group/world, is refused with
 * SECPROV_ERR_PERMISSION: an attacker must not be able to plant a secret.
 *
 * Every function returns SECPROV_OK or a negative SECPROV_ERR_* status.
 *
 * Implemented by: state_dir.c (folders), state_write.c (atomic write,
 * removal), state_read.c (checked reads), state_list.c (names),
 * state_sweep.c (dead writers' temp files), state_errors.c (errno to
 * status, sp_os_error_log); what they share is in state_files_os.h.
 */
#ifndef SECPROV_STATE_FILES_H
#define SECPROV_STATE_FILES_H

#include <stddef.h>

/* Create dir (and missing parents, 0700) if absent; then check that dir is a
 * real directory (not a symlink), owned by the effective uid, and not
 * group/world-writable (SECPROV_ERR_PERMISSION naming it). Never changes
 * the mode of an existing folder; writes nothing when dir exists (works on
 * a read-only folder). why gets one line on failure. */
int sp_state_dir_prepare(const char *dir, char *why, size_t why_len);

/* SECPROV_OK when this process can make and remove files in dir; a
 * read-only mount is SECPROV_ERR_IO (EROFS), a folder it may only read
 * SECPROV_ERR_PERMISSION, with why saying "read-only" and ending
 * "DIR: <errno's text>" (and the thread's last OS error set). */
int sp_dir_writable(const char *dir, char *why, size_t why_len);

/* Make the missing folders of rel ("a/b/c") under the existing folder
 * base, each 0700 and synced into its parent (durable before anything is
 * written inside); symlinks are never followed (SECPROV_ERR_PERMISSION). */
int sp_dirs_make(const char *base, const char *rel);

/* Atomically replace dir/file with data: a reader sees the old or the new
 * content, never a mix, also after a crash at any point. */
int sp_file_write_atomic(const char *dir, const char *file, const void *data, size_t len);

/* The checks of sp_file_read (a private regular file of this user, no
 * symlink, at most max bytes) without reading it: SECPROV_OK or the status
 * sp_file_read would give. */
int sp_file_check(const char *dir, const char *file, size_t max);

/* Read all of dir/file (at most max bytes, else SECPROV_ERR_TOO_LARGE;
 * absent: SECPROV_ERR_NOT_FOUND; insecure: SECPROV_ERR_PERMISSION).
 * *data is malloc'd; the caller zeroes and frees it. */
int sp_file_read(const char *dir, const char *file, size_t max, void **data, size_t *len);

/* Remove dir/file and fsync dir (absent: SECPROV_ERR_NOT_FOUND). */
int sp_file_remove(const char *dir, const char *file);
/* The same without the fsync, for a removal whose loss in a power cut is
 * harmless (a superseded object that comes back as an orphan). */
int sp_file_remove_unsynced(const char *dir, const char *file);

/* Files in dir named "<name><suffix>" where name passes secprov name rules;
 * returns the names, sorted, as a malloc'd array of malloc'd strings. */
int sp_dir_list(const char *dir, const char *suffix, char ***names, size_t *count);
void sp_names_free(char **names, size_t count);

/* Remove temp files left in dir by writers that died mid-write: a temp file
 * whose writer is alive is locked by it (whatever its PID namespace) and
 * kept. Only writes call it: it removes files. */
void sp_temp_sweep(const char *dir);

/* 0 when name is 1..64 of [A-Za-z0-9_-] (include/secprov_name_rules.h). */
int sp_name_ok(const char *name);

/* Write all len bytes (retrying on EINTR and short writes): 0 or an errno. */
int sp_write_all(int fd, const void *data, size_t len);

/* When rc (a status just returned by a call above) came from a failed
 * system call, log "WHO: PATH: <errno's meaning>" at level error (so
 * ENOSPC, EROFS, EACCES are named with the path, not lost in
 * SECPROV_ERR_IO); never for SECPROV_ERR_NOT_FOUND. Returns 1 when it logged, else 0. The record is this thread's, of its last
 * call above. */
struct secprov_provider_env;
int sp_os_error_log(const struct secprov_provider_env *env, const char *who, int rc);

/* dir + "/" + file into out (SECPROV_ERR_TOO_LARGE if it does not fit). */
int sp_path_join(char *out, size_t out_len, const char *dir, const char *file);

#endif
