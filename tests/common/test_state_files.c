/* Files in a provider's state folder: atomic writes, refusals of files an
 * attacker could have planted, listing, and sweeping dead writers' temp files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprov.h"
#include "state_files.h"
#include "tools/name_rule.h"
#include "tools/unit.h"

struct fixture {
    char root[256];
    char dir[300];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *base = getenv("SECPROV_TEST_TMP");
    snprintf(f->root, sizeof f->root, "%s/sfXXXXXX", base ? base : "/tmp");
    if (mkdtemp(f->root) == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/a/b/state", f->root);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode & 07777;
}

static int count_entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void put(const char *dir, const char *file, const char *text, mode_t mode)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void names(void **state)
{
    (void)state;
    check_name_rule(sp_name_ok);
}

static void path_join_bounds(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(sp_path_join(out, sizeof out, "ab", "cd"), SECPROV_OK);
    assert_string_equal(out, "ab/cd");
    assert_int_equal(sp_path_join(out, sizeof out, "abcd", "efgh"), SECPROV_ERR_TOO_LARGE);
}

static void prepare_creates_private_folder(void **state)
{
    struct fixture *f = *state;
    char why[256] = "";
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);
    assert_int_equal(mode_of(f->dir), 0700);
    /* An existing folder's mode is never changed (issue 12 item 5: it was
     * made 0700 before): readable by others is the operator's choice... */
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);
    assert_int_equal(mode_of(f->dir), 0755);
    /* ...writable by group or others (1777, 0770, 0702) is refused, named. */
    static const mode_t open_modes[] = {01777, 0770, 0702};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(chmod(f->dir, open_modes[i]), 0);
        why[0] = '\0';
        assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_ERR_PERMISSION);
        assert_non_null(strstr(why, f->dir));
        assert_non_null(strstr(why, "writable by group or others"));
        assert_int_equal(mode_of(f->dir), open_modes[i]);
    }
    assert_int_equal(chmod(f->dir, 0700), 0);
}

static void prepare_refuses_symlink_and_file(void **state)
{
    struct fixture *f = *state;
    char why[256] = "", link[400], file[400];
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);
    snprintf(link, sizeof link, "%s/link", f->root);
    assert_int_equal(symlink(f->dir, link), 0);
    assert_int_equal(sp_state_dir_prepare(link, why, sizeof why), SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, "symlink"));
    snprintf(file, sizeof file, "%s/plain", f->root);
    put(f->root, "plain", "x", 0600);
    assert_int_equal(sp_state_dir_prepare(file, why, sizeof why), SECPROV_ERR_IO);
    assert_non_null(strstr(why, "not a directory"));
    assert_int_equal(sp_state_dir_prepare("", why, sizeof why), SECPROV_ERR_CONFIG);
}

static void dirs_make_under_base(void **state)
{
    struct fixture *f = *state;
    char why[256] = "", path[500], link[500];
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);
    assert_int_equal(sp_dirs_make(f->dir, "k/HS/SRK/sp-x-1"), SECPROV_OK);
    snprintf(path, sizeof path, "%s/k/HS/SRK/sp-x-1", f->dir);
    assert_int_equal(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/k/HS", f->dir);
    assert_int_equal(mode_of(path), 0700);
    /* Again, and beside it: existing folders are fine. */
    assert_int_equal(sp_dirs_make(f->dir, "k/HS/SRK/sp-x-1"), SECPROV_OK);
    assert_int_equal(sp_dirs_make(f->dir, "k/HS/SRK/sp-y-2"), SECPROV_OK);
    /* A symlink on the way (planted to redirect the keystore) is refused,
     * and nothing is made through it. */
    snprintf(link, sizeof link, "%s/evil", f->dir);
    assert_int_equal(symlink(f->root, link), 0);
    assert_int_equal(sp_dirs_make(f->dir, "evil/made"), SECPROV_ERR_PERMISSION);
    snprintf(path, sizeof path, "%s/made", f->root);
    assert_int_equal(access(path, F_OK), -1);
    /* So is a file where a folder should be, and a symlinked base. */
    put(f->dir, "plain", "x", 0600);
    assert_int_equal(sp_dirs_make(f->dir, "plain/x"), SECPROV_ERR_PERMISSION);
    assert_int_equal(sp_dirs_make(link, "x"), SECPROV_ERR_PERMISSION);
}

static void prepare_refuses_foreign_owner(void **state)
{
    struct fixture *f = *state;
    char why[256] = "";
    if (geteuid() != 0)
        skip();                                  /* chown needs root */
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);
    assert_int_equal(chown(f->dir, 65534, 65534), 0);
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_ERR_PERMISSION);
    assert_non_null(strstr(why, "another user"));
}

