/* libFuzzer: the attestor group (at_config_load, attestor/at_config.c)
 * over the input as a config file (a temp file, as the daemon reads one).
 * A config it accepts has a listen address at_listen_parse accepts,
 * absolute paths, parsed PCRs and NAME=/path services; a refusal says why.
 * at_config_free leaves nothing behind (LeakSanitizer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attestor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/secprov-fuzz-attestor.XXXXXX", why[AT_WHY] = "", host[256], w[AT_WHY];
    int fd = mkstemp(path), port;
    at_config c;

    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        if (at_config_load(&c, path, why, sizeof why) == 0) {
            if (at_listen_parse(c.listen, c.allow_remote, host, sizeof host, &port, w,
                                sizeof w) != 0 ||
                c.audit_log[0] != '/' || c.refresh_interval_s < 1 ||
                c.audit_max_bytes < 4096)
                abort();
            for (size_t i = 0; i < c.pcr_count; i++)
                if (c.pcrs[i].index < 0 || c.pcrs[i].index > 23 || c.pcrs[i].hex[0] == '\0')
                    abort();
            for (size_t i = 0; i < c.service_count; i++)
                if (c.service_names[i][0] == '\0' || c.service_paths[i][0] != '/')
                    abort();
            for (size_t i = 0; i < c.policy_count; i++)
                if (c.policy_files[i][0] != '/')
                    abort();
            at_config_free(&c);
        } else if (why[0] == '\0') {
            abort();
        }
    }
    close(fd);
    unlink(path);
    return 0;
}
