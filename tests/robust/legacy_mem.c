/*
 * legacy_mem MARKER: encrypt MARKER (held in secret memory) with the legacy
 * scheme's buffer API and decrypt it again, for test_secret_memory.sh
 * under free_shim.so (FREE_SHIM_ZEROED=1): the plaintext must be written
 * only to secret memory, never copied through plain heap memory. Exit 1 on
 * a failure.
 */
#include <stdio.h>
#include <string.h>

#include "secprov.h"
#include "secprov_legacy.h"

int main(int argc, char **argv)
{
    secprov_legacy *lg = NULL;
    void *ct = NULL, *pt = NULL;
    size_t ct_len = 0, pt_len = 0, len;
    char *secret;
    int rc, ok = 0;

    if (argc != 2)
        return 2;
    len = strlen(argv[1]);
    if ((secret = secprov_secret_alloc(len)) == NULL)
        return 1;
    memcpy(secret, argv[1], len);
    memset(argv[1], 'x', len);                     /* the marker only in secret memory */
    if ((rc = secprov_legacy_open(&lg, NULL)) != SECPROV_OK)
        fprintf(stderr, "legacy_open: %s\n", secprov_strerror(rc));
    else if ((rc = secprov_legacy_encrypt(lg, "legacy-mem-key", secret, len, &ct, &ct_len)) != SECPROV_OK)
        fprintf(stderr, "encrypt: %s\n", secprov_strerror(rc));
    else if ((rc = secprov_legacy_decrypt(lg, "legacy-mem-key", ct, ct_len, &pt, &pt_len)) != SECPROV_OK)
        fprintf(stderr, "decrypt: %s\n", secprov_strerror(rc));
    else if (pt_len != len || memcmp(pt, secret, len) != 0)
        fprintf(stderr, "decrypt: not the plaintext\n");
    else
        ok = 1;
    secprov_free(pt, pt_len);
    secprov_free(ct, ct_len);
    secprov_free(secret, len);
    secprov_legacy_close(lg);
    return ok ? 0 : 1;
}
