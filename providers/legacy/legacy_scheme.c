/*
 * The legacy scheme's table (legacy_scheme.h), the one legacy.so returns
 * for SECPROV_LEGACY_SCHEME_IFACE: keys in legacy_keys.c, buffers in
 * legacy_cbc.c, streams in legacy_stream.c.
 */
#include "legacy_scheme.h"
#include "legacy_parts.h"

static const lg_scheme_ops ops = {
    .size = sizeof(lg_scheme_ops),
    .calc_hash = lg_calc_hash,
    .fingerprint = lg_fingerprint,
    .hw_hash = lg_hw_hash,
    .api_key = lg_api_key,
    .resource_key = lg_resource_key,
    .encrypt = lg_encrypt,
    .decrypt = lg_decrypt,
    .encrypt_fd = lg_encrypt_fd,
    .decrypt_fd = lg_decrypt_fd,
    .split_fd = lg_split_fd,
    .small_len = lg_small_len,
    .archive_decrypt_fd = lg_archive_decrypt_fd,
};

const lg_scheme_ops *lg_scheme(void)
{
    return &ops;
}
