/*
 * forker MODE [ROUNDS]: a handle opened once, then used across fork()
 * ($SECPROV_CONFIG names the store; issue 22, docs/fork.md).
 *
 *   three   the parent seals "shared", forks 2 children; parent and both
 *           children seal and unseal names of their own and unseal
 *           "shared" at once, ROUNDS times (default 20) or until
 *           FORK_BUDGET_S seconds (default 60) have passed
 *   pool    the parent seals "pooled", 4 children each unseal it 10 times
 *   orphan  children that use the handle and end without closing it (one
 *           by _exit, one by exit, with FORK_KILL set one killed mid-loop):
 *           the parent then seals and unseals 5 times
 *   threads a thread of the parent keeps calling while the main thread
 *           forks 5 times; each child makes 2 calls within 30 s (a mutex
 *           held at fork time must not hang it); with FORK_DEVICE set
 *           (a TPM device without a resource manager) each child first
 *           checks that it holds no fd on that device before any call of
 *           its own (a copy of the parent's would keep /dev/tpm0 busy)
 *   probe   FORK_DEVICE and FORK_SWTPM_PID set: the TPM is stopped
 *           (SIGSTOP), a thread opens a second handle, whose first command
 *           (the bounded probe, tpm_probe.c) waits for an answer, and the
 *           main thread forks meanwhile: the child must hold no fd on the
 *           device (the probe's own fd is not the handle's TCTI's)
 *   gate    legacy: a thread's seal is held inside the call (the main
 *           thread holds the state folder's flock; a third thread lets it
 *           go 150 ms later) while the main thread forks: fork() must
 *           return only after that seal returned, within the gate's bound
 *           (core/fork_gate.h), and the child's calls work
 *   callback legacy: a thread's secprov_info() is in the host's emitter,
 *           which waits for a mutex the main thread holds (as a Python
 *           callback waits for the GIL of a thread in os.fork()) while the
 *           main thread forks: the fork must not wait for that call (a
 *           thread in a callback to the host is outside the gate; the log
 *           function the same way)
 *
 * Every failed call and every wrong value is printed with who saw it; the
 * last line is "errors: N" (exit 0 when N is 0), with "SUMMARY" lines
 * counting the calls.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "secprov.h"

static secprov *sp;
static const char *who = "parent";
static int budget_s = 60;
static time_t start;

static int fail(const char *what, const char *name, int rc)
{
    fprintf(stderr, "%s[%ld]: %s '%s': %s (%s)\n", who, (long)getpid(), what, name,
            secprov_strerror(rc), secprov_last_error());
    return 1;
}

/* Unseal name and compare with want: 0 or 1 error. */
static int expect(const char *name, const char *want)
{
    void *out = NULL;
    size_t len = 0;
    int rc = secprov_unseal(sp, name, &out, &len);

    if (rc != SECPROV_OK)
        return fail("unseal", name, rc);
    int bad = len != strlen(want) || memcmp(out, want, len) != 0;
    if (bad)
        fprintf(stderr, "%s[%ld]: unseal '%s': wrong value (%zu bytes)\n", who, (long)getpid(),
                name, len);
    secprov_free(out, len);
    return bad;
}

static int seal(const char *name, const char *value)
{
    int rc = secprov_seal(sp, name, value, strlen(value));
    return rc == SECPROV_OK ? 0 : fail("seal", name, rc);
}

/* ROUNDS x (seal own name, unseal it, unseal shared): errors; *calls counted. */
static int work(const char *tag, int rounds, const char *shared, const char *shared_value,
                int *calls)
{
    char name[64], value[96];
    int errors = 0;

    for (int i = 0; i < rounds && time(NULL) - start < budget_s; i++) {
        snprintf(name, sizeof name, "%s-%d", tag, i % 3);
        snprintf(value, sizeof value, "value of %s round %d pid %ld", tag, i, (long)getpid());
        errors += seal(name, value);
        errors += expect(name, value);
        errors += expect(shared, shared_value);
        *calls += 3;
    }
    return errors;
}

