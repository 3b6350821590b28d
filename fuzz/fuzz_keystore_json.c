/* libFuzzer: the tpm provider's keystore JSON parser (keystore_json.h), for
 * both kinds of entry (a sealed object, the SRK). Anything is either
 * refused with SECPROV_ERR_INTEGRITY or parsed into an entry that passes
 * every check secprov relies on; never a crash, a leak or a read past the
 * input (the input is copied to a buffer of exactly its size). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keystore_json.h"
#include "secprov.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    keystore_entry e;
    char *text = malloc(size ? size : 1);

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    for (int kind = KEYSTORE_SEALED; kind <= KEYSTORE_SRK; kind++) {
        why[0] = '\0';
        int rc = keystore_json_parse(text, size, (keystore_kind)kind, &e, why, sizeof why);
        if (rc != SECPROV_OK && (rc != SECPROV_ERR_INTEGRITY || why[0] == '\0'))
            abort();                    /* every refusal says why */
        if (rc != SECPROV_OK)
            continue;
        if (e.pub.size == 0 || e.pub.size > sizeof(TPMT_PUBLIC) ||
            e.name.size > sizeof e.name.name)
            abort();
        if (kind == KEYSTORE_SEALED &&
            (keystore_sealed_check(&e.pub.publicArea, why, sizeof why) != 0 ||
             e.priv.size == 0 || e.priv.size > sizeof e.priv.buffer ||
             e.persistent_handle != 0))
            abort();
        if (kind == KEYSTORE_SRK &&
            (e.pub.publicArea.type != TPM2_ALG_ECC ||
             (e.persistent_handle != 0 && (e.persistent_handle >> 24) != 0x81)))
            abort();
    }
    free(text);
    return 0;
}
