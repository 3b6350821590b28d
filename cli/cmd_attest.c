/*
 * secprov attest enroll
 * secprov attest activate CHALLENGE > ANSWER
 * secprov attest --nonce HEX [--require-tpm]
 * secprov verify REPORT --nonce HEX --enrollment FILE [--pcrs FILE] [--max-skew S]
 *                [--since REPORT] [--now S] [--json] [--require-activated RECORD]
 *                [--ek-ca FILE]
 * docs/attestation.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dlfcn.h>

#include "commands.h"
#include "secprov.h"
#include "secprov_verify.h"
#include "verify_breakdown.h"
#include "verify_lib.h"

/* libsecprov_verify's calls, loaded by cli_verify_lib() for `verify`. */
typedef int verify_report_fn(const char *, const void *, size_t, const char *, const char *,
                             const secprov_verify_options *, secprov_verify_breakdown *, char *,
                             size_t);
typedef const char *verify_reason_fn(int);
typedef int verify_block_fn(const char *, const void *, size_t, const char *, const char *,
                            char *, size_t);
static verify_block_fn *verify_block;
static verify_report_fn *verify_bundle;   /* the same shape: secprov_verify_bundle */

static int load_verifier(verify_report_fn **report, verify_reason_fn **reason)
{
    void *dl = cli_verify_lib();

    if (dl != NULL) {
        *(void **)report = dlsym(dl, "secprov_verify_report2");
        *(void **)reason = dlsym(dl, "secprov_verify_reason");
        *(void **)&verify_block = dlsym(dl, "secprov_verify_block");
        *(void **)&verify_bundle = dlsym(dl, "secprov_verify_bundle");
    }
    if (dl == NULL || *report == NULL || *reason == NULL || verify_block == NULL ||
        verify_bundle == NULL)
        return cli_error(CLI_FAIL, "verify: cannot load libsecprov_verify.so.0: %s", dlerror());
    return CLI_OK;
}

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

/* --tier standard|high|maximum (and --require-tpm, the same as maximum):
 * the flags, or -1 (usage error printed). docs/attestation.md, "Tiers". */
static int tier_flags(cli_call *c)
{
    const char *tier = c->opt[2];
    int flags = c->opt[1] != NULL ? SECPROV_ATTEST_REQUIRE_TPM : 0;

    if (tier == NULL || strcmp(tier, "standard") == 0 || strcmp(tier, "high") == 0)
        return flags;
    if (strcmp(tier, "maximum") == 0)
        return SECPROV_ATTEST_REQUIRE_TPM;
    cli_error(CLI_USAGE, "--tier '%s': standard, high or maximum", tier);
    return -1;
}

/* attest --payload-id ID --format tpm_attestation [--tier T] [--require-tpm] */
static int run_attest_block(cli_call *c, int flags)
{
    const char *id = c->opt[3];
    char *json = NULL;
    secprov *sp;
    int rc;

    if (c->argc != 0 || c->opt[0] != NULL || id == NULL || id[0] == '\0' ||
        strlen(id) > SECPROV_ATTEST_PAYLOAD_ID_MAX)
        return cli_error(CLI_USAGE, "usage: secprov attest --payload-id ID --format "
                         "tpm_attestation [--ephemeral-aik] [--tier standard|high|maximum] "
                         "(ID: 1 to %d bytes)",
                         SECPROV_ATTEST_PAYLOAD_ID_MAX);
    if ((rc = cli_need_stdout(c)) != CLI_OK || (rc = cli_open(c, &sp)) != CLI_OK)
        return rc;
    if (c->opt[5] != NULL)
        flags |= SECPROV_ATTEST_EPHEMERAL_AIK;
    rc = secprov_attest_block(sp, id, strlen(id), flags, &json);
    rc = rc == SECPROV_OK ? print_json(json) : attest_failed("attest", rc);
    secprov_close(sp);
    return rc;
}

/* attest activate CHALLENGE: the answer (raw bytes) on stdout, for the
 * verifier's secprov_verify_enroll(). */
