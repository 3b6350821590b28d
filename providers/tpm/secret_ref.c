/* The tpm provider's reference files: see secret_ref.h. */
#include "secret_ref.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "aead.h"
#include "secprov.h"
#include "state_files.h"

#define REF_CHECK_LEN 32
#define V1_ENV_HEADER 44

static const uint8_t magic[4] = {'S', 'P', 'T', 'R'};
static const char check_domain[] = "secprov ref v2";

/* SHA-256 over the domain, NAME and the image without its check field. */
static int ref2_check(const uint8_t *img, size_t len, const char *name,
                      uint8_t out[REF_CHECK_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(md, check_domain, sizeof check_domain) == 1 &&   /* with its NUL */
             EVP_DigestUpdate(md, name, strlen(name) + 1) == 1 &&
             EVP_DigestUpdate(md, img, REF_HEADER) == 1 &&
             EVP_DigestUpdate(md, img + REF2_HEADER, len - REF2_HEADER) == 1 &&
             EVP_DigestFinal_ex(md, out, &n) == 1 && n == REF_CHECK_LEN;
    EVP_MD_CTX_free(md);
    return ok ? SECPROV_OK : SECPROV_ERR_NOMEM;
}

size_t ref2_len(int kind, size_t ct_len)
{
    return kind == REF_ENVELOPE ? REF2_ENV_HEADER + ct_len : REF2_HEADER;
}

static void header(uint8_t *out, int version, int kind, uint64_t gen)
{
    memset(out, 0, REF_HEADER);
    memcpy(out, magic, 4);
    out[4] = (uint8_t)version;
    out[5] = (uint8_t)kind;
    for (int i = 0; i < 8; i++)
        out[8 + i] = (uint8_t)(gen >> (56 - 8 * i));
}

void ref2_header(uint8_t *img, int kind, uint64_t gen)
{
    header(img, 2, kind, gen);
}

int ref2_finish(uint8_t *img, size_t len, const char *name)
{
    if (len < REF2_HEADER)
        return SECPROV_ERR_INTERNAL;
    return ref2_check(img, len, name, img + REF_HEADER);
}

size_t ref_aad(const uint8_t *img, const char *name, uint8_t *aad, size_t aad_len)
{
    size_t n = strlen(name);

    if (aad_len < REF_HEADER + n)
        return 0;
    memcpy(aad, img, REF_HEADER);
    memcpy(aad + REF_HEADER, name, n);
    return REF_HEADER + n;
}

int ref_parse(const uint8_t *file, size_t len, const char *name, secret_ref *ref)
{
    uint8_t check[REF_CHECK_LEN];
    size_t env_header;

    memset(ref, 0, sizeof *ref);
    if (len < REF_HEADER || memcmp(file, magic, 4) != 0 || (file[4] != 1 && file[4] != 2) ||
        file[6] != 0 || file[7] != 0)
        return SECPROV_ERR_INTEGRITY;
    ref->version = file[4];
    ref->kind = file[5];
    ref->gen.ordered = ref->version == 2;
    for (int i = 0; i < 8; i++)
        ref->gen.value = (ref->gen.value << 8) | file[8 + i];
    if (ref->version == 2) {
        if (len < REF2_HEADER || ref2_check(file, len, name, check) != SECPROV_OK ||
            CRYPTO_memcmp(check, file + REF_HEADER, REF_CHECK_LEN) != 0)
            return SECPROV_ERR_INTEGRITY;
        env_header = REF2_ENV_HEADER;
    } else {
        env_header = V1_ENV_HEADER;
    }
    if (ref->kind == REF_DIRECT)
        return len == (ref->version == 2 ? REF2_HEADER : REF_HEADER) ? SECPROV_OK
                                                                     : SECPROV_ERR_INTEGRITY;
    if (ref->kind != REF_ENVELOPE || len <= env_header)
        return SECPROV_ERR_INTEGRITY;
    ref->nonce = file + env_header - SP_GCM_IV_LEN - SP_GCM_TAG_LEN;
    ref->tag = ref->nonce + SP_GCM_IV_LEN;
    ref->ct = file + env_header;
    ref->ct_len = len - env_header;
    return SECPROV_OK;
}

int ref_object_path(char *out, size_t len, const char *name, ref_gen gen)
{
    int n = snprintf(out, len, OBJECT_PREFIX "%s-%s%016" PRIx64, name, gen.ordered ? "g" : "",
                     gen.value);
    return n > 0 && (size_t)n < len ? SECPROV_OK : SECPROV_ERR_TOO_LARGE;
}

static int hex16(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (strlen(s) != 16)
        return -1;
    for (int i = 0; i < 16; i++) {
        char ch = s[i];
        int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = (v << 4) | (uint64_t)d;
    }
    *out = v;
    return 0;
}

int ref_parse_object_entry(const char *entry, char *name, size_t name_len, ref_gen *gen)
{
    const char *p = entry + strlen(OBJECT_ENTRY_PREFIX), *dash;

    if (strncmp(entry, OBJECT_ENTRY_PREFIX, strlen(OBJECT_ENTRY_PREFIX)) != 0 ||
        (dash = strrchr(p, '-')) == NULL || (size_t)(dash - p) >= name_len)
        return -1;
    gen->ordered = dash[1] == 'g';
    if (hex16(dash + 1 + gen->ordered, &gen->value) != 0)
        return -1;
    memcpy(name, p, (size_t)(dash - p));
    name[dash - p] = '\0';
    return sp_name_ok(name) == SECPROV_OK ? 0 : -1;
}

int ref_gen_older(ref_gen a, ref_gen b)
{
    return b.ordered && (!a.ordered || a.value < b.value);
}

int ref_gen_same(ref_gen a, ref_gen b)
{
    return a.ordered == b.ordered && a.value == b.value;
}
