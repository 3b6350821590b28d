/*
 * secprov_verify_seal_to(): a secret sealed on a server (no TPM) to one
 * device's TPM, as TPM2 duplication does it (TPM 2.0 Part 1, "Protected
 * Storage Hierarchy", duplication with an outer wrap only): the blob of
 * formats/sealed_blob.h, which the device imports under its SRK
 * (providers/tpm/tpm_import.c). docs/seal-to.md.
 *
 *   sensitive  TPMT_SENSITIVE: keyed-hash, authValue = the name's auth
 *              value (name_auth.h's computation), a fresh 32-byte seedValue,
 *              the data (the secret, or an envelope's data key)
 *   public     keyed-hash, SHA-256, userWithAuth|noDA, authPolicy =
 *              sealed_blob_policy(name, version), unique = H(seedValue||data)
 *   seed       32 random bytes per blob, made by ECDH: an ephemeral P-256
 *              key with the SRK's point, KDFe(SHA-256, Z, "DUPLICATE",
 *              ephemeral x, SRK x, 256); the ephemeral point is the
 *              TPM2B_ENCRYPTED_SECRET
 *   wrap       AES-CFB(KDFa(seed, "STORAGE", object name), IV 0) of the
 *              TPM2B_SENSITIVE, then HMAC-SHA256(KDFa(seed, "INTEGRITY"),
 *              encrypted || object name) in front: the TPM2B_PRIVATE
 */
#include "secprov_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <tss2/tss2_mu.h>

#include "attest_common.h"
#include "enrollment.h"
#include "name_auth.h"
#include "sealed_blob.h"
#include "srk.h"
#include "verify_credential.h"
#include "verify_json.h"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* KDFa (SHA-256, counter mode, TPM 2.0 Part 1 11.4.10.2): bits <= 256. */
static int kdfa(const uint8_t *key, size_t key_len, const char *label, const uint8_t *u,
                size_t u_len, uint32_t bits, uint8_t *out)
{
    uint8_t ctr[4], b[4], md[32];
    size_t md_len = sizeof md;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                      OSSL_PARAM_construct_end()};
    int ok;

    put32(ctr, 1);
    put32(b, bits);
    ok = ctx != NULL && bits <= 256 && EVP_MAC_init(ctx, key, key_len, p) == 1 &&
         EVP_MAC_update(ctx, ctr, 4) == 1 &&
         EVP_MAC_update(ctx, (const uint8_t *)label, strlen(label) + 1) == 1 &&
         (u_len == 0 || EVP_MAC_update(ctx, u, u_len) == 1) && EVP_MAC_update(ctx, b, 4) == 1 &&
         EVP_MAC_final(ctx, md, &md_len, sizeof md) == 1;
    if (ok)
        memcpy(out, md, bits / 8);
    OPENSSL_cleanse(md, sizeof md);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok ? 0 : -1;
}

static int hmac256(const uint8_t *key, const uint8_t *a, size_t a_len, const uint8_t *b,
                   size_t b_len, uint8_t out[32])
{
    size_t n = 32;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                      OSSL_PARAM_construct_end()};
    int ok = ctx != NULL && EVP_MAC_init(ctx, key, 32, p) == 1 &&
             EVP_MAC_update(ctx, a, a_len) == 1 && EVP_MAC_update(ctx, b, b_len) == 1 &&
             EVP_MAC_final(ctx, out, &n, 32) == 1;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok ? 0 : -1;
}

/* The seed by ECDH with the SRK's point: seed (32), and the ephemeral
 * point as the TPM2B_ENCRYPTED_SECRET. */