static int run_attest_activate(cli_call *c)
{
    unsigned char challenge[SECPROV_ATTEST_CHALLENGE_MAX + 1], answer[SECPROV_ATTEST_ANSWER_MAX];
    size_t len, answer_len = 0;
    secprov *sp;
    FILE *f;
    int rc;

    for (int i = 0; i < 6; i++)
        if (c->opt[i] != NULL)
            return cli_error(CLI_USAGE, "usage: secprov attest activate CHALLENGE (no options)");
    if ((f = fopen(c->argv[1], "rbe")) == NULL)
        return cli_error(CLI_FAIL, "attest activate: cannot open the challenge %s: %s",
                         c->argv[1], strerror(errno));
    len = fread(challenge, 1, sizeof challenge, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || len == 0 || len > SECPROV_ATTEST_CHALLENGE_MAX)
        return cli_error(CLI_FAIL, "attest activate: the challenge %s is %s", c->argv[1],
                         bad ? "unreadable" : len == 0 ? "empty" : "larger than 4096 bytes");
    if ((rc = cli_need_stdout(c)) != CLI_OK)
        return rc;
    if (isatty(STDOUT_FILENO))
        return cli_error(CLI_USAGE, "attest activate: the answer is binary: redirect stdout to "
                         "a file (secprov attest activate CHALLENGE > answer)");
    if ((rc = cli_open(c, &sp)) != CLI_OK)
        return rc;
    rc = secprov_attest_activate(sp, challenge, len, answer, sizeof answer, &answer_len);
    secprov_close(sp);
    if (rc != SECPROV_OK)
        return attest_failed("attest activate", rc);
    rc = fwrite(answer, 1, answer_len, stdout) == answer_len && fflush(stdout) == 0
             ? CLI_OK : cli_error(CLI_FAIL, "attest activate: cannot write to stdout");
    memset(answer, 0, sizeof answer);
    return rc;
}

/* attest enroll | attest activate CHALLENGE | attest --nonce HEX [--require-tpm] [--tier T] |
 * the block */
static int run_attest(cli_call *c)
{
    unsigned char nonce[SECPROV_ATTEST_NONCE_MAX];
    const char *nonce_hex = c->opt[0], *format = c->opt[4];
    int flags = tier_flags(c);
    int enroll = c->argc == 1, rc;
    size_t nonce_len = 0;
    char *json = NULL;
    secprov *sp;

    if (flags < 0)
        return CLI_USAGE;
    if (c->argc == 2 && strcmp(c->argv[0], "activate") == 0)
        return run_attest_activate(c);
    if (c->argc == 2)
        return cli_error(CLI_USAGE, "usage: secprov attest activate CHALLENGE");
    if (format != NULL && strcmp(format, "tpm_attestation") == 0)
        return run_attest_block(c, flags);
    if ((format != NULL && strcmp(format, "report") != 0) || c->opt[3] != NULL ||
        c->opt[5] != NULL)
        return cli_error(CLI_USAGE, "attest: --format is report (with --nonce) or "
                         "tpm_attestation (with --payload-id)");

    if ((enroll && strcmp(c->argv[0], "enroll") != 0) || enroll == (nonce_hex != NULL))
        return cli_error(CLI_USAGE, "usage: secprov attest enroll | secprov attest --nonce HEX "
                         "[--require-tpm]");
    if (!enroll && unhex(nonce_hex, nonce, sizeof nonce, &nonce_len) != 0)
        return cli_error(CLI_USAGE, "--nonce: 1 to %d bytes as hex digits", SECPROV_ATTEST_NONCE_MAX);
    if ((rc = cli_need_stdout(c)) != CLI_OK || (rc = cli_open(c, &sp)) != CLI_OK)
        return rc;
    rc = enroll ? secprov_attest_enroll(sp, flags, &json)
                : secprov_attest(sp, nonce, nonce_len, flags, &json);
    if (rc == SECPROV_OK) {
        rc = print_json(json);
    } else if (rc == SECPROV_ERR_UNSUPPORTED) {
        /* No TPM: a service's normal tier goes on without a quote. */
        printf("{\n  \"is_available\": false,\n  \"provider\": \"%s\",\n  \"fell_back\": %s,\n",
               secprov_provider_name(sp), secprov_fell_back(sp) ? "true" : "false");
        if (secprov_fell_back(sp))
            print_json_string("fallback_reason", secprov_fallback_reason(sp));
        printf("  \"reason\": \"the %s provider cannot attest (no TPM)\"\n}\n",
               secprov_provider_name(sp));
        rc = fflush(stdout) == 0 ? CLI_OK : cli_error(CLI_FAIL, "attest: cannot write to stdout");
    } else {
        rc = attest_failed(enroll ? "attest enroll" : "attest", rc);
    }
    secprov_close(sp);
    return rc;
}