/* Wait for every child: the sum of their exit codes (a signal: 100). */
static int reap(const pid_t *pids, int n)
{
    int errors = 0, status;

    for (int i = 0; i < n; i++) {
        if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status)) {
            fprintf(stderr, "child %ld: did not exit normally\n", (long)pids[i]);
            errors += 100;
        } else {
            errors += WEXITSTATUS(status);
        }
    }
    return errors;
}

static int mode_three(int rounds)
{
    const char *shared = "shared value, sealed before the fork";
    pid_t pids[2];
    int errors = seal("shared", shared), calls = 0;

    for (int i = 0; i < 2; i++) {
        if ((pids[i] = fork()) == 0) {
            char tag[16];
            snprintf(tag, sizeof tag, "child%d", i);
            who = tag;
            int e = work(tag, rounds, "shared", shared, &calls);
            printf("SUMMARY %s: %d calls, %d errors\n", tag, calls, e);
            fflush(stdout);
            secprov_close(sp);
            exit(e > 99 ? 99 : e);
        }
    }
    errors += work("parent", rounds, "shared", shared, &calls);
    printf("SUMMARY parent: %d calls, %d errors\n", calls, errors);
    errors += reap(pids, 2);
    errors += expect("shared", shared);            /* the parent still works after */
    return errors;
}

static int mode_pool(void)
{
    const char *value = "the pool's one secret";
    pid_t pids[4];
    int errors = seal("pooled", value);

    for (int i = 0; i < 4; i++) {
        if ((pids[i] = fork()) == 0) {
            int e = 0;
            who = "worker";
            for (int k = 0; k < 10; k++)
                e += expect("pooled", value);
            printf("SUMMARY worker %d: %d of 10 right\n", i, 10 - e);
            fflush(stdout);
            exit(e);
        }
    }
    errors += reap(pids, 4);
    errors += expect("pooled", value);
    return errors;
}

static int mode_orphan(void)
{
    const char *value = "kept by the parent";
    int errors = seal("kept", value), status;
    pid_t pid;

    /* killed mid-call: not on a pty TPM, where swtpm's late answer would
     * wait in the pty for the next opener (the kernel's /dev/tpm0 driver
     * drops a dead opener's answer: tests/robust/test_crash.sh) */
    int kinds = getenv("FORK_KILL") != NULL ? 3 : 2;
    for (int kind = 0; kind < kinds; kind++) {
        if ((pid = fork()) == 0) {
            who = "orphan";
            int e = expect("kept", value) + seal("orphan", "the child's");
            if (kind == 0)
                _exit(e);                          /* no close, no atexit */
            if (kind == 1)
                exit(e);                           /* no close */
            for (;;)                               /* killed in the middle of calls */
                (void)expect("kept", value);
        }
        if (kind == 2) {
            usleep(300 * 1000);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        } else {
            errors += reap(&pid, 1);
        }
    }
    for (int i = 0; i < 5; i++) {
        char v[64];
        snprintf(v, sizeof v, "after the orphans %d", i);
        errors += seal("after", v) + expect("after", v) + expect("kept", value);
    }
    return errors;
}

static volatile int stop_thread;

/* How many fds this process has open on the file at path. */
static int fds_on(const char *path)
{
    char want[PATH_MAX], fd_path[300], got[PATH_MAX];
    struct dirent *e;
    DIR *d;
    int n = 0;

    if (realpath(path, want) == NULL || (d = opendir("/proc/self/fd")) == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        ssize_t len;
        snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%s", e->d_name);
        if ((len = readlink(fd_path, got, sizeof got - 1)) > 0) {
            got[len] = '\0';
            n += strcmp(got, want) == 0;
        }
    }
    closedir(d);
    return n;
}

static void *caller(void *arg)
{
    int *errors = arg;

    while (!stop_thread)
        *errors += expect("threaded", "called from a thread");
    return NULL;
}

