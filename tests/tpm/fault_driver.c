/*
 * fault_driver: one process holding one secprov handle, driven line by line
 * from stdin so that a test can break the TPM between calls:
 *   open                 secprov_open (provider and config from the environment)
 *   seal NAME VALUE      secprov_seal
 *   unseal NAME          secprov_unseal
 *   delete NAME          secprov_delete
 *   list                 secprov_list (value: the names, comma-separated)
 *   locate NAME          secprov_locate (value: where)
 *   info                 secprov_info (value: the provider)
 *   gc | gc-dry-run      secprov_gc (value: each leftover's location, comma-separated)
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

static void add_item(char *out, size_t len, const char *item)
{
    size_t used = strlen(out);
    snprintf(out + used, len - used, "%s%s", used ? "," : "", item);
}

static void on_leftover(const char *name, const char *location, const char *reason, void *user)
{
    (void)name, (void)reason;
    add_item(user, 4096, location);
}

static void on_info(const char *key, const char *value, void *user)
{
    if (strcmp(key, "provider") == 0)
        add_item(user, 4096, value);
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
        static char text[4096];
        char **names;
        size_t count;
        text[0] = '\0';
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
        else if (strcmp(verb, "list") == 0) {
            if ((st = secprov_list(sp, &names, &count)) == SECPROV_OK) {
                for (size_t i = 0; i < count; i++)
                    add_item(text, sizeof text, names[i]);
                secprov_list_free(names, count);
            }
        } else if (strcmp(verb, "locate") == 0 && name != NULL)
            st = secprov_locate(sp, name, text, sizeof text);
        else if (strcmp(verb, "info") == 0)
            st = secprov_info(sp, on_info, text);
        else if (strcmp(verb, "gc") == 0 || strcmp(verb, "gc-dry-run") == 0)
            st = secprov_gc(sp, strcmp(verb, "gc") != 0, on_leftover, text);
        else if (strcmp(verb, "provider") == 0) {
            st = sp != NULL ? SECPROV_OK : SECPROV_ERR_INVALID_ARG;
            snprintf(text, sizeof text, "%s fallback=%s", sp ? secprov_provider_name(sp) : "-",
                     secprov_fell_back(sp) ? "yes" : "no");
        }
        else {
            printf("%s BAD_COMMAND 0\n", verb);
            continue;
        }
        printf("%s %s %.0f", verb, status_name(st), now_ms() - t0);
        if (text[0] != '\0')
            printf(" %s", text);
        if (out != NULL) {
            printf(" %.*s", (int)out_len, (const char *)out);
            secprov_free(out, out_len);
        }
        printf("\n");
    }
    secprov_close(sp);
    return 0;
}