/* verify --format tpm_attestation --payload-id ID [--enrollment FILE] [--pcrs FILE] BLOCK */
static int run_verify_block(cli_call *c)
{
    const char *path = c->argv[0], *enroll_path = c->opt[1], *pcrs_path = c->opt[2],
               *id = c->opt[10];
    verify_report_fn *verify_report = NULL;
    verify_reason_fn *verify_reason = NULL;
    char detail[512], *text, *enrollment = NULL, *pcrs = NULL;
    int rc;

    if (id == NULL || id[0] == '\0' || c->opt[0] != NULL)
        return cli_error(CLI_USAGE, "usage: secprov verify --format tpm_attestation --payload-id "
                         "ID [--enrollment FILE] [--pcrs FILE] BLOCK");
    for (int i = 3; i <= 8; i++)
        if (c->opt[i] != NULL)
            return cli_error(CLI_USAGE, "verify --format tpm_attestation: --max-skew, --since, "
                             "--now, --json, --require-activated and --ek-ca are for reports");
    if ((rc = cli_need_stdout(c)) != CLI_OK ||
        (rc = load_verifier(&verify_report, &verify_reason)) != CLI_OK)
        return rc;
    if ((text = cli_read_text(path, "tpm_attestation block")) == NULL ||
        (enroll_path != NULL && (enrollment = cli_read_text(enroll_path, "enrollment record")) == NULL) ||
        (pcrs_path != NULL && (pcrs = cli_read_text(pcrs_path, "PCR file")) == NULL)) {
        free(text);
        free(enrollment);
        return CLI_FAIL;
    }
    rc = verify_block(text, id, strlen(id), enrollment, pcrs, detail, sizeof detail);
    free(text);
    free(enrollment);
    free(pcrs);
    if (rc == SECPROV_VERIFY_OK) {
        printf(enroll_path != NULL ? "ok\n" : "ok (the key inside the block signed it; without "
               "--enrollment, not which device)\n");
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    }
    printf("refused: %s\n", verify_reason(rc));
    fflush(stdout);
    return cli_error(CLI_FAIL, "verify %s: %s: %s", path, verify_reason(rc), detail);
}

/* verify [--format report] REPORT --nonce HEX --enrollment FILE [--pcrs FILE]: offline, no
 * handle; --format tpm_attestation: the block; --format bundle: the runtime
 * attestor's bundle (--nonce optional: the verifier's nonce it must carry). */