static int mode_threads(void)
{
    int errors = seal("threaded", "called from a thread"), thread_errors = 0;
    pthread_t t;
    pid_t pids[5];

    pthread_create(&t, NULL, caller, &thread_errors);
    for (int i = 0; i < 5; i++) {
        usleep(20 * 1000 + i * 7000);              /* at varying points of its calls */
        if ((pids[i] = fork()) == 0) {
            who = "threads-child";
            alarm(30);                             /* a hung mutex: killed, counted */
            const char *dev = getenv("FORK_DEVICE");
            int held = dev != NULL ? fds_on(dev) : 0;
            if (held != 0)
                fprintf(stderr, "threads-child[%ld]: holds %d fd(s) on %s before any call\n",
                        (long)getpid(), held, dev);
            int e = (held != 0) + expect("threaded", "called from a thread") + seal("forked", "in a child");
            _exit(e);     /* not exit(): LeakSanitizer would count what the parent's other thread held */
        }
    }
    errors += reap(pids, 5);
    stop_thread = 1;
    pthread_join(t, NULL);
    return errors + thread_errors;
}

static void *opener(void *arg)
{
    secprov_options o = SECPROV_OPTIONS_INIT;
    secprov *second = NULL;

    *(int *)arg = secprov_open(&second, &o);     /* fails or falls back: the TPM is stopped */
    secprov_close(second);
    return NULL;
}

static int mode_probe(void)
{
    const char *dev = getenv("FORK_DEVICE"), *spid = getenv("FORK_SWTPM_PID");
    pid_t tpm = spid != NULL ? (pid_t)atoi(spid) : 0, pid;
    int open_rc = 0, errors = 0, status;
    pthread_t t;

    if (dev == NULL || tpm <= 0) {
        fprintf(stderr, "probe: FORK_DEVICE and FORK_SWTPM_PID must be set\n");
        return 1;
    }
    kill(tpm, SIGSTOP);
    pthread_create(&t, NULL, opener, &open_rc);
    int parent_fds = 0;
    for (int i = 0; i < 125 && (parent_fds = fds_on(dev)) == 0; i++)
        usleep(20 * 1000);                     /* until the probe waits for its answer (2.5 s) */
    if ((pid = fork()) == 0) {
        int held = fds_on(dev);
        if (held != 0)
            fprintf(stderr, "probe-child[%ld]: holds %d fd(s) on %s\n", (long)getpid(), held,
                    dev);
        _exit(held != 0);
    }
    errors += waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    pthread_join(t, NULL);
    kill(tpm, SIGCONT);
    printf("probe: the parent held %d fd(s) on the device at the fork; the open returned %s\n",
           parent_fds, secprov_strerror(open_rc));
    if (parent_fds != 1) {                     /* else the fork missed the probe: proves nothing */
        fprintf(stderr, "probe: the fork did not happen during the probe\n");
        errors++;
    }
    return errors;
}

static volatile int gated_done;
static struct timespec gated_at;
static int held_dir = -1;

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void *gated_seal(void *arg)
{
    *(int *)arg = seal("gated", "sealed while the state folder was locked");
    clock_gettime(CLOCK_MONOTONIC, &gated_at);
    gated_done = 1;
    return NULL;
}

static void *unlocker(void *arg)
{
    (void)arg;
    usleep(150 * 1000);              /* the gate's bound (500 ms) leaves the seal 350 ms */
    flock(held_dir, LOCK_UN);
    return NULL;
}

