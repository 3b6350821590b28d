/*
 * secprov: one API to keep secrets and keys, whatever the device has.
 *
 * A device either has a TPM 2.0 (reached through tpm2-tss FAPI, provider
 * "tpm") or only software (provider "legacy"). secprov_open() picks one by
 * the selection rules in the README and loads it with dlopen().
 *
 * Every call returns SECPROV_OK (0) or a negative SECPROV_ERR_* status;
 * secprov_strerror() names it. No call leaves partial state behind.
 */
#ifndef SECPROV_H
#define SECPROV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SECPROV_API __attribute__((visibility("default")))
#else
#define SECPROV_API
#endif

#define SECPROV_VERSION_MAJOR 0
#define SECPROV_VERSION_MINOR 1
#define SECPROV_VERSION_PATCH 0

/* Status codes. New codes are only ever appended. */
enum secprov_status {
    SECPROV_OK = 0,
    SECPROV_ERR_INVALID_ARG = -1,       /* NULL pointer, zero length, bad flag */
    SECPROV_ERR_NAME = -2,              /* secret name not 1..64 of [A-Za-z0-9_-] */
    SECPROV_ERR_NOT_FOUND = -3,         /* no secret of that name */
    SECPROV_ERR_INTEGRITY = -4,         /* stored secret tampered, truncated or moved */
    SECPROV_ERR_CONFIG = -5,            /* bad configuration or selection value */
    SECPROV_ERR_UNAVAILABLE = -6,       /* the provider asked for cannot be used */
    SECPROV_ERR_NOT_INSTALLED = -7,     /* a provider module is not installed */
    SECPROV_ERR_IO = -8,                /* file system error */
    SECPROV_ERR_NOMEM = -9,             /* out of memory */
    SECPROV_ERR_TPM = -10,              /* a TPM command failed */
    SECPROV_ERR_UNSUPPORTED = -11,      /* the provider lacks this operation */
    SECPROV_ERR_KEYSTORE_MISMATCH = -12,/* keystore does not match this TPM (TPM cleared?) */
    SECPROV_ERR_PERMISSION = -13,       /* insecure owner/mode, symlink, or access denied */
    SECPROV_ERR_BUSY = -14,             /* device held by another process */
    SECPROV_ERR_TOO_LARGE = -15,        /* input larger than supported */
    SECPROV_ERR_FORMAT = -16,           /* malformed input (length, encoding) */
    SECPROV_ERR_PADDING = -17,          /* bad padding: wrong key or corrupted data */
    SECPROV_ERR_TIMEOUT = -18,          /* the TPM did not answer in time */
    SECPROV_ERR_INTERNAL = -19,         /* a bug in secprov or a provider */
    /* seal-to blobs (docs/seal-to.md) */
    SECPROV_ERR_WRONG_DEVICE = -20,     /* blob sealed to another TPM (or before a TPM clear) */
    SECPROV_ERR_WRONG_NAME = -21,       /* blob sealed for another secret name */
    SECPROV_ERR_ROLLBACK = -22          /* blob of an older version than the one imported */
};

/* Log levels. 0 means "not set" in secprov_options. */
enum secprov_log_level {
    SECPROV_LOG_UNSET = 0,
    SECPROV_LOG_DEBUG = 1,
    SECPROV_LOG_INFO = 2,
    SECPROV_LOG_WARNING = 3,
    SECPROV_LOG_ERROR = 4,
    SECPROV_LOG_NONE = 5
};

/* Receives one log line (no trailing newline, no "secprov:" prefix). */
typedef void (*secprov_log_fn)(int level, const char *message, void *user);

/*
 * Options for secprov_open(). Initialise with SECPROV_OPTIONS_INIT (or set
 * .size = sizeof(secprov_options) and zero the rest); fields are only ever
 * appended, and the library reads only the first .size bytes.
 * A NULL string or 0 means "not set": the environment, then the config
 * file, then the defaults decide.
 */
typedef struct secprov_options {
    size_t size;                /* sizeof(secprov_options) */
    const char *provider;       /* "auto" | "tpm" | "legacy" */
    const char *config_path;    /* libconfig file; overrides $SECPROV_CONFIG */
    const char *provider_dir;   /* folder of tpm.so/legacy.so; overrides $SECPROV_PROVIDER_DIR */
    int log_level;              /* enum secprov_log_level; overrides $SECPROV_LOG_LEVEL */
    secprov_log_fn log_fn;      /* NULL: log to stderr, prefixed "secprov: " */
    void *log_user;             /* passed to log_fn */
    /* The config as text (libconfig syntax), instead of a file: the
     * program's own, so no file trust rule applies ("" = all defaults).
     * $SECPROV_CONFIG is then ignored; with config_path too, open fails
     * with SECPROV_ERR_INVALID_ARG. Read during secprov_open only. */
    const char *config_text;
    unsigned flags;             /* SECPROV_OPT_* bits; 0: none */
} secprov_options;

