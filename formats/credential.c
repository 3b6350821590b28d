/* The activation challenge file: see credential.h. */
#include "credential.h"

#include <stdio.h>
#include <string.h>

#include <tss2/tss2_mu.h>

int credential_read(const void *buf, size_t len, TPM2B_ID_OBJECT *id,
                    TPM2B_ENCRYPTED_SECRET *secret, char *why, size_t why_len)
{
    const uint8_t *p = buf;
    size_t off = 8;
    uint32_t magic, version;

    memset(id, 0, sizeof *id);
    memset(secret, 0, sizeof *secret);
    if (buf == NULL || len < 8) {
        snprintf(why, why_len, "the challenge is %zu bytes: too short for a credential file", len);
        return -1;
    }
    magic = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    version = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    if (magic != CREDENTIAL_MAGIC || version != CREDENTIAL_VERSION) {
        snprintf(why, why_len, "the challenge is not a credential file (magic 0x%08x version %u; "
                 "want 0x%08x version %u)", (unsigned)magic, (unsigned)version,
                 (unsigned)CREDENTIAL_MAGIC, (unsigned)CREDENTIAL_VERSION);
        return -1;
    }
    if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(p, len, &off, id) != TSS2_RC_SUCCESS || id->size == 0) {
        snprintf(why, why_len, "the challenge's credential (TPM2B_ID_OBJECT at byte 8) is "
                 "truncated or malformed");
        return -1;
    }
    size_t at = off;
    if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(p, len, &off, secret) != TSS2_RC_SUCCESS ||
        secret->size == 0) {
        snprintf(why, why_len, "the challenge's encrypted seed (TPM2B_ENCRYPTED_SECRET at byte "
                 "%zu) is truncated or malformed", at);
        return -1;
    }
    if (off != len) {
        snprintf(why, why_len, "the challenge has %zu bytes after its encrypted seed", len - off);
        return -1;
    }
    return 0;
}

int credential_write(const TPM2B_ID_OBJECT *id, const TPM2B_ENCRYPTED_SECRET *secret,
                     uint8_t *out, size_t cap, size_t *len)
{
    size_t off = 8;

    if (cap < 8)
        return -1;
    memcpy(out, "\xba\xdc\xc0\xde\x00\x00\x00\x01", 8);
    if (Tss2_MU_TPM2B_ID_OBJECT_Marshal(id, out, cap, &off) != TSS2_RC_SUCCESS ||
        Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal(secret, out, cap, &off) != TSS2_RC_SUCCESS)
        return -1;
    *len = off;
    return 0;
}
