/*
 * LD_PRELOAD shim for tests/robust/test_state_folder.sh: a writer paused in
 * flight. renameat() of a temp file onto $PAUSE_SHIM_FILE (a file name, e.g.
 * "a.sec") first creates $PAUSE_SHIM_DIR/paused and waits (at most 60 s)
 * until $PAUSE_SHIM_DIR/go exists, so that the test can run another writer
 * while this one's temp file is in the folder. Only the timing is changed:
 * the rename itself is the real one.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
    static int (*real)(int, const char *, int, const char *);
    const char *dir = getenv("PAUSE_SHIM_DIR"), *file = getenv("PAUSE_SHIM_FILE");
    char path[4096];

    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "renameat");
    if (dir != NULL && file != NULL && strcmp(newpath, file) == 0) {
        snprintf(path, sizeof path, "%s/paused", dir);
        int fd = open(path, O_WRONLY | O_CREAT, 0600);
        if (fd >= 0)
            close(fd);
        snprintf(path, sizeof path, "%s/go", dir);
        struct timespec tick = {0, 20 * 1000 * 1000};
        for (int i = 0; i < 3000 && access(path, F_OK) != 0; i++)
            nanosleep(&tick, NULL);
    }
    return real(olddirfd, oldpath, newdirfd, newpath);
}
