/*
 * stress THREADS ROUNDS PREFIX: THREADS threads share one secprov handle;
 * each does ROUNDS of seal / unseal (exact bytes) / delete on its own name
 * PREFIX-<thread>, with sizes alternating 32 and 4096 bytes (direct and
 * envelope on tpm). Prints "failures: N"; exit 1 when N > 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprov.h"

static secprov *sp;
static int rounds;
static const char *prefix;
static int failures;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static void failed(const char *what, const char *name, int rc)
{
    pthread_mutex_lock(&count_lock);
    failures++;
    fprintf(stderr, "stress: %s %s: %s\n", what, name, secprov_strerror(rc));
    pthread_mutex_unlock(&count_lock);
}

static void *worker(void *arg)
{
    long t = (long)arg;
    char name[64];
    unsigned char data[4096];
    snprintf(name, sizeof name, "%s-%ld", prefix, t);
    for (int r = 0; r < rounds; r++) {
        size_t len = r % 2 ? 4096 : 32;
        for (size_t i = 0; i < len; i++)
            data[i] = (unsigned char)(t * 7 + r * 13 + i);
        int rc = secprov_seal(sp, name, data, len);
        if (rc != SECPROV_OK) {
            failed("seal", name, rc);
            continue;
        }
        void *out;
        size_t out_len;
        rc = secprov_unseal(sp, name, &out, &out_len);
        if (rc != SECPROV_OK) {
            failed("unseal", name, rc);
        } else {
            if (out_len != len || memcmp(out, data, len) != 0)
                failed("unseal (other bytes)", name, SECPROV_ERR_INTEGRITY);
            secprov_free(out, out_len);
        }
        if ((rc = secprov_delete(sp, name)) != SECPROV_OK)
            failed("delete", name, rc);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    int threads = atoi(argv[1]);
    rounds = atoi(argv[2]);
    prefix = argv[3];
    int rc = secprov_open(&sp, NULL);
    if (rc != SECPROV_OK) {
        fprintf(stderr, "stress: open: %s\n", secprov_strerror(rc));
        return 1;
    }
    pthread_t tid[64];
    for (long t = 0; t < threads && t < 64; t++)
        pthread_create(&tid[t], NULL, worker, (void *)t);
    for (long t = 0; t < threads && t < 64; t++)
        pthread_join(tid[t], NULL);
    secprov_close(sp);
    printf("failures: %d\n", failures);
    return failures == 0 ? 0 : 1;
}
