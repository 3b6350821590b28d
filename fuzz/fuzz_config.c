/* libFuzzer: the config parser (through a temp file, as secprov reads it)
 * and name validation. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "secprov.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/secprov-fuzz-conf.XXXXXX", err[600];
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        sp_config c;
        int rc = sp_config_load(&c, path, err, sizeof err);
        if (rc == SECPROV_OK)
            sp_config_free(&c);
        else if (rc != SECPROV_ERR_CONFIG && rc != SECPROV_ERR_NOMEM)
            abort();
        else if (err[0] == '\0' && rc == SECPROV_ERR_CONFIG)
            abort();                  /* every config error says what */
    }
    close(fd);
    unlink(path);
    char name[80];
    size_t n = size < sizeof name - 1 ? size : sizeof name - 1;
    memcpy(name, data, n);
    name[n] = '\0';
    n = strlen(name);                 /* a C string ends at the first NUL */
    int ok = secprov_name_check(name) == SECPROV_OK;
    int want = n >= 1 && n <= 64 && strspn(name,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
    if (ok != want)
        abort();
    return 0;
}