static int make_seed(const TPMT_PUBLIC *srk, uint8_t seed[32], TPM2B_ENCRYPTED_SECRET *enc)
{
    EVP_PKEY *peer = attest_ecc_pkey(srk), *eph = NULL;
    EVP_PKEY_CTX *kctx = NULL;
    uint8_t z[32], pt[65], h[32];
    size_t z_len = sizeof z, pt_len = 0;
    unsigned int h_len = 0;
    TPMS_ECC_POINT point;
    int ok = 0;

    if (peer == NULL || (eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
        goto out;
    kctx = EVP_PKEY_CTX_new(eph, NULL);
    if (kctx == NULL || EVP_PKEY_derive_init(kctx) != 1 || EVP_PKEY_derive_set_peer(kctx, peer) != 1 ||
        EVP_PKEY_derive(kctx, z, &z_len) != 1 || z_len != 32 ||
        EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof pt,
                                        &pt_len) != 1 || pt_len != 65 || pt[0] != 4)
        goto out;
    /* KDFe: H(counter || Z || "DUPLICATE\0" || partyU x || partyV x), one block. */
    uint8_t ctr[4];
    put32(ctr, 1);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(md, ctr, 4) == 1 && EVP_DigestUpdate(md, z, 32) == 1 &&
         EVP_DigestUpdate(md, "DUPLICATE", sizeof "DUPLICATE") == 1 &&
         EVP_DigestUpdate(md, pt + 1, 32) == 1 &&
         EVP_DigestUpdate(md, srk->unique.ecc.x.buffer, srk->unique.ecc.x.size) == 1 &&
         EVP_DigestFinal_ex(md, h, &h_len) == 1 && h_len == 32;
    EVP_MD_CTX_free(md);
    if (ok) {
        memcpy(seed, h, 32);
        memset(&point, 0, sizeof point);
        point.x.size = point.y.size = 32;
        memcpy(point.x.buffer, pt + 1, 32);
        memcpy(point.y.buffer, pt + 33, 32);
        size_t off = 0;
        ok = Tss2_MU_TPMS_ECC_POINT_Marshal(&point, enc->secret, sizeof enc->secret, &off) ==
             TSS2_RC_SUCCESS;
        enc->size = (UINT16)off;
    }
out:
    OPENSSL_cleanse(z, sizeof z);
    OPENSSL_cleanse(h, sizeof h);
    EVP_PKEY_CTX_free(kctx);
    EVP_PKEY_free(eph);
    EVP_PKEY_free(peer);
    return ok ? 0 : -1;
}

/* The object (public, duplicate, seed) holding data (1..128 bytes). */
static int duplicate(const TPMT_PUBLIC *srk, const char *name, uint64_t version,
                     const uint8_t *data, size_t len, sealed_blob *b)
{
    TPMT_SENSITIVE s;
    TPM2B_NAME oname;
    uint8_t seed[32], symkey[32], hkey[32], plain[sizeof(TPM2B_SENSITIVE)], mac[32];
    size_t plen = 0, off = 0;
    unsigned int dl = 0;
    uint16_t keybits = srk->parameters.eccDetail.symmetric.keyBits.aes;
    int ok = 0, outl = 0, fl = 0;

    memset(&s, 0, sizeof s);
    s.sensitiveType = TPM2_ALG_KEYEDHASH;
    s.seedValue.size = 32;
    s.sensitive.bits.size = (UINT16)len;
    memcpy(s.sensitive.bits.buffer, data, len);
    TPMT_PUBLIC *p = &b->pub.publicArea;
    memset(&b->pub, 0, sizeof b->pub);
    p->type = TPM2_ALG_KEYEDHASH;
    p->nameAlg = TPM2_ALG_SHA256;
    p->objectAttributes = TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
    p->parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
    p->unique.keyedHash.size = 32;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (name_auth(name, &s.authValue) != 0 || RAND_priv_bytes(s.seedValue.buffer, 32) != 1 ||
        sealed_blob_policy(name, version, &p->authPolicy) != 0 || md == NULL ||
        EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, s.seedValue.buffer, 32) != 1 || EVP_DigestUpdate(md, data, len) != 1 ||
        EVP_DigestFinal_ex(md, p->unique.keyedHash.buffer, &dl) != 1 ||
        srk_name(p, &oname) != 0 || make_seed(srk, seed, &b->seed) != 0)
        goto out;
    /* TPM2B_SENSITIVE: u16 size || TPMT_SENSITIVE */
    if (Tss2_MU_TPMT_SENSITIVE_Marshal(&s, plain + 2, sizeof plain - 2, &plen) != TSS2_RC_SUCCESS)
        goto out;
    plain[0] = (uint8_t)(plen >> 8);
    plain[1] = (uint8_t)plen;
    plen += 2;
    if (kdfa(seed, 32, "STORAGE", oname.name, oname.size, keybits, symkey) != 0 ||
        kdfa(seed, 32, "INTEGRITY", NULL, 0, 256, hkey) != 0)
        goto out;
    /* TPM2B_PRIVATE: TPM2B_DIGEST outer HMAC || AES-CFB(TPM2B_SENSITIVE) */
    uint8_t *enc = b->dup.buffer + 2 + 32;
    static const uint8_t iv[16];
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    ok = cx != NULL &&
         EVP_EncryptInit_ex(cx, keybits == 128 ? EVP_aes_128_cfb128() : EVP_aes_256_cfb128(), NULL,
                            symkey, iv) == 1 &&
         EVP_EncryptUpdate(cx, enc, &outl, plain, (int)plen) == 1 &&
         EVP_EncryptFinal_ex(cx, enc + outl, &fl) == 1 && (size_t)(outl + fl) == plen &&
         hmac256(hkey, enc, plen, oname.name, oname.size, mac) == 0;
    EVP_CIPHER_CTX_free(cx);
    if (ok) {
        b->dup.buffer[0] = 0;
        b->dup.buffer[1] = 32;
        memcpy(b->dup.buffer + 2, mac, 32);
        b->dup.size = (UINT16)(2 + 32 + plen);
    }
out:
    EVP_MD_CTX_free(md);
    OPENSSL_cleanse(&s, sizeof s);
    OPENSSL_cleanse(plain, sizeof plain);
    OPENSSL_cleanse(seed, sizeof seed);
    OPENSSL_cleanse(symkey, sizeof symkey);
    OPENSSL_cleanse(hkey, sizeof hkey);
    (void)off;
    return ok ? 0 : -1;
}

