/*
 * loader N: what a loader process does at start-up, as one leg of `make
 * bench`: secprov_open (provider and config from the environment), unseal
 * the secrets loader-0 .. loader-(N-1), close, exit. bench/run.sh times the
 * whole process (start to exit) and counts its TPM commands; `loader seal
 * N` seals them first. Exit 1 on any failure.
 *   loader [--no-legacy-names] [seal] N
 * --no-legacy-names: first of all, as a C loader that owns its process and
 * never verifies X.509 or reads encrypted PEM may, tell OpenSSL not to load
 * its legacy name tables (docs/performance.md#openssl-legacy-names).
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprov.h"

int main(int argc, char **argv)
{
    int lean = argc > 2 && strcmp(argv[1], "--no-legacy-names") == 0;
    int seal = argc > 2 + lean && strcmp(argv[1 + lean], "seal") == 0;
    int n = atoi(argv[argc - 1]), rc;
    secprov *sp;

    if (lean && OPENSSL_init_crypto(OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
                                        OPENSSL_INIT_NO_ADD_ALL_DIGESTS,
                                    NULL) != 1) {
        fprintf(stderr, "loader: OPENSSL_init_crypto failed\n");
        return 1;
    }

    if ((rc = secprov_open(&sp, NULL)) != SECPROV_OK) {
        fprintf(stderr, "loader: open: %s\n", secprov_strerror(rc));
        return 1;
    }
    for (int i = 0; i < n && rc == SECPROV_OK; i++) {
        char name[32], value[64];
        void *out;
        size_t len;
        snprintf(name, sizeof name, "loader-%d", i);
        snprintf(value, sizeof value, "secret-%d-0123456789abcdef", i);
        if (seal) {
            rc = secprov_seal(sp, name, value, strlen(value));
        } else if ((rc = secprov_unseal(sp, name, &out, &len)) == SECPROV_OK) {
            rc = len == strlen(value) && memcmp(out, value, len) == 0 ? SECPROV_OK
                                                                      : SECPROV_ERR_INTEGRITY;
            secprov_free(out, len);
        }
        if (rc != SECPROV_OK)
            fprintf(stderr, "loader: %s: %s\n", name, secprov_strerror(rc));
    }
    secprov_close(sp);
    return rc == SECPROV_OK ? 0 : 1;
}
