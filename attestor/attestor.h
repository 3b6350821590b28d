/* secprov-attestor: the runtime attestor daemon (docs/attestor.md). The
 * parts: at_config.c the attestor group, pcr_text.c "sha256:7=HEX",
 * safe_file.c files read without following links or opening fifos,
 * audit_log.c the hash-chained JSONL log, attest_run.c one attestation and
 * the state machine, bundle.c the runtime state bundle, http_api.c the
 * endpoints, notify.c sd_notify, main.c the process. */
#ifndef SECPROV_ATTESTOR_H
#define SECPROV_ATTESTOR_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct json_object;

#define AT_WHY 256

typedef struct at_pcr {
    char bank[8];               /* sha1 | sha256 | sha384 | sha512 */
    int index;                  /* 0..23 */
    char hex[129];              /* lower-case */
} at_pcr;

typedef struct at_config {
    char *listen;
    int allow_remote, refresh_interval_s, require_tpm, require_secure_boot;
    at_pcr *pcrs;
    size_t pcr_count;
    char **service_names, **service_paths;
    size_t service_count;
    char **policy_files;
    size_t policy_count;
    char **deployment_files;
    size_t deployment_count;
    char *registry_manifest, *hmac_key_file, *token_file, *audit_log;
    long audit_max_bytes;
    char *efivars_dir, *lockdown_file, *cmdline_file;
} at_config;

/* The attestor group of the config file (SECPROV_CONFIG or path): 0, or -1
 * with why naming file, line and key. */
int at_config_load(at_config *c, const char *path, char *why, size_t why_len);
void at_config_free(at_config *c);
/* "host:port" or "unix:/path": 0 and the parts, else -1 and why. A host
 * that is not a loopback address is refused unless allow_remote. */
int at_listen_parse(const char *listen, int allow_remote, char *host, size_t host_len,
                    int *port, char *why, size_t why_len);

/* "sha256:7=HEX": 0, or -1 and why. */
int at_pcr_parse(const char *text, at_pcr *out, char *why, size_t why_len);

/* A regular file read whole (at most max bytes): never follows a symlink,
 * never blocks on a fifo (O_NOFOLLOW|O_NONBLOCK, then fstat S_ISREG).
 * 0, or -1 and why ("not a regular file", strerror). */
int at_file_read(const char *path, size_t max, unsigned char **buf, size_t *len, char *why,
                 size_t why_len);
/* SHA-256 of such a file; of several: SHA-256 over their SHA-256 digests
 * in order (so order and boundaries count). */
int at_file_sha256(const char *path, unsigned char out[32], char *why, size_t why_len);
int at_files_sha256(char *const *paths, size_t n, unsigned char out[32], char *why,
                    size_t why_len);
void at_hex(const unsigned char *b, size_t n, char *out);

/* The audit log. */
typedef struct at_audit {
    char *path;
    long max_bytes;
    int fd;
    long size;
    uint64_t seq;
    char head[65];              /* SHA-256 of the last good line, hex */
} at_audit;
/* Opens (creating) the log, checks its chain, and recovers a torn last
 * line (cut off, *torn set to the bytes dropped). 0, or -1 and why. */
int at_audit_open(at_audit *a, const char *path, long max_bytes, long *torn, char *why,
                  size_t why_len);
/* Appends one line {"seq","time","prev","event",...fields}; fields is
 * consumed. Rotates to PATH.1 beyond max_bytes, the chain going on. */
int at_audit_append(at_audit *a, const char *event, struct json_object *fields, char *why,
                    size_t why_len);
void at_audit_close(at_audit *a);
/* Checks a log's chain: 0 when good, else the 1-based number of the first
 * bad line and why. prev_head: the head the file must start from, or NULL
 * to take its first line's "prev" as given. */
long at_audit_verify_file(const char *path, const char *prev_head, char *why, size_t why_len);
/* One line's chain fields: its own hash and its prev. 0, or -1 and why. */
int at_audit_line_parse(const char *line, size_t len, char hash[65], char prev[65],
                        uint64_t *seq, char *why, size_t why_len);

enum at_state { AT_PENDING, AT_ATTESTED, AT_DEGRADED, AT_FAILED };
const char *at_state_name(int state);

