/* The endpoints (docs/attestor.md#endpoints), served by libmicrohttpd: a
 * pool of threads so a refresh never stalls /health or /api/v1/verify,
 * bounded connections, memory and time per connection. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "attestor.h"

#define BODY_MAX 4096
#define TOKEN_MAX 1024
/* A connection must finish a request within this many seconds of
 * connecting or of its previous request (http_guard.c): the idle timeout
 * alone lets a byte-a-second client hold a connection for hours. */
#define REQUEST_DEADLINE_S 5

typedef struct req {
    size_t body;                /* bytes of body seen */
    int too_big;
} req;

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_object *o)
{
    enum MHD_Result ret = send_text(
        c, status, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return ret;
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", json_object_new_string(msg));
    return send_json(c, status, o);
}

/* "ip:port" of a TCP peer, "uid:N" of a Unix-socket peer. */
static void requester(struct MHD_Connection *c, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "unknown");
    if (ci != NULL && ci->client_addr != NULL && ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ci->client_addr;
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(out, len, "%s:%u", ip, ntohs(in->sin_port));
        return;
    }
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci != NULL) {
        struct ucred cr;
        socklen_t sl = sizeof cr;
        if (getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) == 0)
            snprintf(out, len, "uid:%u", (unsigned)cr.uid);
    }
}

/* The token file: owned by root or this user, readable and writable by no
 * other (mode & 077 == 0), a regular file, not a link. 0 and the token
 * (trailing newline dropped), else -1 and why. */
static int token_read(const char *path, char *tok, size_t tok_len, char *why, size_t why_len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        snprintf(why, why_len, "token file %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "token file %s: not a regular file", path);
        goto fail;
    }
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        snprintf(why, why_len, "token file %s: owned by uid %u, not root or the service user",
                 path, (unsigned)st.st_uid);
        goto fail;
    }
    if (st.st_mode & 077) {
        snprintf(why, why_len, "token file %s: mode %03o lets other users at it (0600 or 0400)",
                 path, (unsigned)(st.st_mode & 0777));
        goto fail;
    }
    n = read(fd, tok, tok_len - 1);
    close(fd);
    if (n <= 0) {
        snprintf(why, why_len, "token file %s: empty or unreadable", path);
        return -1;
    }
    while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r'))
        n--;
    tok[n] = '\0';
    if (n == 0) {
        snprintf(why, why_len, "token file %s: empty", path);
        return -1;
    }
    return 0;
fail:
    close(fd);
    return -1;
}

/* Constant time: both sides hashed, the digests compared. */
static int token_equal(const char *a, const char *b)
{
    unsigned char da[32], db[32];
    unsigned int l = 0;

    EVP_Digest(a, strlen(a), da, &l, EVP_sha256(), NULL);
    EVP_Digest(b, strlen(b), db, &l, EVP_sha256(), NULL);
    return CRYPTO_memcmp(da, db, 32) == 0;
}

static void audit_event(at_daemon *d, const char *event, const char *who, const char *why)
{
    char w[AT_WHY];
    json_object *f = json_object_new_object();

    json_object_object_add(f, "requester", json_object_new_string(who));
    if (why != NULL)
        json_object_object_add(f, "why", json_object_new_string(why));
    pthread_mutex_lock(&d->attest_lock);
    if (at_audit_append(&d->audit, event, f, w, sizeof w) != 0)
        fprintf(stderr, "secprov-attestor: %s\n", w);
    pthread_mutex_unlock(&d->attest_lock);
}

/* Requests that wait for an attestation (a refresh, a nonce) hold a
 * server thread while the TPM works; at most ATTEST_WAITERS at once, so
 * that /health and /api/v1/verify always have threads (the pool has 4). */
#define ATTEST_WAITERS 2
static int attest_slot(at_daemon *d, int delta)
{
    int ok = 1;

    pthread_mutex_lock(&d->lock);
    if (delta > 0 && d->attest_waiters >= ATTEST_WAITERS)
        ok = 0;
    else
        d->attest_waiters += delta;
    pthread_mutex_unlock(&d->lock);
    return ok;
}