static void write_read_replace(void **state)
{
    struct fixture *f = *state;
    char why[256], path[400];
    void *data;
    size_t len;
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);
    assert_int_equal(sp_file_write_atomic(f->dir, "s.bin", "first", 5), SECPROV_OK);
    assert_int_equal(sp_file_write_atomic(f->dir, "s.bin", "second!", 7), SECPROV_OK);
    assert_int_equal(sp_file_read(f->dir, "s.bin", 100, &data, &len), SECPROV_OK);
    assert_int_equal(len, 7);
    assert_memory_equal(data, "second!", 7);
    free(data);
    snprintf(path, sizeof path, "%s/s.bin", f->dir);
    assert_int_equal(mode_of(path), 0600);
    assert_int_equal(count_entries(f->dir), 1);      /* no temp file left */
    assert_int_equal(sp_file_read(f->dir, "s.bin", 6, &data, &len), SECPROV_ERR_TOO_LARGE);
    assert_null(data);
    assert_int_equal(sp_file_write_atomic(f->dir, "empty", "", 0), SECPROV_OK);
    assert_int_equal(sp_file_read(f->dir, "empty", 10, &data, &len), SECPROV_OK);
    assert_int_equal(len, 0);
    free(data);
}

static void read_refuses_planted_files(void **state)
{
    struct fixture *f = *state;
    char why[256], target[400], link[400], fifo[400];
    void *data = (void *)1;
    size_t len = 99;
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);

    assert_int_equal(sp_file_read(f->dir, "missing", 10, &data, &len), SECPROV_ERR_NOT_FOUND);
    assert_null(data);
    assert_int_equal(len, 0);

    put(f->dir, "gw", "x", 0620);                    /* group-writable */
    assert_int_equal(sp_file_read(f->dir, "gw", 10, &data, &len), SECPROV_ERR_PERMISSION);
    put(f->dir, "ww", "x", 0602);                    /* world-writable */
    assert_int_equal(sp_file_read(f->dir, "ww", 10, &data, &len), SECPROV_ERR_PERMISSION);

    put(f->root, "elsewhere", "planted", 0600);      /* symlink is not followed */
    snprintf(target, sizeof target, "%s/elsewhere", f->root);
    snprintf(link, sizeof link, "%s/ln", f->dir);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(sp_file_read(f->dir, "ln", 100, &data, &len), SECPROV_ERR_PERMISSION);

    snprintf(fifo, sizeof fifo, "%s/fifo", f->dir);  /* not a regular file */
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(sp_file_read(f->dir, "fifo", 100, &data, &len), SECPROV_ERR_PERMISSION);

    if (geteuid() == 0) {                            /* owned by another user */
        char other[400];
        put(f->dir, "other", "x", 0600);
        snprintf(other, sizeof other, "%s/other", f->dir);
        assert_int_equal(chown(other, 65534, 65534), 0);
        assert_int_equal(sp_file_read(f->dir, "other", 10, &data, &len), SECPROV_ERR_PERMISSION);
        assert_int_equal(sp_file_check(f->dir, "other", 10), SECPROV_ERR_PERMISSION);
    }

    /* sp_file_check: the same verdicts, without reading */
    put(f->dir, "good", "12345", 0600);
    assert_int_equal(sp_file_check(f->dir, "good", 10), SECPROV_OK);
    assert_int_equal(sp_file_check(f->dir, "good", 4), SECPROV_ERR_TOO_LARGE);
    assert_int_equal(sp_file_check(f->dir, "missing", 10), SECPROV_ERR_NOT_FOUND);
    assert_int_equal(sp_file_check(f->dir, "gw", 10), SECPROV_ERR_PERMISSION);
    assert_int_equal(sp_file_check(f->dir, "ww", 10), SECPROV_ERR_PERMISSION);
    assert_int_equal(sp_file_check(f->dir, "ln", 100), SECPROV_ERR_PERMISSION);
    assert_int_equal(sp_file_check(f->dir, "fifo", 100), SECPROV_ERR_PERMISSION);
}

