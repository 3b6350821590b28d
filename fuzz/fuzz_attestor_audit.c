/* libFuzzer: the audit log's reader (attestor/audit_log.c). The input as
 * one line (at_audit_line_parse: a line it accepts is canonical JSON with a
 * 64-hex "prev", and its hash is the SHA-256 of its bytes) and as a whole
 * log file (at_audit_verify_file: 0 and a head, a bad line's number and
 * why, or -1 and why). Inputs are at most libFuzzer's -max_len (4096). */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attestor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char hash[65], prev[65], why[AT_WHY] = "", want[65];
    uint64_t seq = 0;

    if (at_audit_line_parse((const char *)data, size, hash, prev, &seq, why, sizeof why) == 0) {
        unsigned char d[32];
        unsigned int dl = 0;
        EVP_Digest(data, size, d, &dl, EVP_sha256(), NULL);
        at_hex(d, 32, want);
        if (strcmp(hash, want) != 0 || strlen(prev) != 64 ||
            strspn(prev, "0123456789abcdef") != 64 || seq < 1)
            abort();
    } else if (why[0] == '\0') {
        abort();
    }

    char path[] = "/tmp/secprov-fuzz-audit.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        why[0] = '\0';
        long bad = at_audit_verify_file(path, NULL, why, sizeof why);
        if (bad < -1 || why[0] == '\0')
            abort();
        if (bad == 0 && size > 0 && data[size - 1] != '\n')
            abort();                  /* a last line without its newline is torn */
        why[0] = '\0';
        bad = at_audit_verify_file(path, "0000000000000000000000000000000000000000000000000000000000000000",
                                   why, sizeof why);
        if (bad < -1 || why[0] == '\0')
            abort();
    }
    close(fd);
    unlink(path);
    return 0;
}
