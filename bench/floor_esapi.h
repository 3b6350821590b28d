/*
 * The floor of a TPM seal round-trip: the least a program can do through
 * ESAPI. Under a persistent SRK (made once, outside the timing), with one
 * salted, parameter-encrypting HMAC session kept for the whole run, each
 * round-trip is exactly TPM2_Create, TPM2_Load, TPM2_Unseal and
 * TPM2_FlushContext: 4 commands, no CreatePrimary, no files.
 */
#ifndef SECPROV_BENCH_FLOOR_ESAPI_H
#define SECPROV_BENCH_FLOOR_ESAPI_H

#include <stddef.h>
#include <stdint.h>

typedef struct floor_ctx floor_ctx;

floor_ctx *floor_open(const char *tcti);
/* Seal len bytes (at most 128), load, unseal, compare, flush: 0 when exact. */
int floor_roundtrip(floor_ctx *f, const uint8_t *data, size_t len);
void floor_close(floor_ctx *f);

#endif
