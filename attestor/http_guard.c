/* The request deadline (docs/attestor.md, "Load and hostile clients"):
 * libmicrohttpd's timeout is an idle timeout, reset by every byte, so a
 * client that trickles a request a byte a second holds its connection for
 * hours; 512 of them (the connection limit) and no one else is accepted.
 * Here each connection must finish a request (headers, body, answer)
 * within deadline_s of connecting or of finishing its previous one, else a
 * reaper thread shuts its socket down; libmicrohttpd then sees the end of
 * the stream and closes it. An entry leaves the table on
 * MHD_CONNECTION_NOTIFY_CLOSED, which libmicrohttpd calls before it closes
 * the socket, and the reaper shuts sockets down only under the table's
 * lock: it never touches a closed (or reused) descriptor. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "attestor.h"

typedef struct at_conn {
    int fd;
    int reaped;
    double since;               /* monotonic seconds: waiting for a request since */
    struct at_conn *prev, *next;
} at_conn;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static at_conn head = {.prev = &head, .next = &head};
static pthread_t reaper;
static int running, stopping;
static unsigned deadline;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *reap(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec tick = {0, 250 * 1000 * 1000};
        nanosleep(&tick, NULL);
        pthread_mutex_lock(&mu);
        if (stopping) {
            pthread_mutex_unlock(&mu);
            return NULL;
        }
        double t = now_s();
        for (at_conn *e = head.next; e != &head; e = e->next)
            if (!e->reaped && t - e->since >= deadline) {
                shutdown(e->fd, SHUT_RDWR);
                e->reaped = 1;
            }
        pthread_mutex_unlock(&mu);
    }
}

int at_guard_start(unsigned deadline_s, char *why, size_t why_len)
{
    int rc;

    deadline = deadline_s;
    stopping = 0;
    if ((rc = pthread_create(&reaper, NULL, reap, NULL)) != 0) {
        snprintf(why, why_len, "request deadline thread: %s", strerror(rc));
        return -1;
    }
    running = 1;
    return 0;
}

void at_guard_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_mutex_unlock(&mu);
    pthread_join(reaper, NULL);
    running = 0;
}

void at_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                     enum MHD_ConnectionNotificationCode toe)
{
    at_conn *e = *socket_context;

    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci == NULL || (e = calloc(1, sizeof *e)) == NULL)
            return;             /* not guarded; the idle timeout still holds */
        e->fd = ci->connect_fd;
        e->since = now_s();
        pthread_mutex_lock(&mu);
        e->next = head.next;
        e->prev = &head;
        head.next->prev = e;
        head.next = e;
        pthread_mutex_unlock(&mu);
        *socket_context = e;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && e != NULL) {
        pthread_mutex_lock(&mu);
        e->prev->next = e->next;
        e->next->prev = e->prev;
        pthread_mutex_unlock(&mu);
        free(e);
        *socket_context = NULL;
    }
}

/* The connection's clock set to t (its entry found through libmicrohttpd's
 * socket context; an unguarded connection is left alone). */
static void set_since(struct MHD_Connection *c, double t)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    at_conn *e = ci != NULL ? ci->socket_context : NULL;

    if (e == NULL)
        return;
    pthread_mutex_lock(&mu);
    e->since = t;
    pthread_mutex_unlock(&mu);
}

/* While a handler waits for an attestation (a slow or wedged TPM may take
 * longer than the deadline) the connection is not the client's fault:
 * held, it is never reaped; released, its answer gets a whole deadline. */
void at_guard_hold(struct MHD_Connection *c, int hold)
{
    set_since(c, hold ? 1e300 : now_s());
}

void at_guard_request_done(struct MHD_Connection *c)
{
    set_since(c, now_s());
}
