/* libFuzzer: join (small part + streamed big part, resource key). The first
 * input byte chooses where small ends. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#include "legacy_scheme.h"
#include "secprov.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cut = data[0] < size - 1 ? data[0] : size - 1;
    const uint8_t *rest = data + 1;
    size_t rest_len = size - 1;
    char key[LG_KEY_LEN + 1];
    const lg_scheme_ops *ops = lg_scheme();
    if (ops->resource_key(key) != SECPROV_OK)
        abort();
    int big = memfd_create("big", 0), sink = open("/dev/null", 1);
    if (big >= 0 && sink >= 0 &&
        write(big, rest + cut, rest_len - cut) == (ssize_t)(rest_len - cut)) {
        lseek(big, 0, SEEK_SET);
        int rc = ops->decrypt_fd(key, rest, cut, big, sink);
        if (rc != SECPROV_OK && rc != SECPROV_ERR_FORMAT && rc != SECPROV_ERR_PADDING)
            abort();
    }
    close(big);
    close(sink);
    return 0;
}