typedef struct at_daemon {
    at_config cfg;
    const char *config_path;     /* --config, or NULL: $SECPROV_CONFIG, then the default */
    char *enrollment;            /* the AK's enrollment record, read at the first quote */
    at_audit audit;
    int audit_ok;
    char audit_why[AT_WHY];      /* why the log cannot be written */
    pthread_mutex_t lock;        /* guards everything below */
    pthread_mutex_t attest_lock; /* one attestation at a time; waiters coalesce */
    uint64_t generation;         /* attestations done */
    int attest_waiters;          /* requests waiting for an attestation (http_api.c) */
    int64_t nonce_not_before;    /* CLOCK_MONOTONIC ns: the next ?nonce= attestation (http_api.c) */
    int state;
    struct json_object *bundle;  /* the last bundle */
    char *bundle_text;           /* its JSON */
    char *verify_ok;             /* the cached /api/v1/verify answer */
    time_t last_attested;
    uint64_t attest_count, degrade_count, fail_count;
    int secure_boot, tpm_available, tpm_quote_verified;
    int tpm_seen;                /* a TPM served an earlier attestation */
    char policy_digest[65], deployment_digest[65];
    size_t failure_count;
} at_daemon;

/* One attestation: the checks, the TPM's quotes, the bundle, the state,
 * the audit line. Concurrent callers without a nonce coalesce onto the one
 * running (NULL returned). With nonce_hex (a verifier's nonce, lower-case
 * hex, 1 to 64 bytes) the attestation is its own, the nonce goes into the
 * bundle, and the answer {"state": ..., "bundle": ...} is returned (free()
 * it; NULL when out of memory). reason and requester go into the audit log. */
char *at_attest(at_daemon *d, const char *reason, const char *requester, const char *nonce_hex);
/* The bundle's members that need no TPM (attest_run.c); failures is a
 * json array. */
struct json_object *at_bundle_build(at_daemon *d, struct json_object *failures);

/* The TPM through libsecprov (tpm_quote.c): opened for one attestation
 * (a provider other than tpm: -1, why says which and why), a quote of
 * attest.pcrs bound to nonce whose report is checked against the daemon's
 * own enrollment record (*verified), closed. */
typedef struct at_tpm {
    struct secprov *sp;
    int available;
    char why[AT_WHY];
} at_tpm;
int at_tpm_open(at_daemon *d, at_tpm *t);
int at_tpm_quote(at_daemon *d, at_tpm *t, const unsigned char *nonce, size_t len,
                 struct json_object **report, int *verified, char *why, size_t why_len);
void at_tpm_close(at_tpm *t);

/* --client-verify: exit status of asking the daemon (client_verify.c). */
int at_client_verify(const char *config);

/* sd_notify (notify.c; libsystemd dlopen()ed, nothing without
 * NOTIFY_SOCKET): READY=1 with the state after the first attestation,
 * STATUS=<state> on a state change, STOPPING=1 at SIGTERM. */
void at_notify_ready(at_daemon *d);
void at_notify_state(int state);
void at_notify_stopping(void);

/* The HTTP server (libmicrohttpd). at_http_stop stops it and its request
 * deadline. */
struct MHD_Daemon;
struct MHD_Daemon *at_http_start(at_daemon *d, char *why, size_t why_len);
void at_http_stop(struct MHD_Daemon *m);

/* The request deadline (http_guard.c): a connection that has not finished
 * a request within deadline_s of connecting or of its last request is shut
 * down. at_guard_notify is the server's MHD_OPTION_NOTIFY_CONNECTION;
 * at_guard_request_done restarts a connection's clock. */
struct MHD_Connection;
int at_guard_start(unsigned deadline_s, char *why, size_t why_len);
void at_guard_stop(void);
void at_guard_request_done(struct MHD_Connection *c);
/* hold != 0: a handler waits for an attestation, the connection is never
 * reaped; 0: released, its answer gets a whole deadline. */
void at_guard_hold(struct MHD_Connection *c, int hold);
#ifdef MHD_VERSION
void at_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                     enum MHD_ConnectionNotificationCode toe);
#endif

#endif
