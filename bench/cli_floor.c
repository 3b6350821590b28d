/* The floor under a whole `secprov unseal` process (bench/cli_profile.sh):
 * what any process pays that loads tpm.so's libraries and does the OpenSSL
 * work an ESAPI salted session starts with, and nothing else.
 *   cli_floor TPM_SO STAGE
 *   STAGE 0: exit at once; 1: dlopen TPM_SO (RTLD_NOW | RTLD_LOCAL, as
 *   libsecprov does); 2: + OpenSSL's first digest (the name map, the
 *   default provider); 3: + its DRBGs (public and private); 4: + a P-256
 *   key pair (the salt's ephemeral key). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

int main(int argc, char **argv)
{
    int stage = argc > 2 ? atoi(argv[2]) : 0;
    unsigned char buf[32];
    unsigned int len;

    if (argc < 3) {
        fprintf(stderr, "usage: cli_floor TPM_SO STAGE\n");
        return 2;
    }
    if (stage >= 1 && dlopen(argv[1], RTLD_NOW | RTLD_LOCAL) == NULL) {
        fprintf(stderr, "cli_floor: %s\n", dlerror());
        return 1;
    }
    if (stage >= 2 && EVP_Digest("x", 1, buf, &len, EVP_sha256(), NULL) != 1)
        return 1;
    if (stage >= 3 && (RAND_bytes(buf, sizeof buf) != 1 || RAND_priv_bytes(buf, sizeof buf) != 1))
        return 1;
    if (stage >= 4) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        if (k == NULL)
            return 1;
        EVP_PKEY_free(k);
    }
    return 0;
}
