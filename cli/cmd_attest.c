/*
 * secprov attest enroll
 * secprov attest --nonce HEX [--require-tpm]
 * secprov verify REPORT --nonce HEX --enrollment FILE [--pcrs FILE]
 * docs/attestation.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "secprov.h"
#include "secprov_verify.h"

static int unhex(const char *s, unsigned char *out, size_t cap, size_t *n)
{
    size_t len = strlen(s);

    if (len == 0 || len % 2 != 0 || len / 2 > cap)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned int b;
        if (sscanf(s + 2 * i, "%2x", &b) != 1 || !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
            !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
            return -1;
        out[i] = (unsigned char)b;
    }
    *n = len / 2;
    return 0;
}

/* "  key": "value",\n with value escaped for JSON. */
static void print_json_string(const char *key, const char *value)
{
    printf("  \"%s\": \"", key);
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    printf("\",\n");
}

static int print_json(char *json)
{
    int ok = printf("%s\n", json) > 0 && fflush(stdout) == 0;
    secprov_attest_free(json);
    return ok ? CLI_OK : cli_error(CLI_FAIL, "attest: cannot write to stdout");
}

static int attest_failed(const char *what, int rc)
{
    const char *line = secprov_last_error();
    if (line[0] != '\0')
        return cli_error(CLI_FAIL, "%s: %s (%s)", what, secprov_strerror(rc), line);
    return cli_error(CLI_FAIL, "%s: %s", what, secprov_strerror(rc));
}

int secprov_cli_attest(secprov *sp, int argc, char **argv)
{
    static const char usage[] = "usage: secprov attest enroll | secprov attest --nonce HEX "
                                "[--require-tpm]";
    unsigned char nonce[SECPROV_ATTEST_NONCE_MAX];
    const char *nonce_hex = NULL;
    size_t nonce_len = 0;
    int flags = 0, enroll = 0, rc;
    char *json = NULL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "enroll") == 0 && i == 1)
            enroll = 1;
        else if (strcmp(argv[i], "--require-tpm") == 0)
            flags |= SECPROV_ATTEST_REQUIRE_TPM;
        else if (strcmp(argv[i], "--nonce") == 0 && i + 1 < argc)
            nonce_hex = argv[++i];
        else
            return cli_error(CLI_USAGE, "%s", usage);
    }
    if (enroll == (nonce_hex != NULL))
        return cli_error(CLI_USAGE, "%s", usage);
    if (!enroll && unhex(nonce_hex, nonce, sizeof nonce, &nonce_len) != 0)
        return cli_error(CLI_USAGE, "--nonce: 1 to %d bytes as hex digits", SECPROV_ATTEST_NONCE_MAX);
    rc = enroll ? secprov_attest_enroll(sp, flags, &json)
                : secprov_attest(sp, nonce, nonce_len, flags, &json);
    if (rc == SECPROV_OK)
        return print_json(json);
    if (rc == SECPROV_ERR_UNSUPPORTED) {
        /* No TPM: a service's normal tier goes on without a quote. */
        printf("{\n  \"is_available\": false,\n  \"provider\": \"%s\",\n  \"fell_back\": %s,\n",
               secprov_provider_name(sp), secprov_fell_back(sp) ? "true" : "false");
        if (secprov_fell_back(sp))
            print_json_string("fallback_reason", secprov_fallback_reason(sp));
        printf("  \"reason\": \"the %s provider cannot attest (no TPM)\"\n}\n",
               secprov_provider_name(sp));
        return fflush(stdout) == 0 ? CLI_OK : cli_error(CLI_FAIL, "attest: cannot write to stdout");
    }
    return attest_failed(enroll ? "attest enroll" : "attest", rc);
}

static char *read_file(const char *path, const char *what)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t len = 0, cap = 0;

    if (f == NULL) {
        cli_error(CLI_FAIL, "cannot open the %s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (cap - len < 4096) {
            char *bigger = cap < 4 * 1024 * 1024 ? realloc(buf, cap + 65536) : NULL;
            if (bigger == NULL) {
                cli_error(CLI_FAIL, "the %s %s is too large", what, path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
            cap += 65536;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f) || memchr(buf, '\0', len) != NULL;
    fclose(f);
    if (bad) {
        cli_error(CLI_FAIL, "cannot read the %s %s (or it holds a NUL byte)", what, path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

int secprov_cli_verify(int argc, char **argv)
{
    static const char usage[] = "usage: secprov verify REPORT --nonce HEX --enrollment FILE "
                                "[--pcrs FILE]";
    const char *report_path = NULL, *nonce_hex = NULL, *enroll_path = NULL, *pcrs_path = NULL;
    unsigned char nonce[SECPROV_ATTEST_NONCE_MAX];
    size_t nonce_len;
    char detail[512];

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--nonce") == 0 && i + 1 < argc)
            nonce_hex = argv[++i];
        else if (strcmp(argv[i], "--enrollment") == 0 && i + 1 < argc)
            enroll_path = argv[++i];
        else if (strcmp(argv[i], "--pcrs") == 0 && i + 1 < argc)
            pcrs_path = argv[++i];
        else if (argv[i][0] != '-' && report_path == NULL)
            report_path = argv[i];
        else
            return cli_error(CLI_USAGE, "%s", usage);
    }
    if (report_path == NULL || nonce_hex == NULL || enroll_path == NULL)
        return cli_error(CLI_USAGE, "%s", usage);
    if (unhex(nonce_hex, nonce, sizeof nonce, &nonce_len) != 0)
        return cli_error(CLI_USAGE, "--nonce: 1 to %d bytes as hex digits", SECPROV_ATTEST_NONCE_MAX);
    char *report = read_file(report_path, "report");
    char *enrollment = report != NULL ? read_file(enroll_path, "enrollment record") : NULL;
    char *pcrs = enrollment != NULL && pcrs_path != NULL ? read_file(pcrs_path, "PCR file") : NULL;
    if (enrollment == NULL || (pcrs_path != NULL && pcrs == NULL)) {
        free(report);
        free(enrollment);
        return CLI_FAIL;
    }
    int rc = secprov_verify_report(report, nonce, nonce_len, enrollment, pcrs, detail,
                                   sizeof detail);
    free(report);
    free(enrollment);
    free(pcrs);
    if (rc == SECPROV_VERIFY_OK) {
        printf("ok\n");
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    }
    printf("refused: %s\n", secprov_verify_reason(rc));
    fflush(stdout);
    return cli_error(CLI_FAIL, "verify %s: %s: %s", report_path, secprov_verify_reason(rc), detail);
}
