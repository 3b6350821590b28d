/*
 * Seal-to (docs/seal-to.md):
 *   secprov seal-to --enrollment E [--require-activated RECORD] [--ek-ca FILE]
 *                   [--version N] NAME [FILE] > BLOB
 *       on a server, no TPM: libsecprov_verify, loaded with dlopen
 *   secprov import NAME BLOB      store the blob's secret as NAME
 *   secprov unwrap BLOB           the blob's secret to stdout, nothing stored
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "secprov_verify.h"
#include "verify_lib.h"

typedef int seal_to_fn(const char *, const secprov_verify_options *, const char *,
                       unsigned long long, const void *, size_t, unsigned char **, size_t *,
                       char *, size_t);
typedef const char *reason_fn(int);
typedef void free_fn(void *);

#define BLOB_MAX (SECPROV_SECRET_MAX + 64 * 1024)

/* All of path ("-": stdin) into malloc'd memory, at most max bytes. */
static int read_all(const char *path, size_t max, unsigned char **out, size_t *len, int secret,
                    size_t *secret_cap)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC), err;
    size_t cap = 0;

    if (fd < 0)
        return errno;
    if (secret) {
        err = cli_read_secret(fd, out, len, secret_cap);
    } else {
        unsigned char *buf = NULL;
        size_t n = 0;
        err = 0;
        for (;;) {
            if (n == cap) {
                unsigned char *b = cap <= max ? realloc(buf, cap + 65536) : NULL;
                if (b == NULL) {
                    err = cap > max ? EFBIG : ENOMEM;
                    break;
                }
                buf = b;
                cap += 65536;
            }
            ssize_t r = read(fd, buf + n, cap - n);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                err = r < 0 ? errno : 0;
                break;
            }
            n += (size_t)r;
        }
        if (err == 0 && n > max)
            err = EFBIG;
        if (err != 0)
            free(buf);
        else {
            *out = buf;
            *len = n;
        }
    }
    if (fd != STDIN_FILENO)
        close(fd);
    return err;
}

static int run_seal_to(cli_call *c)
{
    const char *enroll = c->opt[0], *ver = c->opt[1], *activated = c->opt[2], *name = c->argv[0];
    secprov_verify_options vo = {.size = sizeof vo, .ek_ca = c->opt[3]};
    const char *file = c->argc > 1 ? c->argv[1] : "-";
    unsigned long long version = 1;
    unsigned char *data = NULL, *blob = NULL;
    size_t len = 0, blob_len = 0, data_cap = 0;
    char detail[512], *end;
    int rc, err;

    if (enroll == NULL)
        return cli_error(CLI_USAGE, "usage: secprov seal-to --enrollment FILE [--require-activated "
                                    "RECORD] [--ek-ca FILE] [--version N] NAME [FILE] > BLOB");
    if (ver != NULL) {
        errno = 0;
        version = strtoull(ver, &end, 10);
        if (errno != 0 || *end != '\0' || version == 0 || ver[0] == '-')
            return cli_error(CLI_USAGE, "seal-to: --version must be a whole number >= 1");
    }
    if ((strcmp(file, "-") == 0 && (rc = cli_need_stdin(c)) != CLI_OK) ||
        (rc = cli_need_stdout(c)) != CLI_OK)
        return rc;
    void *dl = cli_verify_lib();
    seal_to_fn *seal_to = dl != NULL ? (seal_to_fn *)dlsym(dl, "secprov_verify_seal_to") : NULL;
    reason_fn *reason = dl != NULL ? (reason_fn *)dlsym(dl, "secprov_verify_reason") : NULL;
    free_fn *vfree = dl != NULL ? (free_fn *)dlsym(dl, "secprov_verify_free") : NULL;
    if (seal_to == NULL || reason == NULL || vfree == NULL)
        return cli_error(CLI_FAIL, "seal-to: cannot load libsecprov_verify.so.0: %s", dlerror());
    char *text = cli_read_text(enroll, "enrollment record"), *record = NULL;
    if (text == NULL)
        return CLI_FAIL;
    if (activated != NULL && (record = cli_read_text(activated, "activation record")) == NULL) {
        free(text);
        return CLI_FAIL;
    }
    vo.activation = record;
    if ((err = read_all(file, SECPROV_SECRET_MAX, &data, &len, 1, &data_cap)) != 0) {
        free(text);
        free(record);
        return cli_error(CLI_FAIL, "seal-to '%s': cannot read %s: %s", name,
                         strcmp(file, "-") == 0 ? "stdin" : file,
                         err == EFBIG ? "larger than 16 MiB" : strerror(err));
    }
    rc = len == 0 ? -1 : seal_to(text, &vo, name, version, data, len, &blob,
                                 &blob_len, detail, sizeof detail);
    secprov_free(data, data_cap);
    free(text);
    free(record);
    if (rc == -1)
        return cli_error(CLI_FAIL, "seal-to '%s': the secret is empty", name);
    if (rc != 0)
        return cli_error(CLI_FAIL, "seal-to '%s': %s: %s", name, reason(rc), detail);
    size_t off = 0;
    while (off < blob_len) {
        ssize_t w = write(STDOUT_FILENO, blob + off, blob_len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            vfree(blob);
            return cli_error(CLI_FAIL, "seal-to: cannot write to stdout: %s", strerror(errno));
        }
        off += (size_t)w;
    }
    vfree(blob);
    return CLI_OK;
}

