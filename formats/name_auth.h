/*
 * The auth value that binds a sealed object to the name of its secret: the
 * device seals with it (providers/tpm) and a server sealing to a device
 * computes it (verify/seal_to.c).
 *
 * Every object secprov seals has the auth value
 *     hex(SHA-256("secprov-name-auth-v1:" || NAME))[0..32)
 * 32 lowercase hex characters (128 bits of the digest; the TPM takes at most
 * the 32 bytes of the object's nameAlg, SHA-256). The TPM checks it at
 * TPM2_Unseal, inside the salted HMAC session, so an object copied beside
 * another name's reference fails with TPM_RC_AUTH_FAIL
 * (SECPROV_ERR_INTEGRITY). The object is noDA, so such a failure never
 * touches the dictionary-attack counter.
 *
 * It is not a secret (anyone can compute it from the name): it binds, it
 * does not protect. Printable on purpose: it is the password a tpm2-tools
 * user gives (docs/tpm-objects.md, "Reading a secret with tpm2-tools").
 */
#ifndef SECPROV_NAME_AUTH_H
#define SECPROV_NAME_AUTH_H

#include <tss2/tss2_tpm2_types.h>

#define NAME_AUTH_LABEL "secprov-name-auth-v1:"
#define NAME_AUTH_LEN 32

/* The auth value of NAME's objects: 0, or -1 if the digest failed. The
 * caller zeroes it after use. */
int name_auth(const char *name, TPM2B_AUTH *auth);

#endif
