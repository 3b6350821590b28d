/*
 * ptytpm LINK STATE_DIR SWTPM_PIDFILE
 *
 * A TPM behind a real character device: opens a pseudo-terminal pair, sets
 * both ends raw, starts `swtpm chardev --tpm2 --fd <master>` on the master
 * and makes LINK a symlink to the slave, so the production `device:` TCTI
 * and device detection run as they do on a Jetson. Keeps a slave fd open
 * (so swtpm never sees a hang-up), writes swtpm's pid to SWTPM_PIDFILE, and
 * runs until swtpm exits or it gets SIGTERM (then it stops swtpm).
 * SIGSTOP to swtpm's pid makes a TPM that accepts commands but never answers.
 * PTYTPM_SWTPM_LOG=FILE: swtpm logs every command to FILE (the benchmark's
 * command counts).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pty_pair.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: ptytpm LINK STATE_DIR SWTPM_PIDFILE\n");
        return 2;
    }
    int master, slave;
    const char *slave_path;
    if (pty_pair("ptytpm", &master, &slave, &slave_path) != 0)
        return 1;
    unlink(argv[1]);
    if (symlink(slave_path, argv[1]) != 0) {
        perror("ptytpm: symlink");
        return 1;
    }
    char fdarg[16], state[4096];
    snprintf(fdarg, sizeof fdarg, "%d", master);
    snprintf(state, sizeof state, "dir=%s", argv[2]);
    pid_t pid = fork();
    if (pid == 0) {
        close(slave);
        char logarg[4200];
        const char *log = getenv("PTYTPM_SWTPM_LOG");
        char *args[] = {"swtpm", "chardev", "--tpm2", "--fd", fdarg, "--tpmstate", state,
                        "--flags", "not-need-init,startup-clear", NULL, NULL, NULL};
        if (log != NULL && *log != '\0') {
            snprintf(logarg, sizeof logarg, "file=%s,level=20", log);
            args[9] = "--log";
            args[10] = logarg;
        }
        execvp("swtpm", args);
        perror("ptytpm: exec swtpm");
        _exit(127);
    }
    close(master);
    FILE *pf = fopen(argv[3], "w");
    if (pf == NULL || fprintf(pf, "%ld\n", (long)pid) < 0 || fclose(pf) != 0) {
        kill(pid, SIGKILL);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int status = 0;
    while (!stop) {
        pid_t r = waitpid(pid, &status, 0);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            break;
    }
    if (stop) {
        kill(pid, SIGCONT);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    unlink(argv[1]);
    return 0;
}