static enum MHD_Result busy(struct MHD_Connection *c)
{
    const char *text = "{\"error\":\"busy: attestations are running, retry\"}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Retry-After", "1");
    ret = MHD_queue_response(c, 503, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result refresh(at_daemon *d, struct MHD_Connection *c)
{
    char who[80], tok[TOKEN_MAX], why[AT_WHY];
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");

    requester(c, who, sizeof who);
    if (d->cfg.token_file[0] == '\0') {
        audit_event(d, "refresh_refused", who, "no token_file configured");
        return error(c, 403, "refresh is refused: no token_file is configured");
    }
    if (token_read(d->cfg.token_file, tok, sizeof tok, why, sizeof why) != 0) {
        fprintf(stderr, "secprov-attestor: %s\n", why);
        audit_event(d, "refresh_refused", who, why);
        return error(c, 403, "refresh is refused: the token file is unusable (see the log)");
    }
    if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0) {
        explicit_bzero(tok, sizeof tok);
        audit_event(d, "refresh_refused", who, "no bearer token");
        return error(c, 401, "a bearer token is required");
    }
    int ok = token_equal(auth + 7, tok);
    explicit_bzero(tok, sizeof tok);
    if (!ok) {
        audit_event(d, "refresh_refused", who, "wrong token");
        return error(c, 401, "wrong token");
    }
    audit_event(d, "refresh_request", who, NULL);
    if (!attest_slot(d, +1))
        return busy(c);
    at_guard_hold(c, 1);
    at_attest(d, "refresh", who, NULL);
    at_guard_hold(c, 0);
    attest_slot(d, -1);
    pthread_mutex_lock(&d->lock);
    char *text = strdup(d->bundle_text);
    pthread_mutex_unlock(&d->lock);
    if (text == NULL)
        return MHD_NO;
    enum MHD_Result r = send_text(c, 200, text);
    free(text);
    return r;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Attestations asked for by anyone on the listen address (?nonce= needs no
 * token) get the TPM at most half the time: after one that took X, the
 * next starts X later at the earliest (503 Retry-After before), so loaders
 * on the same TPM always get their turn. */
static int nonce_turn(at_daemon *d)
{
    int ok;

    pthread_mutex_lock(&d->lock);
    ok = now_ns() >= d->nonce_not_before;
    pthread_mutex_unlock(&d->lock);
    return ok;
}

/* GET /api/v1/attest?nonce=HEX: an attestation of its own, at once, the
 * verifier's nonce (1 to 64 bytes as hex) inside the signed bundle. */
static enum MHD_Result attest_nonce(at_daemon *d, struct MHD_Connection *c, const char *hex)
{
    char who[80], lower[129];
    size_t n = strlen(hex);

    if (n == 0 || n % 2 != 0 || n > 128 || strspn(hex, "0123456789abcdefABCDEF") != n)
        return error(c, 400, "nonce: 1 to 64 bytes as hex digits");
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ? hex[i] - 'A' + 'a' : hex[i]);
    requester(c, who, sizeof who);
    if (!nonce_turn(d) || !attest_slot(d, +1))
        return busy(c);
    int64_t t0 = now_ns();
    at_guard_hold(c, 1);
    char *answer = at_attest(d, "nonce", who, lower);
    at_guard_hold(c, 0);
    int64_t t1 = now_ns();
    pthread_mutex_lock(&d->lock);
    d->nonce_not_before = t1 + (t1 - t0);
    pthread_mutex_unlock(&d->lock);
    attest_slot(d, -1);
    if (answer == NULL)
        return MHD_NO;
    enum MHD_Result r = send_text(c, 200, answer);
    free(answer);
    return r;
}

static enum MHD_Result status_answer(at_daemon *d, struct MHD_Connection *c)
{
    json_object *o = json_object_new_object();

