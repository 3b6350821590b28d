/*
 * A sealed object in FAPI's keystore, the file FAPI itself would write for
 * Fapi_CreateSeal with secprov's profile:
 *   <state_dir>/keystore/user/<profile>/HS/SRK/sp-NAME-GEN/object.json
 * secprov makes the object through ESAPI (esys_seal.h) and writes this file
 * (json-c, FAPI's field names and encodings), so that tss2_unseal and every
 * other FAPI user read it as one of FAPI's own. It is read back through
 * Fapi_GetTpmBlobs, which parses FAPI's format and touches no TPM.
 */
#ifndef SECPROV_KEYSTORE_OBJECT_H
#define SECPROV_KEYSTORE_OBJECT_H

#include <tss2/tss2_fapi.h>

#include "tss_wait.h"

/* Write (atomically, with every new folder synced) the keystore file of
 * the object at FAPI path object_path ("/HS/SRK/sp-NAME-GEN") in
 * state_dir's user keystore: a SECPROV status. */
int keystore_object_write(const char *state_dir, const char *object_path,
                          const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv);

/* Remove the keystore file of the object at object_path (user or system
 * store) and its folder: 0 when a file was removed, -1 when none was.
 * Under the persistent SRK a sealed object has no TPM state, so this is
 * all Fapi_Delete would do, without its 3 TPM commands; and it also
 * removes an entry a killed process left half written. */
int keystore_object_remove(const char *state_dir, const char *object_path);

/* The public and private (unless priv is NULL) parts of the keystore
 * object at FAPI path path. */
TSS2_RC keystore_object_blobs(FAPI_CONTEXT *fapi, const char *path, const tpm_deadline *d,
                              TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv);

#endif
