/*
 * Stock FAPI: what a tpm2-tss user writes first. tpm2-tss's own default
 * profile (P_ECCP256SHA256 from /etc/tpm2-tss/fapi-profiles, copied with its
 * SRK's persistent handle moved from 0x81000001 to 0x81000002 so that it can
 * share the TPM with secprov's SRK), a private keystore,
 * Fapi_Provision once, then per round-trip Fapi_CreateSeal, Fapi_Unseal and
 * Fapi_Delete (a path cannot be sealed over, so replacing means deleting).
 */
#ifndef SECPROV_BENCH_FAPI_STOCK_H
#define SECPROV_BENCH_FAPI_STOCK_H

#include <stddef.h>
#include <stdint.h>

typedef struct stock_ctx stock_ctx;

/* dir: an empty folder for its config and keystore. */
stock_ctx *stock_open(const char *tcti, const char *dir);
int stock_roundtrip(stock_ctx *s, const uint8_t *data, size_t len);
void stock_close(stock_ctx *s);

#endif
