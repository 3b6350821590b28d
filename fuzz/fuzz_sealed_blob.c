/* libFuzzer: the seal-to blob parser (formats/sealed_blob.c), which the
 * device runs on a blob from the network before anything reaches the TPM. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sealed_blob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sealed_blob b;
    char why[256];

    if (sealed_blob_parse(data, size, &b, why, sizeof why) == 0) {
        /* what a parsed blob promises: its envelope lies inside the input */
        if (b.kind == SEALED_BLOB_ENVELOPE &&
            (b.ct < data || b.tag + SEALED_BLOB_TAG_LEN != data + size || b.aad_len > size))
            __builtin_trap();
        if (strlen(b.name) == 0 || strlen(b.name) > SEALED_BLOB_NAME_MAX)
            __builtin_trap();
    }
    return 0;
}
