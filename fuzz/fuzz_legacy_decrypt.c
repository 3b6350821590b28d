/* libFuzzer: the legacy decrypt/unpad path (buffer and stream) never
 * crashes and returns output only with a valid status. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "legacy_scheme.h"
#include "secprov.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void release(void *p, size_t len)
{
    (void)len;
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const lg_scheme_ops *ops = lg_scheme();
    void *out = NULL;
    size_t len = 0;
    int rc = ops->decrypt("fuzz-key", data, size, malloc, release, &out, &len);
    if ((rc == SECPROV_OK) != (out != NULL))
        abort();
    if (rc == SECPROV_OK && (len >= size || len + 16 + 16 < size))
        abort();                                   /* output length must fit the input */
    free(out);
    int in = memfd_create("in", 0), sink = open("/dev/null", 1);
    if (in >= 0 && sink >= 0 && write(in, data, size) == (ssize_t)size) {
        lseek(in, 0, SEEK_SET);
        int rs = ops->decrypt_fd("fuzz-key", NULL, 0, in, sink);
        if (rs != rc)
            abort();                               /* buffer and stream agree */
    }
    close(in);
    close(sink);
    return 0;
}