/* The enrollment's SRK, its certification by the enrolled AK checked. The
 * record is read by the one strict reader (formats/enrollment.h): its AK is
 * one key (ak.name, ak.pem, ak.public agree), the key the EK binding and
 * the activation record name, so a software key cannot stand in for it. */
static int enrolled_srk(const char *enrollment, const secprov_verify_options *o,
                        TPM2B_PUBLIC *srk, vj_err *e)
{
    sp_enrollment en;
    json_object *cj;
    TPMT_SIGNATURE sig;
    uint8_t *att = NULL;
    size_t att_len = 0;
    char why[256];
    const char *bad;
    int rc = sp_enrollment_read(enrollment, &en, e);

    if (rc != SECPROV_VERIFY_OK)
        goto out;
    if (en.version < 2 || en.srk == NULL) {
        vj_fail(e, "enrollment: no 'srk' member (enrollment version %d, or a record made before "
                   "seal-to): refused for seal-to: re-enroll the device with this secprov "
                   "(secprov attest enroll)", en.version);
        rc = SECPROV_VERIFY_NO_SRK;
        goto out;
    }
    if (o->ek_ca != NULL && (rc = vc_check_ek_chain(o->ek_ca, &en, e)) != SECPROV_VERIFY_OK)
        goto out;
    if (o->activation != NULL &&
        (rc = vc_check_activated(o->activation, &en, e)) != SECPROV_VERIFY_OK)
        goto out;
    rc = SECPROV_VERIFY_MALFORMED_ENROLLMENT;
    if (vj_tpm2b_public(en.srk, "public", "enrollment.srk", srk, e) != 0 ||
        vj_obj(en.srk, "certify", "enrollment.srk", &cj, e) != 0 ||
        vj_b64(cj, "attest", "enrollment.srk.certify", &att, &att_len, e) != 0 ||
        vj_signature(cj, "signature", "enrollment.srk.certify", &sig, e) != 0)
        goto out;
    if ((bad = attest_ak_refusal(&en.ak.publicArea)) != NULL) {
        vj_fail(e, "enrollment.ak: %s", bad);
        rc = SECPROV_VERIFY_AK_ATTRIBUTES;
        goto out;
    }
    if ((bad = srk_refusal(&srk->publicArea)) != NULL) {
        vj_fail(e, "enrollment.srk.public: %s", bad);
        goto out;
    }
    /* "name" says again what "public" says: they must agree. */
    TPM2B_NAME computed;
    uint8_t *named = NULL;
    size_t named_len = 0;
    if (vj_hex(en.srk, "name", "enrollment.srk", &named, &named_len, e) != 0)
        goto out;
    int same = srk_name(&srk->publicArea, &computed) == 0 && named_len == computed.size &&
               memcmp(named, computed.name, named_len) == 0;
    free(named);
    if (!same) {
        vj_fail(e, "enrollment.srk.name: not the name of enrollment.srk.public");
        goto out;
    }
    EVP_PKEY *key = attest_ecc_pkey(&en.ak.publicArea);
    int c = srk_certify_check(srk, att, att_len, &sig, key, why, sizeof why);
    EVP_PKEY_free(key);
    if (c != 0) {
        vj_fail(e, "enrollment: %s", why);
        rc = SECPROV_VERIFY_SRK_CERTIFY;
        goto out;
    }
    rc = SECPROV_VERIFY_OK;
out:
    free(att);
    sp_enrollment_free(&en);
    return rc;
}

