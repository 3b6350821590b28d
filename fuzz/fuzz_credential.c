/* libFuzzer: the activation challenge's reader (formats/credential.h, what
 * `secprov attest activate` reads on the device) on any input: it accepts
 * or refuses with a reason, never crashes; what it accepts writes back to
 * the same bytes (one format, one reader, one writer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    TPM2B_ID_OBJECT id;
    TPM2B_ENCRYPTED_SECRET secret;
    static uint8_t out[CREDENTIAL_MAX];
    char why[256] = "";
    size_t len = 0;

    if (credential_read(data, size, &id, &secret, why, sizeof why) != 0) {
        if (why[0] == '\0')
            abort();
        return 0;
    }
    if (credential_write(&id, &secret, out, sizeof out, &len) != 0 || len != size ||
        memcmp(out, data, size) != 0)
        abort();
    return 0;
}
