/* The name-derived auth value of sealed objects: see name_auth.h. */
#include "name_auth.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

int name_auth(const char *name, TPM2B_AUTH *auth)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, NAME_AUTH_LABEL, strlen(NAME_AUTH_LABEL)) == 1 &&
             EVP_DigestUpdate(ctx, name, strlen(name)) == 1 &&
             EVP_DigestFinal_ex(ctx, md, &md_len) == 1 && md_len * 2 >= NAME_AUTH_LEN;

    EVP_MD_CTX_free(ctx);
    memset(auth, 0, sizeof *auth);
    if (!ok)
        return -1;
    for (size_t i = 0; i < NAME_AUTH_LEN / 2; i++) {
        auth->buffer[2 * i] = (BYTE)digits[md[i] >> 4];
        auth->buffer[2 * i + 1] = (BYTE)digits[md[i] & 15];
    }
    auth->size = NAME_AUTH_LEN;
    OPENSSL_cleanse(md, sizeof md);
    return 0;
}