static int gcm_encrypt(const uint8_t key[32], const uint8_t *nonce, const uint8_t *aad,
                       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    int n = 0, ok = cx != NULL &&
        EVP_EncryptInit_ex(cx, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
        EVP_EncryptUpdate(cx, NULL, &n, aad, (int)aad_len) == 1 &&
        EVP_EncryptUpdate(cx, out, &n, in, (int)len) == 1 &&
        EVP_EncryptFinal_ex(cx, out + n, &n) == 1 &&
        EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, SEALED_BLOB_TAG_LEN, tag) == 1;
    EVP_CIPHER_CTX_free(cx);
    return ok ? 0 : -1;
}

int secprov_verify_seal_to(const char *enrollment, const secprov_verify_options *options,
                           const char *name, unsigned long long version, const void *data, size_t len, unsigned char **blob, size_t *blob_len,
                           char *detail, size_t detail_len)
{
    vj_err e = {detail, detail_len};
    sealed_blob b;
    uint8_t key[SEALED_BLOB_KEY_LEN], *out = NULL;
    size_t head = 0, cap;
    int rc, envelope;

    if (detail != NULL && detail_len > 0)
        detail[0] = '\0';
    if (blob == NULL || blob_len == NULL)
        return SECPROV_VERIFY_BAD_ARGUMENT;
    *blob = NULL;
    *blob_len = 0;
    if (enrollment == NULL || name == NULL || data == NULL || len == 0 ||
        len > SEALED_BLOB_SECRET_MAX || version == 0) {
        vj_fail(&e, "seal-to: needs an enrollment, a name, a version >= 1 and 1 byte to 16 MiB "
                    "of secret");
        return SECPROV_VERIFY_BAD_ARGUMENT;
    }
    memset(&b, 0, sizeof b);
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '_' || name[i] == '-'))
            n = 0;
    if (n == 0 || n > SEALED_BLOB_NAME_MAX) {
        vj_fail(&e, "seal-to: the name is not 1..64 of [A-Za-z0-9_-]");
        return SECPROV_VERIFY_BAD_ARGUMENT;
    }
    secprov_verify_options o = {0};
    if (options != NULL) {
        if (options->size < sizeof(size_t)) {
            vj_fail(&e, "seal-to: the options' size member is not set");
            return SECPROV_VERIFY_BAD_ARGUMENT;
        }
        memcpy(&o, options, options->size < sizeof o ? options->size : sizeof o);
    }
    TPM2B_PUBLIC srk;
    if ((rc = enrolled_srk(enrollment, &o, &srk, &e)) != SECPROV_VERIFY_OK)
        return rc;
    memcpy(b.name, name, n + 1);
    b.version = version;
    envelope = len > SEALED_BLOB_DIRECT_MAX;
    b.kind = envelope ? SEALED_BLOB_ENVELOPE : SEALED_BLOB_DIRECT;
    if (srk_name(&srk.publicArea, &b.srk_name) != 0 ||
        (envelope && RAND_priv_bytes(key, sizeof key) != 1) ||
        duplicate(&srk.publicArea, name, version, envelope ? key : data,
                  envelope ? sizeof key : len, &b) != 0) {
        OPENSSL_cleanse(key, sizeof key);
        vj_fail(&e, "seal-to: the wrap failed (OpenSSL)");
        return SECPROV_VERIFY_NOMEM;
    }
    cap = 1024 + sizeof b.pub + sizeof b.dup + sizeof b.seed +
          (envelope ? SEALED_BLOB_NONCE_LEN + 4 + len + SEALED_BLOB_TAG_LEN : 0);
    out = malloc(cap);
    rc = out != NULL && sealed_blob_write_head(&b, out, cap, &head) == 0 ? 0 : -1;
    if (rc == 0 && envelope) {
        uint8_t *nonce = out + head, *ct = nonce + SEALED_BLOB_NONCE_LEN + 4;
        put32(nonce + SEALED_BLOB_NONCE_LEN, (uint32_t)len);
        rc = RAND_bytes(nonce, SEALED_BLOB_NONCE_LEN) == 1 &&
             gcm_encrypt(key, nonce, out, head, data, len, ct, ct + len) == 0 ? 0 : -1;
        head += SEALED_BLOB_NONCE_LEN + 4 + len + SEALED_BLOB_TAG_LEN;
    }
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(&b, sizeof b);
    if (rc != 0) {
        free(out);
        vj_fail(&e, "seal-to: out of memory or the envelope failed");
        return SECPROV_VERIFY_NOMEM;
    }
    *blob = out;
    *blob_len = head;
    return SECPROV_VERIFY_OK;
}
