/*
 * A sealed object in FAPI's keystore, the file FAPI itself would write for
 * Fapi_CreateSeal with secprov's profile:
 *   <state_dir>/keystore/user/<profile>/HS/SRK/sp-NAME-GEN/object.json
 * secprov makes the object through ESAPI (esys_seal.h) and writes this file
 * (json-c, FAPI's field names and encodings), so that tss2_unseal and every
 * other FAPI user read it as one of FAPI's own. It is read back by secprov's
 * own strict parser (keystore_json.h): no keystore file reaches tpm2-tss's
 * parser, and no object that fails the checks reaches the TPM.
 */
#ifndef SECPROV_KEYSTORE_OBJECT_H
#define SECPROV_KEYSTORE_OBJECT_H

#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_tpm2_types.h>

#include "keystore_json.h"

/* Write (atomically, with every new folder synced) the keystore file of
 * the object at FAPI path object_path ("/HS/SRK/sp-NAME-GEN") in
 * state_dir's user keystore, "with_auth" YES when the object has an auth
 * value (name_auth.h), so that FAPI asks for it: a SECPROV status. */
int keystore_object_write(const char *state_dir, const char *object_path,
                          const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv, int with_auth);

/* Remove the keystore file of the object at object_path (user or system
 * store) and its folder: 0 when a file was removed, -1 when none was.
 * Under the persistent SRK a sealed object has no TPM state, so this is
 * all Fapi_Delete would do, without its 3 TPM commands; and it also
 * removes an entry a killed process left half written. */
int keystore_object_remove(const char *state_dir, const char *object_path);

/* The sealed object at FAPI path object_path in state_dir's user store,
 * read and checked (keystore_json.h, and its "name" against its public
 * area) without tpm2-tss: SECPROV_OK; SECPROV_ERR_NOT_FOUND (no file),
 * SECPROV_ERR_PERMISSION (not a regular file of ours, or world-writable),
 * SECPROV_ERR_INTEGRITY (malformed, or not an object secprov may use);
 * why names the file and what is wrong. */
int keystore_object_read(const char *state_dir, const char *object_path, keystore_entry *e,
                         char *why, size_t why_len);

/* The public area of the keystore's SRK (system store, /HS/SRK), read and
 * checked the same way; SECPROV_ERR_KEYSTORE_MISMATCH if it records another
 * handle than handle (FAPI records 0 for an SRK it found already there). */
/* The EK's entry (keystore/system .../HE/EK): its public area and its
 * certificate (PEM; "" when the TPM has none), read as keystore_srk_read
 * reads the SRK's. */
int keystore_ek_read(const char *state_dir, TPM2B_PUBLIC *ek, char *cert, size_t cert_len,
                     char *why, size_t why_len);

int keystore_srk_read(const char *state_dir, uint32_t handle, TPM2B_PUBLIC *srk, char *why,
                      size_t why_len);

#endif
