/*
 * Memory for secrets handed to the caller: its own mapping, locked in RAM
 * where the platform allows (and working where it does not), kept out of
 * core dumps, and zeroed before it is unmapped.
 */
#ifndef SECPROV_SECURE_MEM_H
#define SECPROV_SECURE_MEM_H

#include <stddef.h>

void *sp_secret_alloc(size_t len);
/* Zeroes and releases p (from sp_secret_alloc). Any other pointer is
 * zeroed over len bytes and given to free(). NULL is a no-op. */
void sp_secret_free(void *p, size_t len);

/* For a buffer of sp_secret_alloc that secprov uses itself and never hands
 * to the caller: a forked child gets its pages zeroed (MADV_WIPEONFORK,
 * Linux 4.14), else not at all (MADV_DONTFORK); the parent's thread that
 * uses it does not exist in the child. A buffer not of sp_secret_alloc is
 * left as it is. docs/fork.md says what stays readable in a child. */
void sp_secret_internal(void *p);

#endif
