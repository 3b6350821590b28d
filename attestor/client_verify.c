/* secprov-attestor --client-verify: asks the running daemon (through the
 * config's listen) GET /api/v1/verify; exit 0 only for 200 with
 * "verified": true (what `secprov attestor verify` runs, for ExecStartPre=
 * and container health checks). Never attests by itself. The answer is
 * read whole (at most 64 KiB, 5 s); only its status line and its JSON body
 * are looked at, the body by json-c. */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "attestor.h"

#define ANSWER_MAX 65536
#define TIMEOUT_MS 5000

static int connect_to(const at_config *c, char *why, size_t why_len)
{
    char host[256];
    int port, fd;

    if (at_listen_parse(c->listen, c->allow_remote, host, sizeof host, &port, why, why_len))
        return -1;
    if (port < 0) {
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        memcpy(un.sun_path, host, strnlen(host, sizeof un.sun_path - 1));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&un, sizeof un) == 0)
            return fd;
    } else {
        struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        inet_pton(AF_INET, host, &in.sin_addr);
        if (in.sin_addr.s_addr == htonl(INADDR_ANY))
            in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&in, sizeof in) == 0)
            return fd;
    }
    snprintf(why, why_len, "cannot reach the attestor at %s: %s", c->listen, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

int at_client_verify(const char *config)
{
    static const char req[] = "GET /api/v1/verify HTTP/1.0\r\nHost: localhost\r\n\r\n";
    at_config c;
    char why[AT_WHY], *buf = NULL, *body;
    size_t n = 0;
    int fd, rc = 1;
    json_object *o = NULL, *v;

    if (at_config_load(&c, config, why, sizeof why) != 0) {
        fprintf(stderr, "secprov: error: %s\n", why);
        return 1;
    }
    if ((fd = connect_to(&c, why, sizeof why)) < 0) {
        fprintf(stderr, "secprov: error: %s\n", why);
        goto out;
    }
    if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1) ||
        (buf = malloc(ANSWER_MAX + 1)) == NULL) {
        fprintf(stderr, "secprov: error: sending to the attestor: %s\n", strerror(errno));
        goto out;
    }
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, TIMEOUT_MS) != 1) {
            fprintf(stderr, "secprov: error: the attestor did not answer within 5 s\n");
            goto out;
        }
        ssize_t r = recv(fd, buf + n, ANSWER_MAX - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "secprov: error: reading the attestor's answer: %s\n",
                    strerror(errno));
            goto out;
        }
        if (r == 0 || (n += (size_t)r) == ANSWER_MAX)
            break;
    }
    buf[n] = '\0';
    body = strstr(buf, "\r\n\r\n");
    int status = 0;
    if (sscanf(buf, "HTTP/1.%*1[01] %3d", &status) != 1 || body == NULL ||
        (o = json_tokener_parse(body + 4)) == NULL) {
        fprintf(stderr, "secprov: error: the answer from %s is not HTTP with a JSON body\n",
                c.listen);
        goto out;
    }
    const char *state = json_object_object_get_ex(o, "state", &v) ? json_object_get_string(v)
                                                                  : "unknown";
    int verified = json_object_object_get_ex(o, "verified", &v) &&
                   json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
    printf("attestor: %s\n", state);
    rc = status == 200 && verified ? 0 : 1;
out:
    if (fd >= 0)
        close(fd);
    json_object_put(o);
    free(buf);
    at_config_free(&c);
    return rc;
}
