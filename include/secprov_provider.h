/*
 * The provider SDK: the one contract between libsecprov.so (the core) and a
 * provider module (tpm.so, legacy.so, or a third party's). This file is the
 * whole of it, included by both sides of dlopen; it is installed beside
 * secprov.h, and `pkg-config --variable=providerdir secprov` says where
 * modules go. examples/provider/ is a provider built against it out of the
 * tree (docs/provider-sdk.md).
 *
 * A provider module exports exactly one symbol, SECPROV_PROVIDER_ENTRY_SYMBOL,
 * of type secprov_provider_entry_fn. It returns the provider's class: a
 * const table of function pointers that starts with its ABI version and its
 * own size. Within an ABI version the table only grows: new slots are
 * appended, never reordered (a new version may reorder it; the loader
 * refuses a module of any other version).
 * The core checks abi_version and size at load; a NULL slot, or a slot past
 * the provider's size, means "unsupported" (SECPROV_ERR_UNSUPPORTED).
 *
 * A provider's context object starts with a pointer to its class (as in
 * BearSSL), so the core can always find the class from the context.
 */
#ifndef SECPROV_PROVIDER_H
#define SECPROV_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "secprov.h"

/* 2: the env carries no provider's settings (each provider reads its own
 * config group through config_get and checks it in config_check), the
 * config slots come first, and the legacy scheme's buffers are secret
 * memory (secprov_legacy_scheme.h). A module of another version is refused
 * at load, naming both versions (docs/provider-sdk.md). */
#define SECPROV_PROVIDER_ABI_VERSION 2u
#define SECPROV_PROVIDER_ENTRY_SYMBOL "secprov_provider_entry"

/* Where a provider's store lives when its group sets no state_dir:
 * SECPROV_STATE_ROOT "/" NAME. */
#define SECPROV_STATE_ROOT "/var/lib/secprov"

struct secprov_provider_class;

/*
 * A provider's configuration is its group of the config file, named as the
 * provider ("tpm = { ... };"). It declares its keys in its class's
 * config_keys; the core refuses a group that holds another key, or a key of
 * another type, naming file and line, before the provider sees it. Two
 * keys of every group are the core's and need no declaration: state_dir
 * (the provider's store: env->state_dir) and, in the tpm group, devices
 * and retry_interval_s (auto-detection and auto's retry need them without
 * loading tpm.so). The group "attest" is the core's too (its attestation
 * API): a provider reads attest.pcrs with config_get(env, "attest", ...).
 */
#define SECPROV_CONFIG_STRING 1     /* out: const char * (valid while the handle is open) */
#define SECPROV_CONFIG_INT 2        /* out: long long */
#define SECPROV_CONFIG_BOOL 3       /* out: int (0 or 1) */
#define SECPROV_CONFIG_STRINGS 4    /* out: secprov_config_strings (an array of strings) */

typedef struct secprov_config_key {
    const char *name;
    int type;                       /* SECPROV_CONFIG_* */
} secprov_config_key;

typedef struct secprov_config_strings {
    const char *const *items;       /* valid while the handle is open */
    size_t count;
} secprov_config_strings;

/* Every provider context begins with this. */
typedef struct secprov_provider_ctx {
    const struct secprov_provider_class *klass;
} secprov_provider_ctx;

/*
 * What the core hands a provider: who it is, where its store is, and the
 * core's services. Nothing in it belongs to one provider. All strings stay
 * valid until the provider's close returns (for the context-free slots:
 * until the slot returns).
 */
