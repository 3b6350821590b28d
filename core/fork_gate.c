/* The fork gate: see fork_gate.h. */
#include "fork_gate.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reopened;     /* a fork is over: calls may start */
static pthread_cond_t idle;         /* the last call in flight ended */
static int in_flight;               /* threads counted as in a call */
static int fork_pending;            /* a fork waits for in_flight == 0 */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static _Thread_local int depth;     /* this thread's nested calls */
static _Thread_local int counted;   /* this thread is in in_flight */

static void conds_init(void)
{
    pthread_condattr_t a;

    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&idle, &a);
    pthread_condattr_destroy(&a);
    pthread_cond_init(&reopened, NULL);
}

/* The mutex is held from here through the fork: no call starts or ends
 * meanwhile, and the child gets it held by its only thread. */
static void before_fork(void)
{
    struct timespec until;

    pthread_mutex_lock(&gate);
    fork_pending = 1;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += (long)SP_FORK_GATE_WAIT_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (in_flight > counted)     /* a fork from inside a call waits for the others only */
        if (pthread_cond_timedwait(&idle, &gate, &until) == ETIMEDOUT)
            break;
}

static void parent_after_fork(void)
{
    fork_pending = 0;
    pthread_cond_broadcast(&reopened);
    pthread_mutex_unlock(&gate);
}

/* The child's only thread is the forking one: the gate anew, counting it
 * if it forked from inside a call. */
static void child_after_fork(void)
{
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

    gate = fresh;
    conds_init();
    fork_pending = 0;
    in_flight = counted;
}

static void install(void)
{
    conds_init();
    (void)pthread_atfork(before_fork, parent_after_fork, child_after_fork);
}

static void count_in(void)
{
    pthread_once(&once, install);
    pthread_mutex_lock(&gate);
    while (fork_pending)
        pthread_cond_wait(&reopened, &gate);
    in_flight++;
    counted = 1;
    pthread_mutex_unlock(&gate);
}

static void count_out(void)
{
    pthread_mutex_lock(&gate);
    in_flight--;
    if (fork_pending)               /* the fork may wait for 0, or for 1: its own call */
        pthread_cond_broadcast(&idle);
    counted = 0;
    pthread_mutex_unlock(&gate);
}

void sp_gate_enter(void)
{
    if (depth++ == 0 || !counted)
        count_in();
}

void sp_gate_leave(void)
{
    if (--depth == 0 && counted)
        count_out();
}

int sp_gate_leave_rc(int rc)
{
    sp_gate_leave();
    return rc;
}

void sp_gate_pause(void)
{
    if (counted)
        count_out();
}

void sp_gate_resume(void)
{
    if (depth > 0 && !counted)
        count_in();
}