static void remove_then_not_found(void **state)
{
    struct fixture *f = *state;
    char why[256];
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);
    assert_int_equal(sp_file_write_atomic(f->dir, "x", "1", 1), SECPROV_OK);
    assert_int_equal(sp_file_remove(f->dir, "x"), SECPROV_OK);
    assert_int_equal(sp_file_remove(f->dir, "x"), SECPROV_ERR_NOT_FOUND);
    assert_int_equal(count_entries(f->dir), 0);
    /* Unsynced: the same, and a symlinked folder is not followed. */
    char link[400], target[400];
    assert_int_equal(sp_file_write_atomic(f->dir, "y", "1", 1), SECPROV_OK);
    assert_int_equal(sp_file_remove_unsynced(f->dir, "y"), SECPROV_OK);
    assert_int_equal(sp_file_remove_unsynced(f->dir, "y"), SECPROV_ERR_NOT_FOUND);
    assert_int_equal(sp_file_write_atomic(f->dir, "z", "1", 1), SECPROV_OK);
    snprintf(link, sizeof link, "%s/link", f->root);
    assert_int_equal(symlink(f->dir, link), 0);
    assert_int_not_equal(sp_file_remove_unsynced(link, "z"), SECPROV_OK);
    snprintf(target, sizeof target, "%s/z", f->dir);
    assert_int_equal(access(target, F_OK), 0);
}

static void list_sorted_valid_names(void **state)
{
    struct fixture *f = *state;
    char why[256], **list;
    size_t n;
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);
    put(f->dir, "zeta.sec", "1", 0600);
    put(f->dir, "alpha.sec", "1", 0600);
    put(f->dir, "Mid-1.sec", "1", 0600);
    put(f->dir, "other.txt", "1", 0600);             /* wrong suffix */
    put(f->dir, ".tmp.1.2.beta.sec", "1", 0600);     /* temp file */
    put(f->dir, "bad name.sec", "1", 0600);          /* invalid name */
    put(f->dir, ".sec", "1", 0600);                  /* empty name */
    assert_int_equal(sp_dir_list(f->dir, ".sec", &list, &n), SECPROV_OK);
    assert_int_equal(n, 3);
    assert_string_equal(list[0], "Mid-1");
    assert_string_equal(list[1], "alpha");
    assert_string_equal(list[2], "zeta");
    sp_names_free(list, n);
    assert_int_equal(sp_dir_list("/nonexistent/dir", ".sec", &list, &n), SECPROV_ERR_NOT_FOUND);
}

/* Liveness of a temp file is its writer's lock, not its pid (issue 12 item 5:
 * a pid means nothing in another PID namespace). A running process that
 * holds the lock keeps its file; an unlocked file goes whatever pid its name
 * carries: a dead one, a running process's (another namespace's writer
 * whose pid is reused here), or this process's own. */
static void sweep_removes_only_dead_writers(void **state)
{
    struct fixture *f = *state;
    char why[256], dead[128], live[128], reused[128], own[128], path[512];
    int ready[2];
    assert_int_equal(sp_state_dir_prepare(f->dir, why, sizeof why), SECPROV_OK);

    pid_t gone = fork();                             /* a pid that has surely exited */
    if (gone == 0)
        _exit(0);
    assert_int_equal(waitpid(gone, NULL, 0), gone);
    snprintf(dead, sizeof dead, ".tmp.%ld.0000abcd.s.sec", (long)gone);
    put(f->dir, dead, "half", 0600);
    assert_int_equal(pipe(ready), 0);
    pid_t alive = fork();                            /* a writer still running */
    if (alive == 0) {
        snprintf(live, sizeof live, ".tmp.%ld.0000abcd.s.sec", (long)getpid());
        snprintf(path, sizeof path, "%s/%s", f->dir, live);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || flock(fd, LOCK_EX) != 0 || write(ready[1], "x", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    snprintf(live, sizeof live, ".tmp.%ld.0000abcd.s.sec", (long)alive);
    snprintf(reused, sizeof reused, ".tmp.%ld.0000abcd.t.sec", (long)alive);
    snprintf(own, sizeof own, ".tmp.%ld.0000abcd.u.sec", (long)getpid());
    put(f->dir, reused, "half", 0600);
    put(f->dir, own, "half", 0600);
    put(f->dir, "keep.sec", "whole", 0600);
    sp_temp_sweep(f->dir);
    kill(alive, SIGKILL);
    waitpid(alive, NULL, 0);
    close(ready[0]);
    close(ready[1]);

    snprintf(path, sizeof path, "%s/%s", f->dir, dead);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/%s", f->dir, reused);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/%s", f->dir, own);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/%s", f->dir, live);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/keep.sec", f->dir);
    assert_int_equal(access(path, F_OK), 0);
}

UNIT_MAIN(cmocka_unit_test(names),
          cmocka_unit_test(path_join_bounds),
          fixture_test(prepare_creates_private_folder),
          fixture_test(prepare_refuses_symlink_and_file),
          fixture_test(prepare_refuses_foreign_owner),
          fixture_test(dirs_make_under_base),
          fixture_test(write_read_replace),
          fixture_test(read_refuses_planted_files),
          fixture_test(remove_then_not_found),
          fixture_test(list_sorted_valid_names),
          fixture_test(sweep_removes_only_dead_writers))
