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
 * own size. The table only grows: new slots are appended, never reordered.
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

#define SECPROV_PROVIDER_ABI_VERSION 1u
#define SECPROV_PROVIDER_ENTRY_SYMBOL "secprov_provider_entry"

struct secprov_provider_class;

/* The types of a provider's own configuration keys (its group, "NAME = {
 * ... }", in the config file): declared in its class's config_keys, read
 * through env->config_get. */
#define SECPROV_CONFIG_STRING 1     /* out: const char * (valid while the handle is open) */
#define SECPROV_CONFIG_INT 2        /* out: long long */
#define SECPROV_CONFIG_BOOL 3       /* out: int (0 or 1) */

typedef struct secprov_config_key {
    const char *name;
    int type;                       /* SECPROV_CONFIG_* */
} secprov_config_key;

/* Every provider context begins with this. */
typedef struct secprov_provider_ctx {
    const struct secprov_provider_class *klass;
} secprov_provider_ctx;

/*
 * What the core hands a provider at open: its settings (already merged from
 * defaults, config file and environment) and the core's services. All
 * strings stay valid until the provider's close returns.
 */
typedef struct secprov_provider_env {
    size_t size;                        /* sizeof(secprov_provider_env) */

    /* tpm.* settings */
    const char *const *tpm_devices;     /* presence-checked in order */
    size_t tpm_device_count;
    const char *tpm_device;             /* first present device, or NULL */
    const char *tpm_tcti;               /* never empty: default "device:<tpm_device>" */
    const char *tpm_state_dir;

    /* legacy.* settings */
    const char *legacy_state_dir;
    const char *legacy_hardware;        /* "" = collect the fingerprint */

    /* Logging. Never pass a secret or a key string to it. */
    int log_level;                      /* enum secprov_log_level in force */
    void (*log)(const struct secprov_provider_env *env, int level,
                const char *fmt, ...) __attribute__((format(printf, 3, 4)));

    /* Memory for secrets handed back to the caller (unseal). Locked where
     * the platform allows; released by secprov_free(), which zeroes it. */
    void *(*secret_alloc)(size_t len);
    void (*secret_free)(void *p, size_t len);

    void *core;                         /* the core's own; do not touch */

    /* The text of a SECPROV_* status (what secprov_strerror gives). A
     * provider takes nothing from the host's symbol table (it is linked
     * with -z defs and may be loaded under an RTLD_LOCAL libsecprov):
     * whatever it needs of the core comes through this table. */
    const char *(*status_text)(int status);

    /* tpm.lock_timeout_ms: how long a call waits for another process's
     * lock before it returns SECPROV_ERR_BUSY (read it only when size
     * covers it; else SECPROV_ENV_LOCK_TIMEOUT_MS_DEFAULT). */
    int tpm_lock_timeout_ms;

    /* More tpm.* settings (appended: a provider reads one only when
     * SECPROV_ENV_HAS(env, field), else takes its documented default). */
    int tpm_resource_manager;           /* SECPROV_TPM_RM_*: is the TCTI behind one? */
    int tpm_probe_timeout_ms;           /* the first command's bound (open) */
    int tpm_call_timeout_ms;            /* each public call's bound for the TPM */

    /* The provider's own group of the config file: key (of the type its
     * class's config_keys declares) into *out. SECPROV_OK; NOT_FOUND when
     * the key is not set (take the default); CONFIG for another type. The
     * core has checked the group against config_keys before open. */
    int (*config_get)(const struct secprov_provider_env *env, const char *group,
                      const char *key, int type, void *out);
    /* attest.* settings (appended: check size before reading). The PCR
     * selection of a quote, e.g. "sha256:7" (the default) or "sha256:0,7". */
    const char *attest_pcrs;
} secprov_provider_env;

#define SECPROV_ENV_LOCK_TIMEOUT_MS_DEFAULT 3000

/* tpm.resource_manager: auto (by the TCTI: device:.../tpmrm*, tabrmd), yes, no. */
#define SECPROV_TPM_RM_AUTO 0
#define SECPROV_TPM_RM_YES 1
#define SECPROV_TPM_RM_NO 2

/* Whether env (of env->size bytes) has the field. */
#define SECPROV_ENV_HAS(env, field) \
    ((env)->size >= offsetof(secprov_provider_env, field) + sizeof((env)->field))

/* Reason buffer for open failures: one line, no secrets. */
#define SECPROV_REASON_MAX 512

typedef struct secprov_provider_class {
    uint32_t abi_version;   /* SECPROV_PROVIDER_ABI_VERSION */
    uint32_t size;          /* sizeof(struct secprov_provider_class) as built */
    const char *name;       /* its module's file name without .so: "tpm", "legacy", ... */

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

    /* Extension interfaces by name, e.g. SECPROV_LEGACY_SCHEME_IFACE; NULL
     * when not provided. Usable without open (no context needed). */
    const void *(*extension)(const char *iface);

    /* Where NAME is kept, for operators and interoperating tools, e.g.
     * "fapi:/HS/SRK/sp-NAME-GEN" or "file:/var/lib/secprov/legacy/NAME.sec". */
    int (*locate)(secprov_provider_ctx *ctx, const char *name, char *out, size_t out_len);

    /* --- ABI version 1 ends here; append new slots below. --- */

    /* secprov_gc: emit (and unless dry_run remove) the store's leftovers. */
    int (*gc)(secprov_provider_ctx *ctx, int dry_run, secprov_gc_fn emit, void *user);
    /* Context-free questions about the provider's store, answered from its
     * state folder alone as env describes it: no open, no device, nothing
     * written. The core's one store in auto mode (core/auto_store.h) asks
     * them of the provider that is not serving, e.g. of tpm while the TPM
     * cannot be used. NULL: the core assumes an empty store.
     * store_has: SECPROV_OK when the store holds NAME, SECPROV_ERR_NOT_FOUND
     * when not (also when the state folder does not exist), another status
     * when it cannot tell. store_names: as list (a missing folder holds
     * none). */
    int (*store_has)(const secprov_provider_env *env, const char *name);
    int (*store_names)(const secprov_provider_env *env, char ***names, size_t *count);

    /* The keys of the provider's own config group (named as the provider),
     * ended by {NULL, 0}: the core refuses a config whose group holds
     * another key or type, naming file and line, before open. NULL: no
     * group of its own (the in-tree providers' tpm and legacy groups are
     * the core's, for auto-detection). */
    const secprov_config_key *config_keys;
    /* Attestation (docs/attestation.md). op SECPROV_ATTEST_OP_ENROLL: *json
     * is the enrollment record (nonce NULL, 0); SECPROV_ATTEST_OP_QUOTE: the
     * report of a quote over env->attest_pcrs bound to nonce (1..64 bytes,
     * checked by the core). *json is malloc'd NUL-terminated text; NULL on
     * failure. NULL slot: the provider cannot attest. */
    int (*attest)(secprov_provider_ctx *ctx, int op, const void *nonce, size_t nonce_len,
                  char **json);
} secprov_provider_class;

#define SECPROV_ATTEST_OP_ENROLL 1
#define SECPROV_ATTEST_OP_QUOTE 2

typedef const secprov_provider_class *secprov_provider_entry_fn(void);

/* Declared here so a provider's definition is type-checked at compile time. */
secprov_provider_entry_fn secprov_provider_entry;

/* Size of the table up to and including a slot: to test "slot present". */
#define SECPROV_CLASS_HAS(klass, slot) \
    ((klass)->size >= offsetof(secprov_provider_class, slot) + sizeof((klass)->slot) \
     && (klass)->slot != NULL)

#endif /* SECPROV_PROVIDER_H */