static int mode_gate(void)
{
    char where[PATH_MAX], *slash;
    int errors = seal("gated", "before"), thread_errors = 0, status;
    struct timespec t0;
    pthread_t t, u;
    pid_t pid;

    if (errors || secprov_locate(sp, "gated", where, sizeof where) != SECPROV_OK ||
        (slash = strrchr(where, '/')) == NULL)
        return errors + 1;
    *slash = '\0';                                 /* the folder the seal writes into */
    const char *dir = strncmp(where, "file:", 5) == 0 ? where + 5 : where;
    if ((held_dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
        flock(held_dir, LOCK_EX) != 0) {
        fprintf(stderr, "gate: cannot lock %s\n", dir);
        return 1;
    }
    pthread_create(&t, NULL, gated_seal, &thread_errors);
    usleep(100 * 1000);                            /* the seal now waits for the folder's lock */
    pthread_create(&u, NULL, unlocker, NULL);
    if (gated_done) {
        fprintf(stderr, "gate: the seal did not wait for the folder's lock\n");
        errors++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((pid = fork()) == 0) {
        who = "gate-child";
        alarm(30);
        _exit(expect("gated", "sealed while the state folder was locked") + seal("forked", "in a child"));
    }
    int done_at_fork = gated_done;
    double fork_ms = ms_since(&t0);
    errors += waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    pthread_join(t, NULL);
    pthread_join(u, NULL);
    close(held_dir);
    printf("gate: fork() returned after %.0f ms; the seal in flight had %s\n", fork_ms,
           done_at_fork ? "returned" : "NOT returned");
    if (!done_at_fork)
        errors++;
    return errors + thread_errors;
}

static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int in_callback;

static void host_emit(const char *key, const char *value, void *user)
{
    (void)key, (void)value, (void)user;
    in_callback = 1;
    pthread_mutex_lock(&host_lock);             /* the "GIL": held by the forking thread */
    pthread_mutex_unlock(&host_lock);
}

static void *info_call(void *arg)
{
    *(int *)arg = secprov_info(sp, host_emit, NULL) == SECPROV_OK ? 0 : 1;
    return NULL;
}

static int mode_callback(void)
{
    int errors = 0, thread_errors = 0, status;
    struct timespec t0;
    pthread_t t;
    pid_t pid;

    pthread_mutex_lock(&host_lock);
    pthread_create(&t, NULL, info_call, &thread_errors);
    for (int i = 0; i < 250 && !in_callback; i++)
        usleep(20 * 1000);
    if (!in_callback) {
        fprintf(stderr, "callback: the call never reached its emitter\n");
        pthread_mutex_unlock(&host_lock);
        pthread_join(t, NULL);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((pid = fork()) == 0) {
        who = "callback-child";
        alarm(30);
        _exit(seal("forked", "in a child") + expect("forked", "in a child"));
    }
    double fork_ms = ms_since(&t0);
    pthread_mutex_unlock(&host_lock);
    errors += waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    pthread_join(t, NULL);
    printf("callback: fork() returned after %.0f ms with a call in the host's emitter\n", fork_ms);
    if (fork_ms >= 250) {             /* the gate's bound is 500 ms */
        fprintf(stderr, "callback: the fork waited for a call in a callback to the host\n");
        errors++;
    }
    return errors + thread_errors;
}

int main(int argc, char **argv)
{
    secprov_options o = SECPROV_OPTIONS_INIT;
    const char *mode = argc > 1 ? argv[1] : "";
    int rounds = argc > 2 ? atoi(argv[2]) : 20, errors, rc;

    if (getenv("FORK_BUDGET_S") != NULL)
        budget_s = atoi(getenv("FORK_BUDGET_S"));
    start = time(NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((rc = secprov_open(&sp, &o)) != SECPROV_OK) {
        fprintf(stderr, "open: %s (%s)\n", secprov_strerror(rc), secprov_last_error());
        return 2;
    }
    printf("provider: %s\n", secprov_provider_name(sp));
    if (strcmp(mode, "three") == 0)
        errors = mode_three(rounds);
    else if (strcmp(mode, "pool") == 0)
        errors = mode_pool();
    else if (strcmp(mode, "orphan") == 0)
        errors = mode_orphan();
    else if (strcmp(mode, "threads") == 0)
        errors = mode_threads();
    else if (strcmp(mode, "probe") == 0)
        errors = mode_probe();
    else if (strcmp(mode, "gate") == 0)
        errors = mode_gate();
    else if (strcmp(mode, "callback") == 0)
        errors = mode_callback();
    else {
        fprintf(stderr, "usage: forker three|pool|orphan|threads|probe|gate|callback [ROUNDS]\n");
        return 2;
    }
    secprov_close(sp);
    printf("errors: %d\n", errors);
    return errors == 0 ? 0 : 1;
}