/* flags: error lines are not written to the log (log_fn or stderr): a
 * failed call's line is only in secprov_last_error(), for a caller that
 * reports failures from the returned status itself (Python raises them).
 * Lines below error are logged as the log level says. */
#define SECPROV_OPT_ERRORS_RETURNED 1u

#define SECPROV_OPTIONS_INIT { sizeof(secprov_options), NULL, NULL, NULL, 0, NULL, NULL, NULL, 0 }

typedef struct secprov secprov;

/* Longest secret name, and the largest secret every provider supports. */
#define SECPROV_NAME_MAX 64
#define SECPROV_SECRET_MAX ((size_t)16 * 1024 * 1024)

SECPROV_API int secprov_open(secprov **sp, const secprov_options *opts);
SECPROV_API void secprov_close(secprov *sp);

/* "tpm" or "legacy": the provider serving the handle now (an auto handle
 * that fell back switches to tpm once the TPM can be used: docs/store.md). */
SECPROV_API const char *secprov_provider_name(const secprov *sp);
/* 1 when auto wanted tpm and legacy serves the handle now, else 0. */
SECPROV_API int secprov_fell_back(const secprov *sp);
/* Why it fell back (NULL when it did not); valid until the next call on sp. */
SECPROV_API const char *secprov_fallback_reason(const secprov *sp);

/* Seal data under name; replaces an existing secret of that name atomically. */
SECPROV_API int secprov_seal(secprov *sp, const char *name, const void *data, size_t len);
/* Unseal name into a new buffer; release it with secprov_free(*data, *len). */
SECPROV_API int secprov_unseal(secprov *sp, const char *name, void **data, size_t *len);
/* Zero, then free, a buffer returned by secprov (NULL is fine). */
SECPROV_API void secprov_free(void *data, size_t len);
/* A buffer of len bytes (len 0 is fine) in the same secret memory as
 * secprov_unseal's output, for a secret the caller reads in (e.g. before
 * secprov_seal): its own mapping, locked in RAM where RLIMIT_MEMLOCK allows
 * (and working where it does not), excluded from core dumps, and zeroed by
 * secprov_free(p, len), which releases it. NULL when out of memory. */
SECPROV_API void *secprov_secret_alloc(size_t len);
SECPROV_API int secprov_delete(secprov *sp, const char *name);
/* Names of all secrets, sorted (auto: of both stores, each once);
 * release with secprov_list_free(). */
SECPROV_API int secprov_list(secprov *sp, char ***names, size_t *count);
SECPROV_API void secprov_list_free(char **names, size_t count);

/* Where the secret NAME is kept, as text: "fapi:<FAPI path>" (tpm: give
 * that path to tss2_unseal with the fapi_config of secprov_info) or
 * "file:<path>" (legacy). */
SECPROV_API int secprov_locate(secprov *sp, const char *name, char *out, size_t out_len);

/* 0 when name is 1..64 of [A-Za-z0-9_-], else SECPROV_ERR_NAME. */
SECPROV_API int secprov_name_check(const char *name);

/*
 * Describe the open handle as key/value pairs, in order: provider,
 * fallback ("yes"/"no"), reason (only when it fell back), then the
 * provider's own (tpm: fapi_config, tcti, state_dir; legacy: state_dir).
 */
typedef void (*secprov_info_fn)(const char *key, const char *value, void *user);
SECPROV_API int secprov_info(const secprov *sp, secprov_info_fn emit, void *user);


/*
 * Leftovers of the store (tpm: keystore objects no valid reference commits,
 * left by an interrupted seal or delete, a rolled-back reference or an
 * earlier version; docs/tpm-store.md). secprov_gc calls emit once per
 * leftover with the secret's name, where the leftover is (as
 * secprov_locate prints it, with its generation) and one line saying why
 * it is one. dry_run != 0: nothing is removed; else each is removed before
 * it is emitted. Objects of a name whose reference exists but cannot be
 * read or verified are never removed (a warning names them). emit may be
 * NULL. Legacy has no leftovers (it emits nothing).
 */
typedef void (*secprov_gc_fn)(const char *name, const char *location, const char *reason,
                              void *user);
SECPROV_API int secprov_gc(secprov *sp, int dry_run, secprov_gc_fn emit, void *user);
/*
 * Attestation (docs/attestation.md). secprov_attest(): a TPM quote of the
 * PCRs of config attest.pcrs (default "sha256:7"), bound to nonce (1 to
 * SECPROV_ATTEST_NONCE_MAX bytes), as a JSON report (*report, release
 * with secprov_attest_free()), signed by the device's attestation key (made
 * once, kept in the tpm state folder). secprov_attest_enroll(): the JSON
 * enrollment record a verifier pins (the attestation key, EK, identity).
 * Without a TPM (legacy, or auto fallen back): SECPROV_ERR_UNSUPPORTED, or
 * SECPROV_ERR_UNAVAILABLE when flags has SECPROV_ATTEST_REQUIRE_TPM.
 * Reports are checked offline by secprov_verify_report() (secprov_verify.h,
 * libsecprov_verify).
 */