    pthread_mutex_lock(&d->lock);
    json_object_object_add(o, "attestation_state",
                           json_object_new_string(at_state_name(d->state)));
    json_object_object_add(o, "tpm_available", json_object_new_boolean(d->tpm_available));
    json_object_object_add(o, "tpm_quote_verified",
                           json_object_new_boolean(d->tpm_quote_verified));
    json_object_object_add(o, "secure_boot",
                           d->secure_boot < 0 ? NULL : json_object_new_boolean(d->secure_boot));
    json_object_object_add(o, "policy_digest", json_object_new_string(d->policy_digest));
    json_object_object_add(o, "deployment_digest", json_object_new_string(d->deployment_digest));
    json_object_object_add(o, "service_count", json_object_new_int64((int64_t)d->cfg.service_count));
    json_object_object_add(o, "failure_count", json_object_new_int64((int64_t)d->failure_count));
    json_object_object_add(o, "last_attested",
                           d->last_attested ? json_object_new_int64((int64_t)d->last_attested)
                                            : NULL);
    json_object_object_add(o, "attest_count", json_object_new_int64((int64_t)d->attest_count));
    json_object_object_add(o, "degrade_count", json_object_new_int64((int64_t)d->degrade_count));
    json_object_object_add(o, "fail_count", json_object_new_int64((int64_t)d->fail_count));
    pthread_mutex_unlock(&d->lock);
    return send_json(c, 200, o);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_len, void **con_cls)
{
    at_daemon *d = cls;
    req *r = *con_cls;
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;

    (void)version;
    (void)upload;
    if (r == NULL) {                       /* the headers: the body, if any, comes next */
        if ((r = calloc(1, sizeof *r)) == NULL)
            return MHD_NO;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_len != 0) {                /* a body: counted, bounded, never kept */
        r->body += *upload_len;
        if (r->body > BODY_MAX)
            r->too_big = 1;
        *upload_len = 0;
        return MHD_YES;
    }
    if (r->too_big)
        return error(c, 413, "the body is larger than 4096 bytes");
    if (strcmp(url, "/health") == 0) {
        if (!get)
            return error(c, 405, "GET only");
        char buf[80];
        pthread_mutex_lock(&d->lock);
        snprintf(buf, sizeof buf, "{\"status\":\"ok\",\"state\":\"%s\"}", at_state_name(d->state));
        pthread_mutex_unlock(&d->lock);
        return send_text(c, 200, buf);
    }
    if (strcmp(url, "/api/v1/verify") == 0) {
        if (!get)
            return error(c, 405, "GET only");
        char *t;
        int ok;
        pthread_mutex_lock(&d->lock);
        ok = d->state == AT_ATTESTED;
        t = strdup(d->verify_ok != NULL ? d->verify_ok
                                        : "{\"verified\":false,\"state\":\"pending\"}");
        pthread_mutex_unlock(&d->lock);
        if (t == NULL)
            return MHD_NO;
        enum MHD_Result ret = send_text(c, ok ? 200 : 503, t);
        free(t);
        return ret;
    }
    if (strcmp(url, "/api/v1/attest") == 0) {
        if (!get)
            return error(c, 405, "GET only");
        const char *nonce = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "nonce");
        if (nonce != NULL)
            return attest_nonce(d, c, nonce);
        json_object *o = json_object_new_object(), *b;
        pthread_mutex_lock(&d->lock);
        json_object_object_add(o, "state", json_object_new_string(at_state_name(d->state)));
        b = d->bundle != NULL ? json_tokener_parse(d->bundle_text) : NULL;
        pthread_mutex_unlock(&d->lock);
        json_object_object_add(o, "bundle", b);
        return send_json(c, 200, o);
    }
    if (strcmp(url, "/api/security/status") == 0) {
        if (!get)
            return error(c, 405, "GET only");
        return status_answer(d, c);
    }
    if (strcmp(url, "/api/v1/refresh") == 0) {
        if (!post)
            return error(c, 405, "POST only");
        return refresh(d, c);
    }
    return error(c, 404, "no such endpoint");
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls,
                 enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
    at_guard_request_done(c);
}

/* Paths are matched as sent: no percent-decoding, so "/health%00x" is not
 * "/health" (decoded, the NUL would end the C string early). */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static int listen_socket(const at_config *cfg, char *why, size_t why_len)
{
    char host[256], w[200];
    int port, fd, one = 1;

    if (at_listen_parse(cfg->listen, cfg->allow_remote, host, sizeof host, &port, w, sizeof w)) {
        snprintf(why, why_len, "listen: %s", w);
        return -1;
    }
    if (port < 0) {
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        memcpy(un.sun_path, host, strnlen(host, sizeof un.sun_path - 1)); /* < 108: checked */
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        unlink(host);                   /* a stale socket of an earlier run */
        if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof un) != 0 ||
            chmod(host, 0660) != 0 || listen(fd, 128) != 0)
            goto fail;
        return fd;
    }
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &in.sin_addr);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&in, sizeof in) != 0 || listen(fd, 128) != 0)
        goto fail;
    return fd;
fail:
    snprintf(why, why_len, "listen %s: %s", cfg->listen, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

struct MHD_Daemon *at_http_start(at_daemon *d, char *why, size_t why_len)
{
    int fd = listen_socket(&d->cfg, why, why_len);
    struct MHD_Daemon *m;

    if (fd < 0)
        return NULL;
    if (at_guard_start(REQUEST_DEADLINE_S, why, why_len) != 0) {
        close(fd);
        return NULL;
    }
    /* STRICT_FOR_CLIENT: HTTP/1.1 without Host and the like are 400 */
    m = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
                         0, NULL, NULL, handle, d,
                         MHD_OPTION_LISTEN_SOCKET, fd,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)4,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
                         MHD_OPTION_NOTIFY_COMPLETED, done, d,
                         MHD_OPTION_NOTIFY_CONNECTION, at_guard_notify, NULL,
                         MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
                         MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
                         MHD_OPTION_END);
    if (m == NULL) {
        snprintf(why, why_len, "libmicrohttpd could not start on %s", d->cfg.listen);
        at_guard_stop();
        close(fd);
    }
    return m;
}

void at_http_stop(struct MHD_Daemon *m)
{
    MHD_stop_daemon(m);         /* every connection closed: the table is empty */
    at_guard_stop();
}
