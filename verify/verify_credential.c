/*
 * Credential activation, the verifier's half (secprov_verify.h): a
 * TPM2_MakeCredential computed in software for the enrolled EK, bound to the
 * enrolled AK's computed name (TPM 2.0 Part 1, 24: the seed, KDFa for the
 * symmetric and HMAC keys, AES-CFB, the outer HMAC), in the credential file
 * format of tpm2-tools (what `tpm2_activatecredential -i` reads); and the
 * check of the device's answer, which yields the activation record the
 * verifier keeps.
 */
#include "secprov_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509_vfy.h>

#include "credential.h"
#include "verify_credential.h"
#include "verify_json.h"

#define CRED_LEN 32                    /* the challenge: one SHA-256-sized secret */
#define CHALLENGE_FORMAT "secprov-activation-challenge"
#define RECORD_FORMAT "secprov-activation"

/* KDFa (SP 800-108 counter mode, HMAC-SHA256): label, 0, context, bits. */
static int kdfa(const uint8_t *key, size_t key_len, const char *label, const uint8_t *ctx,
                size_t ctx_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *k = EVP_KDF_fetch(NULL, "KBKDF", NULL);
    EVP_KDF_CTX *c = k != NULL ? EVP_KDF_CTX_new(k) : NULL;
    OSSL_PARAM p[7], *q = p;
    int ok;

    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, "counter", 0);
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, "HMAC", 0);
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label, strlen(label));
    if (ctx_len > 0)
        *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)ctx, ctx_len);
    *q = OSSL_PARAM_construct_end();
    ok = c != NULL && EVP_KDF_derive(c, out, out_len, p) == 1;
    EVP_KDF_CTX_free(c);
    EVP_KDF_free(k);
    return ok ? 0 : -1;
}

/* KDFe (SP 800-56A single-step, SHA-256): Z, "IDENTITY\0" || U || V. */
static int kdfe(const uint8_t *z, size_t z_len, const uint8_t *u, const uint8_t *v, size_t n,
                uint8_t out[32])
{
    uint8_t info[9 + 2 * 66];
    EVP_KDF *k = EVP_KDF_fetch(NULL, "SSKDF", NULL);
    EVP_KDF_CTX *c = k != NULL ? EVP_KDF_CTX_new(k) : NULL;
    OSSL_PARAM p[4];
    int ok;

    memcpy(info, "IDENTITY", 9);
    memcpy(info + 9, u, n);
    memcpy(info + 9 + n, v, n);
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)z, z_len);
    p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, 9 + 2 * n);
    p[3] = OSSL_PARAM_construct_end();
    ok = c != NULL && EVP_KDF_derive(c, out, 32, p) == 1;
    EVP_KDF_CTX_free(c);
    EVP_KDF_free(k);
    return ok ? 0 : -1;
}

