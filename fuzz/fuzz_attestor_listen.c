/* libFuzzer: the attestor's listen address (at_listen_parse,
 * attestor/at_config.c): "host:port" or "unix:/path". The first byte picks
 * allow_remote. What it accepts: a Unix path that is absolute and under
 * 108 bytes (port -1), or an IPv4 host and a port 1..65535, a host outside
 * 127.0.0.0/8 only with allow_remote. What it refuses says why. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attestor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text, host[256], why[AT_WHY] = "";
    int port = 0, remote;
    struct in_addr a;

    if (size < 1)
        return 0;
    remote = data[0] & 1;
    if ((text = malloc(size)) == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    if (at_listen_parse(text, remote, host, sizeof host, &port, why, sizeof why) == 0) {
        if (port == -1) {
            if (strncmp(text, "unix:", 5) != 0 || host[0] != '/' || strlen(host) >= 108)
                abort();
        } else if (port < 1 || port > 65535 || inet_pton(AF_INET, host, &a) != 1 ||
                   (!remote && (ntohl(a.s_addr) >> 24) != 127)) {
            abort();
        }
    } else if (why[0] == '\0') {
        abort();
    }
    free(text);
    return 0;
}
