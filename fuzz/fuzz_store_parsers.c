/* libFuzzer: the stored-secret parsers of both providers: the legacy
 * store's file format and the tpm provider's reference file. Anything but a
 * well-formed file is SECPROV_ERR_INTEGRITY, never a crash or output. */
#include <stdint.h>
#include <stdlib.h>

#include "secprov.h"
#include "secret_ref.h"
#include "store_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void release(void *p, size_t len)
{
    (void)len;
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    void *out = NULL;
    size_t len = 0;
    int rc = lg_store_unpack("CPU: fuzz", "name", data, size, malloc, release, &out, &len);
    if (rc == SECPROV_OK)
        abort();                      /* forging an authentic file would be a finding */
    if (out != NULL)
        abort();
    secret_ref ref;
    rc = ref_parse(data, size, "name", &ref);
    if (rc == SECPROV_OK && ref.kind == REF_ENVELOPE &&
        (ref.ct + ref.ct_len != data + size || ref.ct_len == 0))
        abort();
    return 0;
}
