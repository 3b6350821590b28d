/* Stock FAPI: see fapi_stock.h. */
#include "fapi_stock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tss2/tss2_fapi.h>
#include <tss2/tss2_rc.h>

#define STOCK_PROFILE "/etc/tpm2-tss/fapi-profiles/P_ECCP256SHA256.json"

/* The stock profile, copied with its SRK handle 0x81000001 moved to
 * 0x81000002 so that it can share one TPM with secprov's SRK; nothing else
 * in it is changed. */
static int copy_profile(const char *dir)
{
    char path[4096], line[1024];
    FILE *in = fopen(STOCK_PROFILE, "r"), *out;
    int moved = 0;

    snprintf(path, sizeof path, "%s/profiles", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/profiles/P_ECCP256SHA256.json", dir);
    if (in == NULL || (out = fopen(path, "w")) == NULL) {
        fprintf(stderr, "stock fapi: cannot copy %s\n", STOCK_PROFILE);
        if (in != NULL)
            fclose(in);
        return -1;
    }
    while (fgets(line, sizeof line, in) != NULL) {
        char *h = strstr(line, "0x81000001");
        if (h != NULL) {
            h[9] = '2';
            moved++;
        }
        fputs(line, out);
    }
    fclose(in);
    return fclose(out) == 0 && moved == 1 ? 0 : -1;
}

struct stock_ctx {
    FAPI_CONTEXT *fapi;
};

stock_ctx *stock_open(const char *tcti, const char *dir)
{
    static stock_ctx s;
    char path[4096], sub[4096];
    TSS2_RC rc;

    if (copy_profile(dir) != 0)
        return NULL;
    snprintf(path, sizeof path, "%s/fapi-config.json", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return NULL;
    fprintf(f, "{\n \"profile_name\": \"P_ECCP256SHA256\",\n \"profile_dir\": \"%s/profiles/\",\n"
               " \"user_dir\": \"%s/user\",\n \"system_dir\": \"%s/system\",\n"
               " \"tcti\": \"%s\",\n \"system_pcrs\": [],\n \"log_dir\": \"%s/log\",\n"
               " \"ek_cert_less\": \"yes\"\n}\n", dir, dir, dir, tcti, dir);
    fclose(f);
    for (const char *const *d = (const char *const[]){"user", "system", "log", NULL}; *d; d++) {
        snprintf(sub, sizeof sub, "%s/%s", dir, *d);
        mkdir(sub, 0700);
    }
    setenv("TSS2_FAPICONF", path, 1);
    rc = Fapi_Initialize(&s.fapi, NULL);
    unsetenv("TSS2_FAPICONF");
    if (rc == TSS2_RC_SUCCESS) {
        rc = Fapi_Provision(s.fapi, NULL, NULL, NULL);
        if (rc == TSS2_FAPI_RC_ALREADY_PROVISIONED)
            rc = TSS2_RC_SUCCESS;
    }
    if (rc != TSS2_RC_SUCCESS) {
        fprintf(stderr, "stock fapi: %s\n", Tss2_RC_Decode(rc));
        stock_close(&s);
        return NULL;
    }
    return &s;
}

int stock_roundtrip(stock_ctx *s, const uint8_t *data, size_t len)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    const char *path = "/HS/SRK/bench";
    TSS2_RC rc = Fapi_CreateSeal(s->fapi, path, NULL, len, NULL, NULL, data);
    if (rc == TSS2_RC_SUCCESS)
        rc = Fapi_Unseal(s->fapi, path, &out, &out_len);
    int ok = rc == TSS2_RC_SUCCESS && out_len == len && memcmp(out, data, len) == 0;
    if (out != NULL) {
        memset(out, 0, out_len);
        Fapi_Free(out);
    }
    TSS2_RC drc = Fapi_Delete(s->fapi, path);
    if (rc != TSS2_RC_SUCCESS || drc != TSS2_RC_SUCCESS)
        fprintf(stderr, "stock fapi: %s\n", Tss2_RC_Decode(rc != TSS2_RC_SUCCESS ? rc : drc));
    return ok && drc == TSS2_RC_SUCCESS ? 0 : -1;
}

void stock_close(stock_ctx *s)
{
    if (s != NULL && s->fapi != NULL)
        Fapi_Finalize(&s->fapi);
}
