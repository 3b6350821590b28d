/*
 * OpenSSL without its legacy name tables, for the commands that never look
 * an algorithm up by a legacy name (no X.509, no PEM): see
 * docs/performance.md#openssl-legacy-names.
 *
 * tpm2-tss 3.2 and 4.x make a new OpenSSL library context for every hash,
 * HMAC and nonce of a session, and OpenSSL 3.0 fills each new context's
 * name map from the process's legacy cipher and digest tables: about half
 * of a `secprov unseal` process's instructions. The command owns its
 * process, so it may tell OpenSSL, before anything else uses it, never to
 * load those tables. Every algorithm secprov and tpm2-tss use is still
 * found by its provider's own names (EVP_sha256(), EVP_MD_fetch(..,
 * "SHA256")); what stops working is EVP_get_digestbyname() and the like,
 * which X.509 verification and PEM decryption use: the commands that need
 * them (verify, seal-to, attest, ...) do not call this. A library never
 * does this: its host process may need the tables.
 */
#include <openssl/crypto.h>

#include "commands.h"

int cli_openssl_without_legacy_names(void)
{
    return OPENSSL_init_crypto(OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS,
                               NULL) == 1
               ? CLI_OK
               : cli_error(CLI_FAIL, "cannot initialise OpenSSL");
}
