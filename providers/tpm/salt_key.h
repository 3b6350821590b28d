/*
 * The key the handle's session salt is encrypted to (tpm.salt_key; issue
 * 24). A session's salt costs the TPM one private-key operation at
 * TPM2_StartAuthSession: an ECDH with the SRK (P-256), or an RSA-2048
 * decryption. Which is cheaper depends on the TPM: on the Jetson Orin's
 * firmware TPM an ECDH takes 89.6 ms and an RSA-2048 private operation
 * 11.9 ms (wolfTPM's figures, docs/performance.md); on a discrete TPM such
 * as Infineon's SLB9672 RSA costs more than ECDH.
 *   ecc   salted to the SRK (0x81000001), as FAPI does: no other key
 *   rsa   salted to an RSA-2048 restricted decryption key under the SRK,
 *         kept in <state_dir>/salt/rsa2048.key (TPM2B_PUBLIC then
 *         TPM2B_PRIVATE, TPM encodings; written atomically, 0600), made with
 *         TPM2_Create the first time it is needed (also in a keystore
 *         provisioned before), loaded with TPM2_Load before each salt and
 *         flushed after it: no persistent handle. Restricted: the TPM
 *         refuses TPM2_RSA_Decrypt with it, so nobody with access to the TPM
 *         can decrypt a salt seen on the bus (as the SRK refuses ECDH_ZGen).
 *   auto  (the default) by the table in salt_key.c of known TPMs, keyed by
 *         TPM2_PT_MANUFACTURER, else ecc. The answer (one TPM2_GetCapability
 *         the first time) is recorded in <state_dir>/salt/auto with the
 *         manufacturer and firmware version it was made for, so later
 *         processes send no command for it (a read-only state folder: one
 *         GetCapability per connection).
 * salt_key.c: the template and the table; salt_prepare.c: the files.
 * The key file is checked before each first salt of a connection: its
 * public area must be the template's (type, size, attributes, scheme), and
 * the TPM must load it under the keystore's (checked) SRK, which it does
 * only for a private part made for that public area under that SRK. A
 * refused key starts no session and the error names the file.
 */
#ifndef SECPROV_SALT_KEY_H
#define SECPROV_SALT_KEY_H

#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_tpm2_types.h>

#include "tpm_settings.h"

#define SALT_DIR "salt"
#define SALT_RSA_FILE "rsa2048.key"
#define SALT_AUTO_FILE "auto"
/* TPM2_Create of an RSA-2048 key searches for primes: seconds on some TPMs.
 * Once per keystore, so it gets its own bound rather than the call's. */
#define SALT_KEYGEN_MS 60000

/* The RSA salt key's template (TPM2_Create under the SRK). */
extern const TPM2B_PUBLIC salt_rsa_template;

struct tpm_ctx;

/* After the ESYS context is made (tpm_ensure_esys): resolve tpm.salt_key
 * and, for rsa, read and check the key file (making the key when there is
 * none) into the context's session. On failure the error is logged, naming
 * the file, and the contexts are dropped. */
int salt_key_prepare(struct tpm_ctx *c);

/* The table: the choice for a TPM by its TPM2_PT_MANUFACTURER and firmware
 * version; *why says which row (static text). */
tpm_salt_choice salt_key_by_tpm(uint32_t manufacturer, uint32_t fw1, uint32_t fw2,
                                const char **why);

/* 0 when pub is the RSA salt key's template (with a 2048-bit modulus);
 * else -1 with *why saying what differs (static text). */
int salt_key_check_public(const TPM2B_PUBLIC *pub, const char **why);

#endif
