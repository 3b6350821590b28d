/*
 * Credential activation, the verifier's half, on a server (no TPM;
 * libsecprov_verify, docs/attestation.md):
 *   secprov activation challenge --enrollment E --state STATE > CREDENTIAL
 *       a challenge for the enrolled EK, bound to the AK's computed name;
 *       STATE (the secret, JSON) is a new file of mode 0600 the verifier
 *       keeps; CREDENTIAL goes to the device (`secprov attest activate`)
 *   secprov activation check --enrollment E --state STATE ANSWER > RECORD
 *       the device's answer against STATE: the activation record that
 *       `secprov verify --require-activated` and `seal-to` take
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

typedef int make_credential_fn(const char *, unsigned char **, size_t *, char **, char *, size_t);
typedef int enroll_fn(const char *, const char *, const void *, size_t, char **, char *, size_t);
typedef const char *reason_fn(int);
typedef void free_fn(void *);

static int write_all(int fd, const void *p, size_t n)
{
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, (const unsigned char *)p + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* The state holds the challenge's secret: a new file, 0600, never over
 * another; removed again when it cannot be written whole. */
static int write_state(const char *path, const char *state)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

    if (fd < 0)
        return cli_error(CLI_FAIL, "activation challenge: cannot create the state file %s: %s%s",
                         path, strerror(errno),
                         errno == EEXIST ? " (never overwritten: remove it or name another)" : "");
    if (write_all(fd, state, strlen(state)) != 0 || fsync(fd) != 0 || close(fd) != 0) {
        int err = errno;
        unlink(path);
        return cli_error(CLI_FAIL, "activation challenge: cannot write the state file %s: %s",
                         path, strerror(err));
    }
    return CLI_OK;
}

static int run_activation(cli_call *c)
{
    const char *verb = c->argv[0], *enroll = c->opt[0], *state_path = c->opt[1];
    int challenge = strcmp(verb, "challenge") == 0, check = strcmp(verb, "check") == 0;
    char detail[512];
    int rc;

    if ((!challenge && !check) || (challenge && c->argc != 1) || (check && c->argc != 2) ||
        enroll == NULL || state_path == NULL)
        return cli_error(CLI_USAGE, "usage: secprov activation challenge --enrollment FILE "
                         "--state NEW-FILE > CREDENTIAL | check --enrollment FILE --state FILE "
                         "ANSWER > RECORD");
    if ((rc = cli_need_stdout(c)) != CLI_OK)
        return rc;
    void *dl = cli_verify_lib();
    make_credential_fn *make = dl != NULL ? (make_credential_fn *)dlsym(
                                                dl, "secprov_verify_make_credential") : NULL;
    enroll_fn *admit = dl != NULL ? (enroll_fn *)dlsym(dl, "secprov_verify_enroll") : NULL;
    reason_fn *reason = dl != NULL ? (reason_fn *)dlsym(dl, "secprov_verify_reason") : NULL;
    free_fn *vfree = dl != NULL ? (free_fn *)dlsym(dl, "secprov_verify_free") : NULL;
    if (make == NULL || admit == NULL || reason == NULL || vfree == NULL)
        return cli_error(CLI_FAIL, "activation: cannot load libsecprov_verify.so.0: %s",
                         dlerror());
    char *enrollment = cli_read_text(enroll, "enrollment record");
    if (enrollment == NULL)
        return CLI_FAIL;
    if (challenge) {
        unsigned char *cred = NULL;
        size_t cred_len = 0;
        char *state = NULL;
        rc = make(enrollment, &cred, &cred_len, &state, detail, sizeof detail);
        free(enrollment);
        if (rc != SECPROV_VERIFY_OK)
            return cli_error(CLI_FAIL, "activation challenge: %s: %s", reason(rc), detail);
        rc = write_state(state_path, state);
        if (rc == CLI_OK && write_all(STDOUT_FILENO, cred, cred_len) != 0) {
            unlink(state_path);
            rc = cli_error(CLI_FAIL, "activation challenge: cannot write to stdout: %s",
                           strerror(errno));
        }
        explicit_bzero(state, strlen(state));   /* the challenge's secret */
        vfree(state);
        vfree(cred);
        return rc;
    }
    char *state = cli_read_text(state_path, "challenge state"), *record = NULL;
    unsigned char answer[256];
    ssize_t n = -1;
    int fd = open(c->argv[1], O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, answer, sizeof answer);
        close(fd);
    }
    if (state == NULL || n <= 0) {
        free(enrollment);
        free(state);
        return state == NULL ? CLI_FAIL
                             : cli_error(CLI_FAIL, "activation check: cannot read the answer %s",
                                         c->argv[1]);
    }
    rc = admit(enrollment, state, answer, (size_t)n, &record, detail, sizeof detail);
    explicit_bzero(answer, sizeof answer);
    explicit_bzero(state, strlen(state));
    free(state);
    free(enrollment);
    if (rc != SECPROV_VERIFY_OK)
        return cli_error(CLI_FAIL, "activation check: %s: %s", reason(rc), detail);
    rc = write_all(STDOUT_FILENO, record, strlen(record)) == 0
             ? CLI_OK
             : cli_error(CLI_FAIL, "activation check: cannot write to stdout: %s",
                         strerror(errno));
    vfree(record);
    return rc;
}

static const cli_option activation_options[] = {{"enrollment", 1}, {"state", 1}, {NULL, 0}};

const cli_command cli_cmd_activation = {
    "activation",
    "challenge --enrollment FILE --state NEW-FILE > CREDENTIAL | check --enrollment FILE "
    "--state FILE ANSWER > RECORD",
    "credential activation, the verifier's half, on a server (no TPM): docs/attestation.md",
    activation_options, 1, 2, 0, run_activation, NULL, 0,
};
