/*
 * The legacy scheme, byte for byte (docs/legacy-scheme.md): its constants
 * and the table legacy.so returns from its extension slot for
 * SECPROV_LEGACY_SCHEME_IFACE (include/secprov_legacy_scheme.h).
 *
 * Keys are 64-character base64 strings (calc_hash); a key string K becomes
 * an AES-256 key as SHA-256(K). Cipher: AES-256-CBC, PKCS#7, output IV||ct.
 */
#ifndef SECPROV_LG_SCHEME_H
#define SECPROV_LG_SCHEME_H

#include <stddef.h>
#include <stdint.h>

#include "secprov_legacy_scheme.h"

#define LG_SCHEME_IFACE SECPROV_LEGACY_SCHEME_IFACE
#define LG_KEY_LEN 64                   /* base64 of 48 bytes, no '=' */
#define LG_IV_LEN 16

/* The scheme's constants, each in one place. Marked (assumed) where the
 * scheme's documents leave the detail open. */
#define LG_HW_PREFIX "Azaion_"
#define LG_HW_SUFFIX "_%$$$)0_"
#define LG_API_KEY_SUFFIX "-#%@AzaionKey@%#---"
#define LG_RESOURCE_SECRET "-#%@AzaionKey@%#---234sdfklgvhjbnn"
#define LG_SMALL_MAX 3072               /* 3 KiB */
#define LG_SMALL_RATIO_NUM 3            /* small = floor(0.3 * len) (assumed) */
#define LG_SMALL_RATIO_DEN 10

typedef secprov_legacy_scheme_ops lg_scheme_ops;

const lg_scheme_ops *lg_scheme(void);

#endif
