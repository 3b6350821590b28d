/* The tpm provider's reference files: see secret_ref.h. */
#include "secret_ref.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "secprov.h"
#include "state_files.h"

static const uint8_t magic[4] = {'S', 'P', 'T', 'R'};

void ref_header(uint8_t out[REF_HEADER], int kind, uint64_t gen)
{
    memset(out, 0, REF_HEADER);
    memcpy(out, magic, 4);
    out[4] = 1;
    out[5] = (uint8_t)kind;
    for (int i = 0; i < 8; i++)
        out[8 + i] = (uint8_t)(gen >> (56 - 8 * i));
}

int ref_parse(const uint8_t *file, size_t len, secret_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    if (len < REF_HEADER || memcmp(file, magic, 4) != 0 || file[4] != 1 || file[6] != 0 ||
        file[7] != 0)
        return SECPROV_ERR_INTEGRITY;
    ref->kind = file[5];
    for (int i = 0; i < 8; i++)
        ref->gen = (ref->gen << 8) | file[8 + i];
    if (ref->kind == REF_DIRECT)
        return len == REF_HEADER ? SECPROV_OK : SECPROV_ERR_INTEGRITY;
    if (ref->kind != REF_ENVELOPE || len <= REF_ENV_HEADER)
        return SECPROV_ERR_INTEGRITY;
    ref->nonce = file + REF_HEADER;
    ref->tag = file + REF_HEADER + SP_GCM_IV_LEN;
    ref->ct = file + REF_ENV_HEADER;
    ref->ct_len = len - REF_ENV_HEADER;
    return SECPROV_OK;
}

int ref_object_path(char *out, size_t len, const char *name, uint64_t gen)
{
    int n = snprintf(out, len, OBJECT_PREFIX "%s-%016" PRIx64, name, gen);
    return n > 0 && (size_t)n < len ? SECPROV_OK : SECPROV_ERR_TOO_LARGE;
}

int ref_parse_object_path(const char *path, char *name, size_t name_len, uint64_t *gen)
{
    const char *p = strstr(path, OBJECT_PREFIX), *dash;
    char *end;

    if (p == NULL)
        return -1;
    p += strlen(OBJECT_PREFIX);
    dash = strrchr(p, '-');
    if (dash == NULL || (size_t)(dash - p) >= name_len || strlen(dash + 1) != 16)
        return -1;
    memcpy(name, p, (size_t)(dash - p));
    name[dash - p] = '\0';
    *gen = strtoull(dash + 1, &end, 16);
    if (*end != '\0' || sp_name_ok(name) != SECPROV_OK)
        return -1;
    return 0;
}