typedef struct secprov_provider_env {
    size_t size;                        /* sizeof(secprov_provider_env) */
    const char *name;                   /* the provider's name: its module and its group */
    const char *state_dir;              /* NAME.state_dir, else SECPROV_STATE_ROOT/NAME (absolute) */

    /* Logging. Never pass a secret or a key string to it. */
    int log_level;                      /* enum secprov_log_level in force */
    void (*log)(const struct secprov_provider_env *env, int level,
                const char *fmt, ...) __attribute__((format(printf, 3, 4)));

    /* Memory for secrets handed back to the caller (unseal). Locked where
     * the platform allows; released by secprov_free(), which zeroes it. */
    void *(*secret_alloc)(size_t len);
    void (*secret_free)(void *p, size_t len);

    /* The text of a SECPROV_* status (what secprov_strerror gives). A
     * provider takes nothing from the host's symbol table (it is linked
     * with -z defs and may be loaded under an RTLD_LOCAL libsecprov):
     * whatever it needs of the core comes through this table. */
    const char *(*status_text)(int status);

    /* group.key of the config file, of the type declared (config_keys, or
     * the core's keys above) into *out: SECPROV_OK; SECPROV_ERR_NOT_FOUND
     * when it is not set (take the default; the core's own keys always
     * give their value in force, default included); SECPROV_ERR_CONFIG for
     * another type. group is normally env->name. */
    int (*config_get)(const struct secprov_provider_env *env, const char *group,
                      const char *key, int type, void *out);
    /* Where group.key is set, for an error message: "FILE:LINE" into out;
     * "FILE" when the file does not set it, "(no config file)" without one. */
    void (*config_where)(const struct secprov_provider_env *env, const char *group,
                         const char *key, char *out, size_t out_len);

    void *core;                         /* the core's own; do not touch */
} secprov_provider_env;

/* Whether env (of env->size bytes) has the field: for fields appended later. */
#define SECPROV_ENV_HAS(env, field) \
    ((env)->size >= offsetof(secprov_provider_env, field) + sizeof((env)->field))

/* Reason buffer for open failures: one line, no secrets. */
#define SECPROV_REASON_MAX 512