/* The seed and its encryption to the EK (TPM2B_ENCRYPTED_SECRET's bytes). */
static int ecc_seed(const TPMT_PUBLIC *ek, EVP_PKEY *ekkey, uint8_t seed[32], uint8_t *secret,
                    size_t *secret_len)
{
    EVP_PKEY *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY_CTX *c = eph != NULL ? EVP_PKEY_CTX_new(eph, NULL) : NULL;
    BIGNUM *x = NULL, *y = NULL;
    uint8_t z[32], ex[32], ey[32];
    size_t zl = sizeof z;
    int ok;

    ok = c != NULL && ek->unique.ecc.x.size == 32 && EVP_PKEY_derive_init(c) == 1 &&
         EVP_PKEY_derive_set_peer(c, ekkey) == 1 && EVP_PKEY_derive(c, z, &zl) == 1 && zl == 32 &&
         EVP_PKEY_get_bn_param(eph, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
         EVP_PKEY_get_bn_param(eph, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
         BN_bn2binpad(x, ex, 32) == 32 && BN_bn2binpad(y, ey, 32) == 32 &&
         kdfe(z, zl, ex, ek->unique.ecc.x.buffer, 32, seed) == 0;
    if (ok) {                                   /* TPMS_ECC_POINT */
        secret[0] = 0, secret[1] = 32;
        memcpy(secret + 2, ex, 32);
        secret[34] = 0, secret[35] = 32;
        memcpy(secret + 36, ey, 32);
        *secret_len = 68;
    }
    OPENSSL_cleanse(z, sizeof z);
    BN_free(x);
    BN_free(y);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(eph);
    return ok ? 0 : -1;
}

static int rsa_seed(EVP_PKEY *ekkey, uint8_t seed[32], uint8_t *secret, size_t *secret_len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(ekkey, NULL);
    void *label = OPENSSL_memdup("IDENTITY", 9);
    int ok = c != NULL && label != NULL && RAND_bytes(seed, 32) == 1 &&
             EVP_PKEY_encrypt_init(c) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set0_rsa_oaep_label(c, label, 9) == 1;
    if (ok)
        label = NULL;                           /* owned by c */
    ok = ok && EVP_PKEY_encrypt(c, secret, secret_len, seed, 32) == 1;
    OPENSSL_free(label);
    EVP_PKEY_CTX_free(c);
    return ok ? 0 : -1;
}

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

/* TPM2B_ID_OBJECT's bytes for cred, from seed, for the object name. */
static int id_object(const TPMT_PUBLIC *ek, const uint8_t seed[32], const TPM2B_NAME *name,
                     const uint8_t cred[CRED_LEN], uint8_t *out, size_t *out_len)
{
    const TPMT_SYM_DEF_OBJECT *sym = ek->type == TPM2_ALG_RSA ? &ek->parameters.rsaDetail.symmetric
                                                              : &ek->parameters.eccDetail.symmetric;
    size_t bits = sym->keyBits.aes, plain_len = 2 + CRED_LEN;
    uint8_t key[32], hkey[32], plain[2 + CRED_LEN], iv[16] = {0}, *enc = out + 2 + 2 + 32;
    unsigned char *mac_in = NULL;
    size_t mac_len = 0;
    EVP_CIPHER_CTX *c = NULL;
    int l1 = 0, l2 = 0, ok;

    if (sym->algorithm != TPM2_ALG_AES || sym->mode.aes != TPM2_ALG_CFB || (bits != 128 && bits != 256))
        return -1;
    put16(plain, CRED_LEN);
    memcpy(plain + 2, cred, CRED_LEN);
    ok = kdfa(seed, 32, "STORAGE", name->name, name->size, key, bits / 8) == 0 &&
         kdfa(seed, 32, "INTEGRITY", NULL, 0, hkey, 32) == 0 &&
         (c = EVP_CIPHER_CTX_new()) != NULL &&
         EVP_EncryptInit_ex(c, bits == 128 ? EVP_aes_128_cfb128() : EVP_aes_256_cfb128(), NULL,
                            key, iv) == 1 &&
         EVP_EncryptUpdate(c, enc, &l1, plain, (int)plain_len) == 1 &&
         EVP_EncryptFinal_ex(c, enc + l1, &l2) == 1 && (size_t)(l1 + l2) == plain_len &&
         (mac_in = malloc(plain_len + name->size)) != NULL;
    if (ok) {
        memcpy(mac_in, enc, plain_len);
        memcpy(mac_in + plain_len, name->name, name->size);
        ok = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, hkey, 32, mac_in,
                       plain_len + name->size, out + 4, 32, &mac_len) != NULL && mac_len == 32;
    }
    if (ok) {
        put16(out, 2 + 32 + plain_len);        /* TPM2B_ID_OBJECT.size */
        put16(out + 2, 32);                     /* integrityHMAC.size */
        *out_len = 2 + 2 + 32 + plain_len;
    }
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(hkey, sizeof hkey);
    OPENSSL_cleanse(plain, sizeof plain);
    free(mac_in);
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

static char *challenge_json(const sp_enrollment *en, const uint8_t cred[CRED_LEN])
{
    char *ak = attest_hex(en->ak_name.name, en->ak_name.size);
    char *ek = attest_hex(en->ek_name.name, en->ek_name.size), *c = attest_hex(cred, CRED_LEN);
    char *out = NULL;
    size_t n;

    if (ak != NULL && ek != NULL && c != NULL) {
        n = strlen(ak) + strlen(ek) + strlen(c) + 128;
        if ((out = malloc(n)) != NULL)
            snprintf(out, n, "{\"format\":\"%s\",\"version\":1,\"ak_name\":\"%s\",\"ek_name\":\"%s\","
                     "\"challenge\":\"%s\"}", CHALLENGE_FORMAT, ak, ek, c);
    }
    free(ak);
    free(ek);
    OPENSSL_cleanse(c, c != NULL ? strlen(c) : 0);
    free(c);
    return out;
}

int secprov_verify_make_credential(const char *enrollment, unsigned char **credential,
                                   size_t *credential_len, char **state, char *detail,
                                   size_t detail_len)
{
    vj_err e = {detail, detail_len};
    uint8_t seed[32], cred[CRED_LEN], secret[512], idobj[128];
    size_t secret_len = sizeof secret, id_len = 0;
    sp_enrollment en;
    EVP_PKEY *ekkey = NULL;
    int rc;

    vj_fail(&e, "ok");
    if (enrollment == NULL || credential == NULL || credential_len == NULL || state == NULL) {
        vj_fail(&e, "a NULL argument");
        return SECPROV_VERIFY_BAD_ARGUMENT;
    }
    *credential = NULL, *state = NULL;
    if ((rc = sp_enrollment_read(enrollment, &en, &e)) != SECPROV_VERIFY_OK)
        goto out;
    rc = SECPROV_VERIFY_NO_EK;
    if (!en.has_ek) {
        vj_fail(&e, "enrollment.ek: null: this device's record has no EK, so its AK cannot be "
                "activated (provision the EK, then enroll again)");
        goto out;
    }
    rc = SECPROV_VERIFY_NOMEM;
    ekkey = sp_public_pkey(&en.ek.publicArea);
    if (ekkey == NULL || RAND_bytes(cred, sizeof cred) != 1 ||
        (en.ek.publicArea.type == TPM2_ALG_RSA ? rsa_seed(ekkey, seed, secret, &secret_len)
                                               : ecc_seed(&en.ek.publicArea, ekkey, seed, secret,
                                                          &secret_len)) != 0 ||
        id_object(&en.ek.publicArea, seed, &en.ak_name, cred, idobj, &id_len) != 0) {
        vj_fail(&e, "enrollment.ek: cannot make a credential for this EK (not an RSA or ECC "
                "P-256 EK with AES-CFB, or out of memory)");
        rc = SECPROV_VERIFY_MALFORMED_ENROLLMENT;
        goto out;
    }
    /* tpm2-tools' file (formats/credential.h): the one writer of the format. */
    TPM2B_ID_OBJECT id = {.size = (UINT16)(id_len - 2)};
    TPM2B_ENCRYPTED_SECRET sec = {.size = (UINT16)secret_len};
    memcpy(id.credential, idobj + 2, id_len - 2);
    memcpy(sec.secret, secret, secret_len);
    if ((*credential = malloc(CREDENTIAL_MAX)) == NULL ||
        credential_write(&id, &sec, *credential, CREDENTIAL_MAX, credential_len) != 0 ||
        (*state = challenge_json(&en, cred)) == NULL) {
        vj_fail(&e, "out of memory");
        free(*credential);
        *credential = NULL;
        goto out;
    }
    rc = SECPROV_VERIFY_OK;
out:
    OPENSSL_cleanse(seed, sizeof seed);
    OPENSSL_cleanse(cred, sizeof cred);
    EVP_PKEY_free(ekkey);
    sp_enrollment_free(&en);
    return rc;
}

/* The kept challenge names this enrollment's AK and EK. */
static int read_state(const char *text, const sp_enrollment *en, uint8_t **cred, size_t *n,
                      vj_err *e)
{
    json_object *o = vj_parse(text, "challenge state", e);
    uint8_t *ak = NULL, *ek = NULL;
    size_t akl = 0, ekl = 0;
    int rc = -1;

    if (o != NULL && vj_header_from(o, CHALLENGE_FORMAT, 1, "challenge state", NULL, e) == 0 &&
        vj_hex(o, "ak_name", "challenge state", &ak, &akl, e) == 0 &&
        vj_hex(o, "ek_name", "challenge state", &ek, &ekl, e) == 0 &&
        vj_hex(o, "challenge", "challenge state", cred, n, e) == 0) {
        if (akl != en->ak_name.size || memcmp(ak, en->ak_name.name, akl) != 0 ||
            ekl != en->ek_name.size || memcmp(ek, en->ek_name.name, ekl) != 0)
            vj_fail(e, "challenge state: made for another enrollment's AK or EK");
        else
            rc = 0;
    }
    free(ak);
    free(ek);
    json_object_put(o);
    return rc;
}

int secprov_verify_enroll(const char *enrollment, const char *state, const void *answer,
                          size_t answer_len, char **record, char *detail, size_t detail_len)
{
    vj_err e = {detail, detail_len};
    sp_enrollment en;
    uint8_t *cred = NULL;
    size_t n = 0;
    int rc;

    vj_fail(&e, "ok");
    if (enrollment == NULL || state == NULL || answer == NULL || record == NULL) {
        vj_fail(&e, "a NULL argument");
        return SECPROV_VERIFY_BAD_ARGUMENT;
    }
    *record = NULL;
    if ((rc = sp_enrollment_read(enrollment, &en, &e)) != SECPROV_VERIFY_OK)
        goto out;
    rc = SECPROV_VERIFY_NO_EK;
    if (!en.has_ek) {
        vj_fail(&e, "enrollment.ek: null: cannot be activated");
        goto out;
    }
    rc = SECPROV_VERIFY_BAD_ARGUMENT;
    if (read_state(state, &en, &cred, &n, &e) != 0)
        goto out;
    rc = SECPROV_VERIFY_NOT_ACTIVATED;
    if (answer_len != n || CRYPTO_memcmp(answer, cred, n) != 0) {
        vj_fail(&e, "answer: not the challenge: the AK of the enrolled name is not in the TPM "
                "that holds the enrolled EK");
        goto out;
    }
    char *ak = attest_hex(en.ak_name.name, en.ak_name.size);
    char *ek = attest_hex(en.ek_name.name, en.ek_name.size);
    size_t len = (ak ? strlen(ak) : 0) + (ek ? strlen(ek) : 0) + 160;
    if (ak != NULL && ek != NULL && (*record = malloc(len)) != NULL) {
        snprintf(*record, len, "{\"format\":\"%s\",\"version\":1,\"ak_name\":\"%s\",\"ek_name\":\"%s\","
                 "\"activated_at\":%lld}\n", RECORD_FORMAT, ak, ek, (long long)time(NULL));
        rc = SECPROV_VERIFY_OK;
        vj_fail(&e, "ok");
    } else {
        vj_fail(&e, "out of memory");
        rc = SECPROV_VERIFY_NOMEM;
    }
    free(ak);
    free(ek);
out:
    if (cred != NULL)
        OPENSSL_cleanse(cred, n);
    free(cred);
    sp_enrollment_free(&en);
    return rc;
}

int vc_check_activated(const char *record, const sp_enrollment *en, vj_err *e)
{
    json_object *o = vj_parse(record, "activation record", e);
    uint8_t *ak = NULL, *ek = NULL;
    size_t akl = 0, ekl = 0;
    int rc = SECPROV_VERIFY_NOT_ACTIVATED;

    if (o != NULL && vj_header_from(o, RECORD_FORMAT, 1, "activation record", NULL, e) == 0 &&
        vj_hex(o, "ak_name", "activation record", &ak, &akl, e) == 0 &&
        vj_hex(o, "ek_name", "activation record", &ek, &ekl, e) == 0) {
        if (!en->has_ek || akl != en->ak_name.size || memcmp(ak, en->ak_name.name, akl) != 0 ||
            ekl != en->ek_name.size || memcmp(ek, en->ek_name.name, ekl) != 0)
            vj_fail(e, "activation record: not of this enrollment's AK and EK");
        else
            rc = SECPROV_VERIFY_OK;
    }
    free(ak);
    free(ek);
    json_object_put(o);
    return rc;
}

int vc_check_ek_chain(const char *ca_file, const sp_enrollment *en, vj_err *e)
{
    X509_STORE *store = NULL;
    X509_STORE_CTX *ctx = NULL;
    X509 *cert = NULL;
    BIO *bio = NULL;
    int ok = 0;

    if (!en->has_ek || en->ek_certificate == NULL) {
        vj_fail(e, "enrollment.ek.certificate: none, and --ek-ca requires one (a TPM without "
                "an EK certificate: pin its EK name at manufacturing instead)");
        return SECPROV_VERIFY_EK_CERTIFICATE;
    }
    if ((store = X509_STORE_new()) == NULL || X509_STORE_load_file(store, ca_file) != 1) {
        vj_fail(e, "--ek-ca %.200s: not a readable PEM file of CA certificates", ca_file);
        X509_STORE_free(store);
        return SECPROV_VERIFY_BAD_ARGUMENT;
    }
    if ((bio = BIO_new_mem_buf(en->ek_certificate, -1)) != NULL &&
        (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL &&
        (ctx = X509_STORE_CTX_new()) != NULL && X509_STORE_CTX_init(ctx, store, cert, NULL) == 1)
        ok = X509_verify_cert(ctx) == 1;
    if (!ok)
        vj_fail(e, "enrollment.ek.certificate: does not chain to a CA of --ek-ca (%s)",
                ctx != NULL ? X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)) : "unreadable");
    X509_STORE_CTX_free(ctx);
    X509_free(cert);
    BIO_free(bio);
    X509_STORE_free(store);
    return ok ? SECPROV_VERIFY_OK : SECPROV_VERIFY_EK_CERTIFICATE;
}

void secprov_verify_free(void *p)
{
    free(p);
}