static int run_import(cli_call *c)
{
    const char *name = c->argv[0], *path = c->argv[1];
    unsigned char *blob;
    size_t len;
    secprov *sp;
    int rc, err = read_all(path, BLOB_MAX, &blob, &len, 0, NULL);

    if (err != 0)
        return cli_error(CLI_FAIL, "import '%s': cannot read the blob %s: %s", name, path,
                         err == EFBIG ? "too large" : strerror(err));
    if ((rc = cli_open(c, &sp)) == CLI_OK) {
        rc = secprov_import(sp, name, blob, len);
        rc = rc == SECPROV_OK ? CLI_OK : cli_fail_status("import", name, rc);
        secprov_close(sp);
    }
    free(blob);
    return rc;
}

static int run_unwrap(cli_call *c)
{
    const char *path = c->argv[0];
    unsigned char *blob;
    size_t len, dlen = 0;
    void *data = NULL;
    secprov *sp;
    int rc = cli_need_stdout(c), err;

    if (rc != CLI_OK)
        return rc;
    if ((err = read_all(path, BLOB_MAX, &blob, &len, 0, NULL)) != 0)
        return cli_error(CLI_FAIL, "unwrap: cannot read the blob %s: %s", path,
                         err == EFBIG ? "too large" : strerror(err));
    if ((rc = cli_open(c, &sp)) == CLI_OK) {
        rc = secprov_unwrap(sp, blob, len, &data, &dlen);
        if (rc != SECPROV_OK) {
            rc = cli_fail_status("unwrap", path, rc);
        } else {
            size_t off = 0;
            while (off < dlen) {
                ssize_t w = write(STDOUT_FILENO, (unsigned char *)data + off, dlen - off);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    break;
                off += (size_t)w;
            }
            rc = off == dlen ? CLI_OK : cli_error(CLI_FAIL, "unwrap: cannot write to stdout");
            secprov_free(data, dlen);
        }
        secprov_close(sp);
    }
    free(blob);
    return rc;
}

static const cli_option seal_to_options[] = {
    {"enrollment", 1}, {"version", 1}, {"require-activated", 1}, {"ek-ca", 1}, {NULL, 0}};

const cli_command cli_cmd_seal_to = {
    "seal-to",
    "--enrollment FILE [--require-activated RECORD] [--ek-ca FILE] [--version N] NAME [FILE] "
    "> BLOB",
    "seal a secret to a device's TPM, on a server (no TPM): docs/seal-to.md", seal_to_options,
    1, 2, 1, run_seal_to, NULL, 0,
};
const cli_command cli_cmd_import = {
    "import", "NAME BLOB", "store a seal-to blob's secret as NAME (TPM2_Import)", NULL, 2, 2, 1,
    run_import, NULL, 1,
};
const cli_command cli_cmd_unwrap = {
    "unwrap", "BLOB", "write a seal-to blob's secret to stdout, storing nothing", NULL, 1, 1, 0,
    run_unwrap, NULL, 1,
};
