/* The README's example: seal a secret, read it back, with whatever provider
 * this device selects. Build: cc seal_unseal.c $(pkg-config --cflags --libs secprov) */
#include <secprov.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    secprov *sp;
    int rc = secprov_open(&sp, NULL);          /* selection rules: see README */
    if (rc != SECPROV_OK) {
        fprintf(stderr, "open: %s\n", secprov_strerror(rc));
        return 1;
    }
    printf("provider: %s\n", secprov_provider_name(sp));

    const char key[] = "s3cr3t-api-key";
    rc = secprov_seal(sp, "api-key", key, sizeof key - 1);
    if (rc == SECPROV_OK) {
        void *data;
        size_t len;
        rc = secprov_unseal(sp, "api-key", &data, &len);
        if (rc == SECPROV_OK) {
            printf("unsealed %zu bytes: %s\n", len,
                   len == sizeof key - 1 && memcmp(data, key, len) == 0 ? "match" : "MISMATCH");
            secprov_free(data, len);               /* zeroes, then frees */
        }
    }
    if (rc != SECPROV_OK)
        fprintf(stderr, "secprov: %s\n", secprov_strerror(rc));
    secprov_close(sp);
    return rc == SECPROV_OK ? 0 : 1;
}
