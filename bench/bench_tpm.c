/*
 * bench_tpm: the in-process legs of `make bench` (bench/run.sh drives it).
 *
 *   bench_tpm rt N LEG...          N rounds; each round runs one round-trip of
 *                                  every LEG in turn (A B C A B C ...), so the
 *                                  legs share the machine's state. Prints
 *                                  "LEG MICROSECONDS" a line.
 *   bench_tpm count LEG K LOG      one round-trip to warm up, then K more;
 *                                  prints the byte offsets of swtpm's LOG
 *                                  before and after the K ("START END").
 *   bench_tpm open N               N secprov_open+close (provider and config
 *                                  from the environment); "open MICROSECONDS".
 *
 * LEGs: secprov    secprov_seal + secprov_unseal of 32 bytes, one open handle
 *                  (SECPROV_CONFIG; the name is sealed over each time)
 *       secprov-rm the same with the config $BENCH_CONFIG_RM
 *                  (tpm.resource_manager = yes: the session stays loaded,
 *                  as behind /dev/tpmrm0)
 *       floor      the ESAPI floor (floor_esapi.h) on $BENCH_TCTI
 *       fapi       stock FAPI (fapi_stock.h) on $BENCH_TCTI, keystore in $BENCH_DIR
 *       tpm-1m     secprov, provider tpm, 1 MiB secret (envelope)
 *       legacy-1m  secprov, provider legacy, 1 MiB secret
 * Every round-trip checks the bytes it gets back; any failure exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fapi_stock.h"
#include "floor_esapi.h"
#include "secprov.h"

#define SMALL 32
#define BIG (1024 * 1024)

typedef struct leg {
    const char *name;
    secprov *sp;
    floor_ctx *floor;
    stock_ctx *stock;
    size_t size;
} leg;

static uint8_t *data;

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static const char *need_env(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        fprintf(stderr, "bench_tpm: %s is not set\n", name);
        exit(2);
    }
    return v;
}

static int leg_open(leg *l, const char *name)
{
    secprov_options o = {.size = sizeof o};
    int rc;

    memset(l, 0, sizeof *l);
    l->name = name;
    l->size = SMALL;
    if (strcmp(name, "floor") == 0)
        return (l->floor = floor_open(need_env("BENCH_TCTI"))) != NULL ? 0 : -1;
    if (strcmp(name, "fapi") == 0)
        return (l->stock = stock_open(need_env("BENCH_TCTI"), need_env("BENCH_DIR"))) != NULL ? 0 : -1;
    if (strcmp(name, "tpm-1m") == 0) {
        o.provider = "tpm";
        l->size = BIG;
    } else if (strcmp(name, "legacy-1m") == 0) {
        o.provider = "legacy";
        l->size = BIG;
    } else if (strcmp(name, "secprov-rm") == 0) {
        o.config_path = need_env("BENCH_CONFIG_RM");
    } else if (strcmp(name, "secprov") != 0) {
        fprintf(stderr, "bench_tpm: unknown leg '%s'\n", name);
        return -1;
    }
    if ((rc = secprov_open(&l->sp, &o)) != SECPROV_OK) {
        fprintf(stderr, "bench_tpm: %s: open: %s\n", name, secprov_strerror(rc));
        return -1;
    }
    return 0;
}

static int leg_roundtrip(leg *l, int i)
{
    data[0] = (uint8_t)i;
    if (l->floor != NULL)
        return floor_roundtrip(l->floor, data, l->size);
    if (l->stock != NULL)
        return stock_roundtrip(l->stock, data, l->size);
    void *out;
    size_t len;
    const char *name = l->size == BIG ? "bench-1m" : "bench";
    int rc = secprov_seal(l->sp, name, data, l->size);
    if (rc == SECPROV_OK)
        rc = secprov_unseal(l->sp, name, &out, &len);
    if (rc != SECPROV_OK) {
        fprintf(stderr, "bench_tpm: %s: %s\n", l->name, secprov_strerror(rc));
        return -1;
    }
    int same = len == l->size && memcmp(out, data, len) == 0;
    secprov_free(out, len);
    return same ? 0 : -1;
}

static void leg_close(leg *l)
{
    floor_close(l->floor);
    stock_close(l->stock);
    secprov_close(l->sp);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_tpm rt N LEG... | count LEG K LOG | open N\n");
        return 2;
    }
    data = malloc(BIG);
    for (size_t i = 0; data != NULL && i < BIG; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (strcmp(argv[1], "open") == 0) {
        int n = atoi(argv[2]);
        for (int i = 0; i < n; i++) {
            secprov *sp;
            double t = now_us();
            int rc = secprov_open(&sp, NULL);
            double dt = now_us() - t;
            if (rc != SECPROV_OK) {
                fprintf(stderr, "bench_tpm: open: %s\n", secprov_strerror(rc));
                return 1;
            }
            printf("open %.0f %s\n", dt, secprov_provider_name(sp));
            secprov_close(sp);
        }
        return 0;
    }
    if (strcmp(argv[1], "count") == 0 && argc == 5) {
        leg l;
        int k = atoi(argv[3]);
        if (leg_open(&l, argv[2]) != 0 || leg_roundtrip(&l, 0) != 0)
            return 1;
        long start = file_size(argv[4]);
        for (int i = 1; i <= k; i++)
            if (leg_roundtrip(&l, i) != 0)
                return 1;
        long end = file_size(argv[4]);
        leg_close(&l);
        printf("%ld %ld\n", start, end);
        return 0;
    }
    if (strcmp(argv[1], "rt") == 0 && argc >= 4) {
        int n = atoi(argv[2]), nlegs = argc - 3, rc = 0;
        leg *legs = calloc((size_t)nlegs, sizeof *legs);
        for (int j = 0; j < nlegs; j++)
            if (leg_open(&legs[j], argv[3 + j]) != 0 || leg_roundtrip(&legs[j], 0) != 0)
                return 1;                               /* warmed up, outside the timing */
        for (int i = 1; i <= n && rc == 0; i++)
            for (int j = 0; j < nlegs && rc == 0; j++) {
                double t = now_us();
                rc = leg_roundtrip(&legs[j], i);
                printf("%s %.0f\n", legs[j].name, now_us() - t);
            }
        for (int j = 0; j < nlegs; j++)
            leg_close(&legs[j]);
        free(legs);
        free(data);
        return rc == 0 ? 0 : 1;
    }
    fprintf(stderr, "bench_tpm: bad arguments\n");
    return 2;
}
