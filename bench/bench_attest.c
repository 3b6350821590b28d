/*
 * bench_attest: attestation figures (bench/attest.sh drives it; not a test).
 *   bench_attest time N       one warm-up secprov_attest (makes the AK on a
 *                             new keystore), then N timed ones on the same
 *                             handle, then N timed secprov_verify_report of
 *                             the last report: "attest US" / "verify US" lines
 *   bench_attest count K LOG  one warm-up attest, then K more; prints the
 *                             byte offsets of swtpm's command LOG before and
 *                             after the K ("START END")
 * BENCH_KIND=block: the same with secprov_attest_block (payload id
 * "bench-payload") and secprov_verify_block against the enrollment;
 * BENCH_KIND=ephemeral: the block with SECPROV_ATTEST_EPHEMERAL_AIK.
 * Provider and config from the environment (SECPROV_CONFIG).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "secprov.h"
#include "secprov_verify.h"

static const unsigned char nonce[32] = "bench-attest-nonce-0123456789abc";

static long long now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static const char payload_id[] = "bench-payload";
static int block_kind, block_flags;

static char *attest(secprov *sp)
{
    char *report = NULL;
    int rc = block_kind ? secprov_attest_block(sp, payload_id, sizeof payload_id - 1,
                                               SECPROV_ATTEST_REQUIRE_TPM | block_flags, &report)
                        : secprov_attest(sp, nonce, sizeof nonce, SECPROV_ATTEST_REQUIRE_TPM,
                                         &report);
    if (rc != SECPROV_OK) {
        fprintf(stderr, "bench_attest: secprov_attest: %s (%s)\n", secprov_strerror(rc),
                secprov_last_error());
        exit(1);
    }
    return report;
}

static long long log_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int main(int argc, char **argv)
{
    secprov *sp = NULL;
    char *record = NULL, *report, detail[256];

    if (argc < 3 || (strcmp(argv[1], "count") == 0 && argc != 4)) {
        fprintf(stderr, "usage: bench_attest time N | bench_attest count K LOG\n");
        return 2;
    }
    int n = atoi(argv[2]);
    const char *kind = getenv("BENCH_KIND");
    block_kind = kind != NULL && (strcmp(kind, "block") == 0 || strcmp(kind, "ephemeral") == 0);
    block_flags = kind != NULL && strcmp(kind, "ephemeral") == 0 ? SECPROV_ATTEST_EPHEMERAL_AIK : 0;
    if (secprov_open(&sp, NULL) != SECPROV_OK) {
        fprintf(stderr, "bench_attest: secprov_open failed (%s)\n", secprov_last_error());
        return 1;
    }
    report = attest(sp);                         /* warm-up: AK made, ESYS context */
    if (strcmp(argv[1], "count") == 0) {
        long long a = log_size(argv[3]);
        for (int i = 0; i < n; i++) {
            secprov_attest_free(report);
            report = attest(sp);
        }
        printf("%lld %lld\n", a, log_size(argv[3]));
    } else {
        for (int i = 0; i < n; i++) {
            long long t = now_us();
            secprov_attest_free(report);
            report = attest(sp);
            printf("attest %lld\n", now_us() - t);
        }
        if (secprov_attest_enroll(sp, 0, &record) != SECPROV_OK)
            return 1;
        for (int i = 0; i < n; i++) {
            long long t = now_us();
            int rc = block_kind ? secprov_verify_block(report, payload_id, sizeof payload_id - 1,
                                                       record, NULL, detail, sizeof detail)
                                : secprov_verify_report(report, nonce, sizeof nonce, record, NULL,
                                                        detail, sizeof detail);
            printf("verify %lld\n", now_us() - t);
            if (rc != SECPROV_VERIFY_OK) {
                fprintf(stderr, "bench_attest: verify: %s\n", detail);
                return 1;
            }
        }
    }
    secprov_attest_free(report);
    secprov_attest_free(record);
    secprov_close(sp);
    return 0;
}
