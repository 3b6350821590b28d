/* secprov-attestor [--config FILE]: the runtime attestor, in the
 * foreground until SIGTERM or SIGINT (docs/attestor.md).
 * secprov-attestor --audit-verify FILE [PREV_HEAD]: checks an audit log's
 * chain (what `secprov attestor audit-verify` runs).
 * secprov-attestor --client-verify [--config FILE]: asks the running daemon
 * (what `secprov attestor verify` runs; client_verify.c). */
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attestor.h"

static int usage(void)
{
    fprintf(stderr, "usage: secprov-attestor [--config FILE]\n"
                    "       secprov-attestor --client-verify [--config FILE]\n"
                    "       secprov-attestor --audit-verify FILE [PREV_HEAD]\n");
    return 2;
}

static int audit_verify(const char *file, const char *prev)
{
    char why[AT_WHY];
    long bad = at_audit_verify_file(file, prev, why, sizeof why);

    if (bad == 0) {
        printf("%s: good: %s\n", file, why);
        return 0;
    }
    fprintf(stderr, "%s: %s\n", file, why);
    return 1;
}

static void audit_note(at_daemon *d, const char *event, const char *key, const char *value)
{
    char why[AT_WHY];
    json_object *f = json_object_new_object();

    if (key != NULL)
        json_object_object_add(f, key, json_object_new_string(value));
    if (at_audit_append(&d->audit, event, f, why, sizeof why) != 0) {
        fprintf(stderr, "secprov-attestor: %s\n", why);
        d->audit_ok = 0;
    }
}

int main(int argc, char **argv)
{
    const char *config = NULL;
    static at_daemon d;
    char why[AT_WHY];
    long torn = 0;
    sigset_t sigs;
    struct MHD_Daemon *http;

    int client = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[++i];
        else if (strcmp(argv[i], "--client-verify") == 0)
            client = 1;
        else if (strcmp(argv[i], "--audit-verify") == 0 && i + 1 < argc && i + 3 >= argc)
            return audit_verify(argv[i + 1], i + 2 < argc ? argv[i + 2] : NULL);
        else
            return usage();
    }
    if (client)
        return at_client_verify(config);
    if (at_config_load(&d.cfg, config, why, sizeof why) != 0) {
        fprintf(stderr, "secprov-attestor: %s\n", why);
        return 1;
    }
    d.config_path = config;
    pthread_mutex_init(&d.lock, NULL);
    pthread_mutex_init(&d.attest_lock, NULL);
    d.state = AT_PENDING;
    d.secure_boot = -1;
    /* signals are taken by this thread alone (sigtimedwait), never by the
     * server's threads */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    why[0] = '\0';
    if (at_audit_open(&d.audit, d.cfg.audit_log, d.cfg.audit_max_bytes, &torn, why,
                      sizeof why) != 0) {
        fprintf(stderr, "secprov-attestor: %s (the state is degraded until it is fixed)\n", why);
        d.audit_ok = 0;
        snprintf(d.audit_why, sizeof d.audit_why, "%s", why);
    } else {
        d.audit_ok = 1;
        if (torn > 0) {
            fprintf(stderr, "secprov-attestor: audit log %s: %s: cut off, the chain goes on "
                            "from the last good line\n", d.cfg.audit_log, why);
            audit_note(&d, "torn_line_recovered", "why", why);
        }
        audit_note(&d, "start", "listen", d.cfg.listen);
    }
    if ((http = at_http_start(&d, why, sizeof why)) == NULL) {
        fprintf(stderr, "secprov-attestor: %s\n", why);
        at_audit_close(&d.audit);
        at_config_free(&d.cfg);
        return 1;
    }
    fprintf(stderr, "secprov-attestor: listening on %s\n", d.cfg.listen);
    at_attest(&d, "start", NULL, NULL);
    at_notify_ready(&d);
    for (;;) {
        struct timespec ts = {.tv_sec = d.cfg.refresh_interval_s};
        int sig = sigtimedwait(&sigs, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT)
            break;
        if (sig < 0 && errno == EAGAIN)
            at_attest(&d, "periodic", NULL, NULL);
    }
    at_notify_stopping();
    at_http_stop(http);
    audit_note(&d, "stop", NULL, NULL);
    fprintf(stderr, "secprov-attestor: stopped\n");
    at_audit_close(&d.audit);
    json_object_put(d.bundle);
    free(d.bundle_text);
    free(d.verify_ok);
    free(d.enrollment);
    at_config_free(&d.cfg);
    return 0;
}