#define SECPROV_ATTEST_NONCE_MAX 64
#define SECPROV_ATTEST_REQUIRE_TPM 1
SECPROV_API int secprov_attest(secprov *sp, const void *nonce, size_t nonce_len, int flags,
                               char **report);
SECPROV_API int secprov_attest_enroll(secprov *sp, int flags, char **record);
SECPROV_API void secprov_attest_free(char *json);
/*
 * The per-response tpm_attestation block (docs/attestation.md): a quote of
 * attest.pcrs by the device's attestation key whose qualifying data is
 * SHA-256(payload_id)[:16], as the published JSON object (*block, release
 * with secprov_attest_free()). Without a TPM: SECPROV_OK with the block
 * {"is_available": false} (tiers standard, high), or
 * SECPROV_ERR_UNAVAILABLE when flags has SECPROV_ATTEST_REQUIRE_TPM (tier
 * maximum). flags SECPROV_ATTEST_EPHEMERAL_AIK: the quote is made by a
 * fresh key certified by the attestation key (TPM2_Certify), flushed after
 * use and never stored; the block carries the certification. Checked
 * offline by secprov_verify_block() (secprov_verify.h).
 */
#define SECPROV_ATTEST_PAYLOAD_ID_MAX 4096
#define SECPROV_ATTEST_EPHEMERAL_AIK 2
SECPROV_API int secprov_attest_block(secprov *sp, const void *payload_id, size_t len, int flags,
                                     char **block);
/*
 * Credential activation, the device's half (docs/attestation.md): open the
 * challenge a verifier made with secprov_verify_make_credential() (1 to
 * SECPROV_ATTEST_CHALLENGE_MAX bytes, tpm2-tools' credential file) with
 * TPM2_ActivateCredential, the device's EK and attestation key; answer
 * (cap bytes, SECPROV_ATTEST_ANSWER_MAX is enough) gets *answer_len bytes,
 * which go back to the verifier's secprov_verify_enroll(). A challenge made
 * for another TPM or another key: SECPROV_ERR_TPM; malformed:
 * SECPROV_ERR_FORMAT; no EK in the keystore (an enrollment with "ek":
 * null): SECPROV_ERR_NOT_FOUND; without a TPM: SECPROV_ERR_UNAVAILABLE.
 */
#define SECPROV_ATTEST_CHALLENGE_MAX 4096
#define SECPROV_ATTEST_ANSWER_MAX 64
SECPROV_API int secprov_attest_activate(secprov *sp, const void *challenge, size_t len,
                                        void *answer, size_t cap, size_t *answer_len);

/*
 * Seal-to (docs/seal-to.md): a blob made on a server by
 * secprov_verify_seal_to() for this device's TPM and the secret NAME.
 * secprov_import(): TPM2_Import under the SRK, then stored as an ordinary
 * sealed secret NAME (atomic replace). secprov_unwrap(): the secret into
 * *data (free with secprov_free), nothing stored (the name is the blob's).
 * Refused: SECPROV_ERR_WRONG_DEVICE, _WRONG_NAME, _ROLLBACK (import only),
 * _INTEGRITY (altered), _FORMAT (truncated, not a blob); nothing stored
 * changes. Without a TPM: SECPROV_ERR_UNSUPPORTED.
 */
SECPROV_API int secprov_import(secprov *sp, const char *name, const void *blob, size_t blob_len);
SECPROV_API int secprov_unwrap(secprov *sp, const void *blob, size_t blob_len, void **data,
                               size_t *len);

/*
 * Check the configuration as secprov_open would read it (opts: config path,
 * provider folder, logging; may be NULL), without opening any provider:
 * the core's keys, then every installed provider module's group (its keys
 * and values: the module is loaded, never opened), then that every
 * provider group of the file names an installed module. emit (may be
 * NULL) gets one line per part: part "config" (the file and the core's
 * keys) or a provider's name, its status, and "ok" or what is wrong
 * (naming file and line). SECPROV_OK when all is well; else the first
 * failure's status. A module that cannot be loaded (tpm.so without
 * libtss2) is reported ("not checked (why)"), and fails the check only
 * when the file has its group; a tpm or legacy group without its module
 * is reported the same way, as secprov_open accepts it. `secprov config
 * check` prints these lines.
 */
typedef void (*secprov_check_fn)(const char *part, int status, const char *message, void *user);
SECPROV_API int secprov_config_check(const secprov_options *opts, secprov_check_fn emit,
                                     void *user);

SECPROV_API const char *secprov_strerror(int status);

/* The error line (as logged at level error, whatever the log level in force;
 * never a secret) of the last failed call made by the calling thread, for
 * the caller's own messages: "" when that call logged none. Valid until the
 * thread's next secprov call. Thread-local, so also for secprov_open, which
 * returns no handle on failure. */
SECPROV_API const char *secprov_last_error(void);
/* "0.1.0" */
SECPROV_API const char *secprov_version(void);

#ifdef __cplusplus
}
#endif
#endif /* SECPROV_H */
