/*
 * The tpm provider's store of references and keystore objects
 * (docs/tpm-store.md): reading a reference, choosing the next generation,
 * and the rules for removing objects: the sweep that every write (seal,
 * delete) runs, and gc, the operator's listing and removal of leftovers.
 * Objects are found by reading the keystore folders (no symlink followed),
 * never through FAPI. Every function here is called with the provider's
 * lock held.
 */
#ifndef SECPROV_TPM_STORE_H
#define SECPROV_TPM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "secprov_provider.h"
#include "secret_ref.h"

typedef struct tpm_store {
    const secprov_provider_env *env;    /* env->state_dir holds the keystore */
    const char *secrets_dir;            /* <state_dir>/secrets: the references */
} tpm_store;

/* Read, parse and verify NAME's reference (errors logged, naming the
 * file); *image (the file) must be freed by the caller. */
int store_ref_load(const tpm_store *s, const char *name, uint8_t **image, size_t *len,
                   secret_ref *ref);

/* The generation for a new seal of NAME: ordered, newer than every object
 * of NAME in the keystore and than its reference. */
int store_next_gen(const tpm_store *s, const char *name, ref_gen *gen);

/* Remove the keystore object of NAME at gen (its file and folder). */
void store_remove_object(const tpm_store *s, const char *name, ref_gen gen);

/* The sweep, after a write: remove every object provably superseded (a
 * valid, verified reference of its name commits a newer generation whose
 * object exists) and every object folder a killed seal left without its
 * object file. Nothing else is removed. */
void store_sweep(const tpm_store *s);

/* After NAME's reference committing gen was deleted: remove NAME's object
 * at gen and those provably older (not newer ones: they stay leftovers). */
void store_forget(const tpm_store *s, const char *name, ref_gen gen);

/* The leftovers (objects that no valid reference commits, except those of
 * a name whose reference exists but cannot be read or verified, which are
 * kept and named in a warning): emit each, removing it first unless
 * dry_run. SECPROV_OK, or the first error met. */
int store_gc(const tpm_store *s, int dry_run, secprov_gc_fn emit, void *user);

#endif
