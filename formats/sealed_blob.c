/* The seal-to blob: see sealed_blob.h and docs/seal-to.md. */
#include "sealed_blob.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <tss2/tss2_mu.h>

static int fail(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && why_len > 0) {
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int sealed_blob_policy(const char *name, uint64_t version, TPM2B_DIGEST *out)
{
    uint8_t v[9];
    size_t n = strlen(name);
    unsigned int dlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    v[0] = (uint8_t)n;
    ok = ctx != NULL && n <= SEALED_BLOB_NAME_MAX &&
         EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(ctx, SEALED_BLOB_POLICY_LABEL, strlen(SEALED_BLOB_POLICY_LABEL)) == 1 &&
         EVP_DigestUpdate(ctx, v, 1) == 1 && EVP_DigestUpdate(ctx, name, n) == 1;
    for (int i = 0; i < 8; i++)
        v[i] = (uint8_t)(version >> (56 - 8 * i));
    ok = ok && EVP_DigestUpdate(ctx, v, 8) == 1 && EVP_DigestFinal_ex(ctx, out->buffer, &dlen) == 1;
    EVP_MD_CTX_free(ctx);
    out->size = (UINT16)dlen;
    return ok ? 0 : -1;
}

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n > SEALED_BLOB_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int sealed_blob_parse(const uint8_t *buf, size_t len, sealed_blob *b, char *why, size_t why_len)
{
    size_t off = 7, n;
    TPM2B_DIGEST policy;

    memset(b, 0, sizeof *b);
    if (buf == NULL || len < 7)
        return fail(why, why_len, "truncated: %zu bytes, not even a header", len);
    if (memcmp(buf, SEALED_BLOB_MAGIC, 4) != 0)
        return fail(why, why_len, "not a secprov seal-to blob (magic)");
    if (buf[4] != SEALED_BLOB_VERSION)
        return fail(why, why_len, "blob format version %u (this secprov reads %u)", buf[4],
                    SEALED_BLOB_VERSION);
    b->kind = buf[5];
    if (b->kind != SEALED_BLOB_DIRECT && b->kind != SEALED_BLOB_ENVELOPE)
        return fail(why, why_len, "unknown kind %d at offset 5", b->kind);
    n = buf[6];
    if (len < off + n + 8)
        return fail(why, why_len, "truncated in the name or version (offset 6)");
    if (!name_ok((const char *)buf + off, n))
        return fail(why, why_len, "the name at offset 7 is not 1..64 of [A-Za-z0-9_-]");
    memcpy(b->name, buf + off, n);
    b->name[n] = '\0';
    off += n;
    for (int i = 0; i < 8; i++)
        b->version = (b->version << 8) | buf[off++];
    size_t at = off;
    if (Tss2_MU_TPM2B_NAME_Unmarshal(buf, len, &off, &b->srk_name) != TSS2_RC_SUCCESS)
        return fail(why, why_len, "truncated or malformed SRK name at offset %zu", at);
    at = off;
    if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &b->pub) != TSS2_RC_SUCCESS)
        return fail(why, why_len, "truncated or malformed TPM2B_PUBLIC at offset %zu", at);
    at = off;
    if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(buf, len, &off, &b->dup) != TSS2_RC_SUCCESS)
        return fail(why, why_len, "truncated or malformed TPM2B_PRIVATE at offset %zu", at);
    at = off;
    if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(buf, len, &off, &b->seed) != TSS2_RC_SUCCESS)
        return fail(why, why_len, "truncated or malformed TPM2B_ENCRYPTED_SECRET at offset %zu", at);
    const TPMT_PUBLIC *p = &b->pub.publicArea;
    if (p->type != TPM2_ALG_KEYEDHASH || p->nameAlg != TPM2_ALG_SHA256 ||
        (p->objectAttributes & (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT)) != 0 ||
        !(p->objectAttributes & TPMA_OBJECT_NODA) || !(p->objectAttributes & TPMA_OBJECT_USERWITHAUTH))
        return fail(why, why_len, "the public area is not a sealed keyed-hash object (SHA-256, "
                    "noDA, userWithAuth, not fixedTPM/fixedParent)");
    if (sealed_blob_policy(b->name, b->version, &policy) != 0 ||
        p->authPolicy.size != policy.size ||
        memcmp(p->authPolicy.buffer, policy.buffer, policy.size) != 0) {
        fail(why, why_len, "the object's authPolicy does not commit this name and version "
             "(altered header)");
        return -2;
    }
    if (b->dup.size == 0 || b->seed.size == 0)
        return fail(why, why_len, "empty duplicate or seed");
    if (b->kind == SEALED_BLOB_DIRECT) {
        if (off != len)
            return fail(why, why_len, "%zu trailing bytes at offset %zu", len - off, off);
        return 0;
    }
    b->aad_len = off;
    if (len - off < SEALED_BLOB_NONCE_LEN + 4)
        return fail(why, why_len, "truncated envelope at offset %zu", off);
    b->nonce = buf + off;
    off += SEALED_BLOB_NONCE_LEN;
    uint32_t c = ((uint32_t)buf[off] << 24) | ((uint32_t)buf[off + 1] << 16) |
                 ((uint32_t)buf[off + 2] << 8) | buf[off + 3];
    off += 4;
    if (c <= SEALED_BLOB_DIRECT_MAX || c > SEALED_BLOB_SECRET_MAX)
        return fail(why, why_len, "envelope ciphertext length %u not 129..16 MiB", c);
    if (len - off != (size_t)c + SEALED_BLOB_TAG_LEN)
        return fail(why, why_len, "envelope of %zu bytes after offset %zu, %zu expected "
                    "(truncated or trailing bytes)", len - off, off, (size_t)c + SEALED_BLOB_TAG_LEN);
    b->ct = buf + off;
    b->ct_len = c;
    b->tag = buf + off + c;
    return 0;
}

int sealed_blob_write_head(const sealed_blob *b, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = strlen(b->name), off;

    if (cap < 7 + n + 8)
        return -1;
    memcpy(out, SEALED_BLOB_MAGIC, 4);
    out[4] = SEALED_BLOB_VERSION;
    out[5] = (uint8_t)b->kind;
    out[6] = (uint8_t)n;
    memcpy(out + 7, b->name, n);
    off = 7 + n;
    for (int i = 0; i < 8; i++)
        out[off++] = (uint8_t)(b->version >> (56 - 8 * i));
    if (Tss2_MU_TPM2B_NAME_Marshal(&b->srk_name, out, cap, &off) != TSS2_RC_SUCCESS ||
        Tss2_MU_TPM2B_PUBLIC_Marshal(&b->pub, out, cap, &off) != TSS2_RC_SUCCESS ||
        Tss2_MU_TPM2B_PRIVATE_Marshal(&b->dup, out, cap, &off) != TSS2_RC_SUCCESS ||
        Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal(&b->seed, out, cap, &off) != TSS2_RC_SUCCESS)
        return -1;
    *len = off;
    return 0;
}
