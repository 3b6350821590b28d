/* libFuzzer: the config parser (through a temp file, as secprov reads it),
 * the provider groups as a provider reads them, and name validation. */
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
        if (rc == SECPROV_OK) {
            static const secprov_config_key keys[] = {
                {"tcti", SECPROV_CONFIG_STRING}, {"lock_timeout_ms", SECPROV_CONFIG_INT},
                {"flag", SECPROV_CONFIG_BOOL}, {"list", SECPROV_CONFIG_STRINGS}, {NULL, 0}};
            const char *groups[64], *str;
            char where[700], dir[4096];
            secprov_config_strings list;
            long long v;
            size_t g = sp_config_provider_groups(&c, groups, 64);
            for (size_t i = 0; i < g; i++) {
                rc = sp_config_check_group(&c, groups[i], keys, err, sizeof err);
                if (rc != SECPROV_OK && (rc != SECPROV_ERR_CONFIG || err[0] == '\0'))
                    abort();
                for (const secprov_config_key *k = keys; k->name != NULL; k++) {
                    void *out = k->type == SECPROV_CONFIG_STRING ? (void *)&str
                                : k->type == SECPROV_CONFIG_STRINGS ? (void *)&list : (void *)&v;
                    (void)sp_config_get(&c, groups[i], k->name, k->type, out);
                    sp_config_where(&c, groups[i], k->name, where, sizeof where);
                }
                if (sp_config_state_dir(&c, groups[i], dir, sizeof dir) == SECPROV_OK &&
                    dir[0] != '/')
                    abort();                  /* a state folder is always absolute */
            }
            sp_config_free(&c);
        }
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
