/* sd_notify for a Type=notify unit (docs/attestor.md#systemd-and-containers):
 * READY=1 once the server listens and the first attestation is done,
 * STATUS=<state> on each state change, STOPPING=1 at SIGTERM.
 *
 * libsystemd's sd_notify is loaded with dlopen("libsystemd.so.0") at run
 * time (as systemd itself dlopen()s libtss2): no link-time and no build
 * dependency. NOTIFY_SOCKET unset (not under systemd, tests, containers):
 * nothing is loaded and nothing sent. NOTIFY_SOCKET set and the library
 * missing: one line on stderr, and the daemon goes on serving. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attestor.h"

typedef int (*sd_notify_fn)(int unset_environment, const char *state);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sd_notify_fn notify_fn;   /* NULL: nothing to tell, or no way to */
static int send_failed;          /* a failed send is reported once */
static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;

static void load(void)
{
    const char *sock = getenv("NOTIFY_SOCKET");
    void *dl;

    if (sock == NULL || sock[0] == '\0')
        return;
    dl = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        const char *e = dlerror();
        fprintf(stderr, "secprov-attestor: NOTIFY_SOCKET is set but libsystemd.so.0 cannot be "
                        "loaded (%s): no sd_notify, the service manager is not told READY=1 "
                        "(install libsystemd0, or use Type=simple); going on\n",
                e != NULL ? e : "unknown error");
        return;
    }
    *(void **)(&notify_fn) = dlsym(dl, "sd_notify");
    if (notify_fn == NULL)
        fprintf(stderr, "secprov-attestor: NOTIFY_SOCKET is set but libsystemd.so.0 has no "
                        "sd_notify: the service manager is not told READY=1; going on\n");
}

static void send_text(const char *text)
{
    int rc;

    pthread_once(&once, load);
    if (notify_fn == NULL)
        return;
    /* one message at a time, so STATUS lines arrive in the order of the
     * state changes */
    pthread_mutex_lock(&send_lock);
    rc = notify_fn(0, text);
    if (rc < 0 && !send_failed) {
        send_failed = 1;
        fprintf(stderr, "secprov-attestor: sd_notify(\"%s\") to NOTIFY_SOCKET %s: %s (further "
                        "failures are not reported)\n",
                text, getenv("NOTIFY_SOCKET"), strerror(-rc));
    }
    pthread_mutex_unlock(&send_lock);
}

void at_notify_ready(at_daemon *d)
{
    char text[64];

    pthread_mutex_lock(&d->lock);
    snprintf(text, sizeof text, "READY=1\nSTATUS=%s", at_state_name(d->state));
    pthread_mutex_unlock(&d->lock);
    send_text(text);
}

void at_notify_state(int state)
{
    char text[32];

    snprintf(text, sizeof text, "STATUS=%s", at_state_name(state));
    send_text(text);
}

void at_notify_stopping(void)
{
    send_text("STOPPING=1\nSTATUS=stopping");
}
