/*
 * mitmtpm LINK SOCKET LOG
 *
 * An interposer on the TPM bus, for tests/tpm/test_interposer.sh: LINK
 * becomes a character device (a pseudo-terminal, as in ptytpm.c) whose
 * commands are relayed to the swtpm listening on the unix socket SOCKET, and
 * the answers back. Every command code is appended to LOG ("cmd 00000173").
 *
 * With MITM_LIE_SRK=FILE it lies as an attacker on the bus would: in the
 * answer to TPM2_ReadPublic of 0x81000001 it puts the TPM2B_PUBLIC in FILE
 * (the attacker's own key) in place of the SRK's and keeps the name the TPM
 * reported, so the name still matches the keystore while the key is the
 * attacker's ("lie" in LOG). A client that encrypted a session salt to that
 * key would hand the session to the attacker.
 *
 * With MITM_EXTEND_AFTER_QUOTE=N it plays a process that extends PCR 7
 * between a quote and the PCR read that follows it (tests/attest/
 * test_attest_retry.sh): after each of the first N TPM2_Quote answers it
 * sends TPM2_PCR_Extend(7, sha256) to the TPM itself ("extend" in LOG).
 * Runs until SIGTERM or a closed socket.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pty_pair.h"

#define HEADER 10
#define MAX_MSG 4096
#define CC_READ_PUBLIC 0x00000173u
#define CC_QUOTE 0x00000158u
#define SRK_HANDLE 0x81000001u

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* All LEN bytes of BUF read from FD (WRITING 0) or written to it (1). */
static int all_of(int fd, uint8_t *buf, size_t len, int writing)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = writing ? write(fd, buf + done, len - done) : read(fd, buf + done, len - done);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}
static int read_all(int fd, uint8_t *buf, size_t len) { return all_of(fd, buf, len, 0); }
static int write_all(int fd, const uint8_t *buf, size_t len) { return all_of(fd, (uint8_t *)buf, len, 1); }

/* One TPM message (command or response): header, then the rest by its size. */
static int read_msg(int fd, uint8_t *buf, size_t *len)
{
    if (read_all(fd, buf, HEADER) != 0)
        return -1;
    uint32_t size = be32(buf + 2);
    if (size < HEADER || size > MAX_MSG || read_all(fd, buf + HEADER, size - HEADER) != 0)
        return -1;
    *len = size;
    return 0;
}

/* TPM2_PCR_Extend(PCR 7, sha256 = 32 x n) with the empty password: 0 on success. */
static int extend_pcr7(int tpm, uint8_t n)
{
    uint8_t c[65] = {0x80, 0x02, 0, 0, 0, 65, 0, 0, 0x01, 0x82,   /* sessions, size, CC */
                     0, 0, 0, 7,                                   /* PCR 7 */
                     0, 0, 0, 9, 0x40, 0, 0, 9, 0, 0, 0, 0, 0,     /* TPM_RS_PW, empty */
                     0, 0, 0, 1, 0x00, 0x0b};                      /* 1 digest, SHA-256 */
    uint8_t r[MAX_MSG];
    size_t len;

    memset(c + 33, n, 32);
    return write_all(tpm, c, sizeof c) == 0 && read_msg(tpm, r, &len) == 0 && be32(r + 6) == 0
               ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: mitmtpm LINK SOCKET LOG\n");
        return 2;
    }
    uint8_t fake[MAX_MSG];
    size_t fake_len = 0;
    const char *fake_path = getenv("MITM_LIE_SRK");
    if (fake_path != NULL) {
        FILE *f = fopen(fake_path, "rb");
        fake_len = f != NULL ? fread(fake, 1, sizeof fake, f) : 0;
        if (f != NULL)
            fclose(f);
        if (fake_len < 2) {
            fprintf(stderr, "mitmtpm: cannot read a TPM2B_PUBLIC from %s\n", fake_path);
            return 1;
        }
    }
    int master, slave;                                   /* slave kept: no hang-up */
    const char *slave_path;
    if (pty_pair("mitmtpm", &master, &slave, &slave_path) != 0)
        return 1;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int tpm = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (strlen(argv[2]) >= sizeof addr.sun_path || tpm < 0) {
        fprintf(stderr, "mitmtpm: bad socket path\n");
        return 1;
    }
    strcpy(addr.sun_path, argv[2]);
    if (connect(tpm, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("mitmtpm: connect");
        return 1;
    }
    FILE *log = fopen(argv[3], "a");
    if (log == NULL) {
        perror("mitmtpm: log");
        return 1;
    }
    setvbuf(log, NULL, _IOLBF, 0);
    unlink(argv[1]);
    if (symlink(slave_path, argv[1]) != 0) {
        perror("mitmtpm: symlink");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    const char *extends_env = getenv("MITM_EXTEND_AFTER_QUOTE");
    int extends = extends_env != NULL ? atoi(extends_env) : 0;

    uint8_t cmd[MAX_MSG], rsp[MAX_MSG];
    size_t cmd_len, rsp_len;
    while (read_msg(master, cmd, &cmd_len) == 0) {
        uint32_t cc = be32(cmd + 6);
        fprintf(log, "cmd %08x\n", cc);
        if (write_all(tpm, cmd, cmd_len) != 0 || read_msg(tpm, rsp, &rsp_len) != 0)
            break;
        /* ReadPublic's answer: header | TPM2B_PUBLIC | TPM2B_NAME name | qualifiedName */
        if (fake_len > 0 && cc == CC_READ_PUBLIC && cmd_len >= HEADER + 4 &&
            be32(cmd + HEADER) == SRK_HANDLE && be32(rsp + 6) == 0 && rsp_len > HEADER + 2) {
            size_t old = 2 + ((size_t)rsp[HEADER] << 8 | rsp[HEADER + 1]);
            size_t rest = HEADER + old <= rsp_len ? rsp_len - HEADER - old : 0;
            size_t len = HEADER + fake_len + rest;
            if (HEADER + old <= rsp_len && len <= MAX_MSG) {
                memmove(rsp + HEADER + fake_len, rsp + HEADER + old, rest);   /* the names */
                memcpy(rsp + HEADER, fake, fake_len);
                rsp[2] = (uint8_t)(len >> 24);
                rsp[3] = (uint8_t)(len >> 16);
                rsp[4] = (uint8_t)(len >> 8);
                rsp[5] = (uint8_t)len;
                rsp_len = len;
                fprintf(log, "lie\n");
            }
        }
        if (extends > 0 && cc == CC_QUOTE && be32(rsp + 6) == 0) {
            if (extend_pcr7(tpm, (uint8_t)extends) != 0)
                break;
            extends--;
            fprintf(log, "extend\n");
        }
        if (write_all(master, rsp, rsp_len) != 0)
            break;
    }
    unlink(argv[1]);
    return 0;
}
