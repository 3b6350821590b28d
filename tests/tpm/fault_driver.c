/*
 * fault_driver: one process holding one secprov handle, driven line by line
 * from stdin so that a test can break the TPM between calls:
 *   open                 secprov_open (provider and config from the environment)
 *   seal NAME VALUE      secprov_seal
 *   unseal NAME          secprov_unseal
 *   delete NAME          secprov_delete
 *   list                 secprov_list (value: the names, comma-separated)
 *   provider             secprov_provider_name and secprov_fell_back
 *                        (value: "tpm fallback=no")
 *   close                secprov_close
 * Each answer is one line: "<verb> <status> <milliseconds>[ <value>]", where
 * status is the SECPROV_ERR_* name (or OK) and value the unsealed bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "secprov.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static const char *status_name(int st)
{
    static const char *const names[] = {
        "OK", "INVALID_ARG", "NAME", "NOT_FOUND", "INTEGRITY", "CONFIG", "UNAVAILABLE",
        "NOT_INSTALLED", "IO", "NOMEM", "TPM", "UNSUPPORTED", "KEYSTORE_MISMATCH",
        "PERMISSION", "BUSY", "TOO_LARGE", "FORMAT", "PADDING", "TIMEOUT", "INTERNAL"};
    return st <= 0 && -st < (int)(sizeof names / sizeof names[0]) ? names[-st] : "UNKNOWN";
}

int main(void)
{
    char line[512];
    secprov *sp = NULL;

    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof line, stdin) != NULL) {
        char *save = NULL;
        char *verb = strtok_r(line, " \n", &save);
        char *name = strtok_r(NULL, " \n", &save);
        char *value = strtok_r(NULL, "\n", &save);
        void *out = NULL;
        size_t out_len = 0;
        int st;
        if (verb == NULL)
            continue;
        double t0 = now_ms();
        if (strcmp(verb, "open") == 0)
            st = secprov_open(&sp, NULL);
        else if (strcmp(verb, "close") == 0) {
            secprov_close(sp);
            sp = NULL;
            st = SECPROV_OK;
        } else if (strcmp(verb, "seal") == 0 && name != NULL && value != NULL)
            st = secprov_seal(sp, name, value, strlen(value));
        else if (strcmp(verb, "unseal") == 0 && name != NULL)
            st = secprov_unseal(sp, name, &out, &out_len);
        else if (strcmp(verb, "delete") == 0 && name != NULL)
            st = secprov_delete(sp, name);
        else if (strcmp(verb, "list") == 0 || strcmp(verb, "provider") == 0) {
            char text[4096] = "";
            char **names = NULL;
            size_t count = 0, used = 0;
            if (verb[0] == 'l') {
                st = secprov_list(sp, &names, &count);
                for (size_t i = 0; i < count && used < sizeof text - 70; i++)
                    used += (size_t)snprintf(text + used, sizeof text - used, "%s%s",
                                             i ? "," : "", names[i]);
                secprov_list_free(names, count);
            } else {
                st = sp != NULL ? SECPROV_OK : SECPROV_ERR_INVALID_ARG;
                snprintf(text, sizeof text, "%s fallback=%s", sp ? secprov_provider_name(sp) : "-",
                         secprov_fell_back(sp) ? "yes" : "no");
            }
            printf("%s %s %.0f %s\n", verb, status_name(st), now_ms() - t0, text);
            continue;
        } else {
            printf("%s BAD_COMMAND 0\n", verb);
            continue;
        }
        printf("%s %s %.0f", verb, status_name(st), now_ms() - t0);
        if (out != NULL) {
            printf(" %.*s", (int)out_len, (const char *)out);
            secprov_free(out, out_len);
        }
        printf("\n");
    }
    secprov_close(sp);
    return 0;
}