typedef struct secprov_provider_class {
    uint32_t abi_version;   /* SECPROV_PROVIDER_ABI_VERSION */
    uint32_t size;          /* sizeof(struct secprov_provider_class) as built */
    const char *name;       /* its module's file name without .so: "tpm", "legacy", ... */

    /* The keys of the provider's own group, ended by {NULL, 0}; NULL: it
     * has none (only the core's state_dir). */
    const secprov_config_key *config_keys;
    /* Check the values of the provider's group (ranges, choices, syntax)
     * without opening anything: SECPROV_OK, or SECPROV_ERR_CONFIG with one
     * line in reason that names file and line (env->config_where). The
     * core calls it before open, and `secprov config check` (the function
     * secprov_config_check) for every installed provider. NULL: no check
     * beyond the keys' types. */
    int (*config_check)(const secprov_provider_env *env, char *reason, size_t reason_len);

    /* Open: on failure return a status and write one line saying why into
     * reason (it becomes the fallback warning). Must not leave anything
     * open on failure. For tpm, open must reach the TPM (first command). */
    int (*open)(secprov_provider_ctx **ctx, const secprov_provider_env *env,
                char *reason, size_t reason_len);
    void (*close)(secprov_provider_ctx *ctx);

    /* Names are validated by the core before these are called. */
    int (*seal)(secprov_provider_ctx *ctx, const char *name,
                const void *data, size_t len);
    /* *data from env->secret_alloc. */
    int (*unseal)(secprov_provider_ctx *ctx, const char *name,
                  void **data, size_t *len);
    int (*remove)(secprov_provider_ctx *ctx, const char *name);
    /* *names: malloc'd array of malloc'd strings, sorted. */
    int (*list)(secprov_provider_ctx *ctx, char ***names, size_t *count);
    /* Emit provider-specific key/value pairs (secprov_info). */
    int (*info)(const secprov_provider_ctx *ctx, secprov_info_fn emit, void *user);
    /* Where NAME is kept, for operators and interoperating tools, e.g.
     * "fapi:/HS/SRK/sp-NAME-GEN" or "file:/var/lib/secprov/legacy/NAME.sec". */
    int (*locate)(secprov_provider_ctx *ctx, const char *name, char *out, size_t out_len);
    /* secprov_gc: emit (and unless dry_run remove) the store's leftovers. */
    int (*gc)(secprov_provider_ctx *ctx, int dry_run, secprov_gc_fn emit, void *user);

    /* Extension interfaces by name, e.g. SECPROV_LEGACY_SCHEME_IFACE; NULL
     * when not provided. Usable without open (no context needed). */
    const void *(*extension)(const char *iface);

    /* Context-free questions about the provider's store, answered from its
     * state folder alone (env->state_dir): no open, no device, nothing
     * written. The core's one store in auto mode (core/auto_store.h) asks
     * them of the provider that is not serving, e.g. of tpm while the TPM
     * cannot be used. NULL: the core assumes an empty store.
     * store_has: SECPROV_OK when the store holds NAME, SECPROV_ERR_NOT_FOUND
     * when not (also when the state folder does not exist), another status
     * when it cannot tell. store_names: as list (a missing folder holds
     * none). */
    int (*store_has)(const secprov_provider_env *env, const char *name);
    int (*store_names)(const secprov_provider_env *env, char ***names, size_t *count);

    /* Attestation (docs/attestation.md). op SECPROV_ATTEST_OP_ENROLL: *json
     * is the enrollment record (nonce NULL, 0); SECPROV_ATTEST_OP_QUOTE: the
     * report of a quote over attest.pcrs bound to nonce (1..64 bytes,
     * checked by the core). *json is malloc'd NUL-terminated text; NULL on
     * failure. NULL slot: the provider cannot attest. */
    int (*attest)(secprov_provider_ctx *ctx, int op, const void *nonce, size_t nonce_len,
                  char **json);

    /* --- ABI version 2 ends here; append new slots below. --- */

    /* The per-response tpm_attestation block (docs/attestation.md,
     * formats/block.h): a quote of attest.pcrs whose qualifying data is
     * SHA-256(payload_id)[:16] (payload_id 1..SECPROV_ATTEST_PAYLOAD_ID_MAX
     * bytes, checked by the core); flags SECPROV_ATTEST_BLOCK_EPHEMERAL_AIK or
     * 0. *json malloc'd
     * NUL-terminated text; NULL on failure. NULL slot: cannot attest. */
    int (*attest_block)(secprov_provider_ctx *ctx, const void *payload_id, size_t len,
                        int flags, char **json);

    /* Credential activation, the device's half (docs/attestation.md): open
     * the challenge (formats/credential.h, 1..SECPROV_ATTEST_CHALLENGE_MAX
     * bytes, checked by the core) with TPM2_ActivateCredential (the AK, the
     * EK); answer (cap bytes) gets *answer_len bytes. NULL slot: cannot. */
    int (*attest_activate)(secprov_provider_ctx *ctx, const void *challenge, size_t len,
                           void *answer, size_t cap, size_t *answer_len);

    /* Seal-to blobs (docs/seal-to.md), op SECPROV_BLOB_OP_IMPORT: store the
     * blob's secret as NAME (data, len unused); SECPROV_BLOB_OP_UNWRAP: the
     * secret into *data (env->secret_alloc), nothing stored. NULL slot: the
     * provider has no TPM (SECPROV_ERR_UNSUPPORTED). */
    int (*import_blob)(secprov_provider_ctx *ctx, int op, const char *name, const void *blob,
                       size_t blob_len, void **data, size_t *len);
} secprov_provider_class;

#define SECPROV_ATTEST_OP_ENROLL 1
#define SECPROV_ATTEST_OP_QUOTE 2
/* attest_block flags: a fresh AIK certified by the persistent AK. */
#define SECPROV_ATTEST_BLOCK_EPHEMERAL_AIK 1
/* import_blob ops. */
#define SECPROV_BLOB_OP_IMPORT 1
#define SECPROV_BLOB_OP_UNWRAP 2

typedef const secprov_provider_class *secprov_provider_entry_fn(void);

/* Declared here so a provider's definition is type-checked at compile time. */
secprov_provider_entry_fn secprov_provider_entry;

/* Size of the table up to and including a slot: to test "slot present". */
#define SECPROV_CLASS_HAS(klass, slot) \
    ((klass)->size >= offsetof(secprov_provider_class, slot) + sizeof((klass)->slot) \
     && (klass)->slot != NULL)

#endif /* SECPROV_PROVIDER_H */