static int run_verify(cli_call *c)
{
    const char *report_path = c->argv[0], *nonce_hex = c->opt[0], *enroll_path = c->opt[1],
               *pcrs_path = c->opt[2], *format = c->opt[9];
    unsigned char nonce[SECPROV_ATTEST_NONCE_MAX];
    size_t nonce_len;
    char detail[512];
    int rc;

    secprov_verify_options vo = {.size = sizeof vo};
    secprov_verify_breakdown bd = {.size = sizeof bd};
    const char *skew = c->opt[3], *since_path = c->opt[4], *now = c->opt[5];
    int json = c->opt[6] != NULL;
    const char *activated_path = c->opt[7];
    vo.ek_ca = c->opt[8];

    if (format != NULL && strcmp(format, "tpm_attestation") == 0)
        return run_verify_block(c);
    int bundle = format != NULL && strcmp(format, "bundle") == 0;
    if (!bundle && format != NULL && strcmp(format, "report") != 0)
        return cli_error(CLI_USAGE, "verify --format '%s': report, tpm_attestation or bundle",
                         format);
    if (c->opt[10] != NULL)
        return cli_error(CLI_USAGE, "verify: --payload-id is for --format tpm_attestation");
    if (bundle && enroll_path == NULL)
        return cli_error(CLI_USAGE, "usage: secprov verify --format bundle BUNDLE --enrollment "
                         "FILE [--nonce HEX] [--pcrs FILE] [--max-skew S] [--since REPORT] "
                         "[--now S] [--json] [--require-activated RECORD] [--ek-ca FILE]");
    if ((!bundle && nonce_hex == NULL) || enroll_path == NULL)
        return cli_error(CLI_USAGE, "usage: secprov verify REPORT --nonce HEX --enrollment FILE "
                         "[--pcrs FILE] [--max-skew S] [--since REPORT] [--now S] [--json] "
                         "[--require-activated RECORD] [--ek-ca FILE]");
    if ((skew != NULL && (cli_verify_seconds(skew, &vo.max_skew_s) != 0 || vo.max_skew_s == 0)) ||
        (now != NULL && (cli_verify_seconds(now, &vo.now) != 0 || vo.now == 0)))
        return cli_error(CLI_USAGE, "--max-skew, --now: a whole number of seconds, 1 or more");
    verify_report_fn *verify_report = NULL;
    verify_reason_fn *verify_reason = NULL;
    if ((rc = cli_need_stdout(c)) != CLI_OK || (rc = load_verifier(&verify_report, &verify_reason)) != CLI_OK)
        return rc;
    nonce_len = 0;
    if (nonce_hex != NULL && unhex(nonce_hex, nonce, sizeof nonce, &nonce_len) != 0)
        return cli_error(CLI_USAGE, "--nonce: 1 to %d bytes as hex digits", SECPROV_ATTEST_NONCE_MAX);
    char *report = cli_read_text(report_path, bundle ? "bundle" : "report");
    char *enrollment = report != NULL ? cli_read_text(enroll_path, "enrollment record") : NULL;
    char *pcrs = enrollment != NULL && pcrs_path != NULL ? cli_read_text(pcrs_path, "PCR file") : NULL;
    char *since = enrollment != NULL && since_path != NULL ? cli_read_text(since_path, "--since report") : NULL;
    char *activated = enrollment != NULL && activated_path != NULL
                          ? cli_read_text(activated_path, "activation record") : NULL;
    if (enrollment == NULL || (pcrs_path != NULL && pcrs == NULL) ||
        (since_path != NULL && since == NULL) || (activated_path != NULL && activated == NULL)) {
        free(report);
        free(enrollment);
        free(pcrs);
        free(since);
        free(activated);
        return CLI_FAIL;
    }
    vo.since = since;
    vo.activation = activated;
    rc = (bundle ? verify_bundle : verify_report)(report, nonce_len ? nonce : NULL, nonce_len,
                                                  enrollment, pcrs, &vo, &bd, detail,
                                                  sizeof detail);
    free(report);
    free(enrollment);
    free(pcrs);
    free(since);
    free(activated);
    if (json)
        cli_verify_print_json(verify_reason(rc), detail, &bd);
    if (rc == SECPROV_VERIFY_OK) {
        if (!json)
            printf("ok\n");
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    }
    if (!json)
        printf("refused: %s\n", verify_reason(rc));
    fflush(stdout);
    return cli_error(CLI_FAIL, "verify %s: %s: %s", report_path, verify_reason(rc), detail);
}

static const cli_option attest_options[] = {{"nonce", 1}, {"require-tpm", 0}, {"tier", 1},
                                            {"payload-id", 1}, {"format", 1},
                                            {"ephemeral-aik", 0}, {NULL, 0}};
static const cli_option verify_options[] = {
    {"nonce", 1}, {"enrollment", 1}, {"pcrs", 1}, {"max-skew", 1}, {"since", 1}, {"now", 1},
    {"json", 0}, {"require-activated", 1}, {"ek-ca", 1}, {"format", 1}, {"payload-id", 1},
    {NULL, 0}};

const cli_command cli_cmd_attest = {
    "attest", "enroll | activate CHALLENGE | --nonce HEX [--require-tpm] | --payload-id ID "
    "--format tpm_attestation [--ephemeral-aik] [--tier standard|high|maximum]",
    "the attestation key's enrollment record, the answer to a verifier's activation challenge, "
    "a TPM quote bound to HEX, or the per-response tpm_attestation block for ID (JSON)",
    attest_options, 0, 2, 0, run_attest, NULL, 0,
};
const cli_command cli_cmd_verify = {
    "verify", "[--format report] REPORT --nonce HEX --enrollment FILE [--pcrs FILE] [--max-skew S] "
              "[--since REPORT] [--now S] [--json] [--require-activated RECORD] [--ek-ca FILE] | "
              "--format tpm_attestation --payload-id ID [--enrollment FILE] [--pcrs FILE] BLOCK | "
              "--format bundle BUNDLE --enrollment FILE [--nonce HEX] [--pcrs FILE] ...",
    "check an attestation report, tpm_attestation block or attestor bundle offline (no TPM)", verify_options, 1, 1,
    0, run_verify, NULL, 0,
};
