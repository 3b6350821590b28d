/* The enrollment record's strict reader: see enrollment.h. */
#include "enrollment.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "secprov_verify.h"

static EVP_PKEY *rsa_pkey(const TPMT_PUBLIC *pub)
{
    const TPMS_RSA_PARMS *r = &pub->parameters.rsaDetail;
    uint8_t e_be[4];
    uint32_t exp = r->exponent != 0 ? r->exponent : 65537;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pc = NULL;
    EVP_PKEY *key = NULL;
    BIGNUM *n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
    BIGNUM *e = NULL;

    e_be[0] = (uint8_t)(exp >> 24), e_be[1] = (uint8_t)(exp >> 16);
    e_be[2] = (uint8_t)(exp >> 8), e_be[3] = (uint8_t)exp;
    e = BN_bin2bn(e_be, 4, NULL);
    if (bld != NULL && n != NULL && e != NULL && pub->unique.rsa.size > 0 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1 &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
        (pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL &&
        EVP_PKEY_fromdata_init(pc) == 1 &&
        EVP_PKEY_fromdata(pc, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return key;
}

EVP_PKEY *sp_public_pkey(const TPMT_PUBLIC *pub)
{
    if (pub->type == TPM2_ALG_RSA)
        return rsa_pkey(pub);
    return attest_ecc_pkey(pub);
}

/* 1 when key is the key of the PEM text (a SubjectPublicKeyInfo, or with
 * cert set an X.509 certificate's). */
static int pem_is_key(const char *text, int cert, EVP_PKEY *key)
{
    BIO *bio = BIO_new_mem_buf(text, -1);
    EVP_PKEY *got = NULL;
    X509 *x = NULL;
    int same = 0;

    if (bio != NULL) {
        if (cert) {
            if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
                got = X509_get_pubkey(x);
        } else {
            got = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        }
    }
    same = got != NULL && key != NULL && EVP_PKEY_eq(got, key) == 1;
    EVP_PKEY_free(got);
    X509_free(x);
    BIO_free(bio);
    return same;
}

/* k ("enrollment.ak" / "enrollment.ek"): public, name and pem, one key. */
static int read_key(json_object *k, const char *where, TPM2B_PUBLIC *pub, TPM2B_NAME *name,
                    vj_err *e)
{
    const char *pem;
    uint8_t *named = NULL;
    size_t named_len = 0;
    EVP_PKEY *key;
    int same;

    if (vj_tpm2b_public(k, "public", where, pub, e) != 0 ||
        vj_hex(k, "name", where, &named, &named_len, e) != 0)
        return -1;
    same = attest_public_name(&pub->publicArea, name) == 0 && named_len == name->size &&
           memcmp(named, name->name, named_len) == 0;
    free(named);
    if (!same)
        return vj_fail(e, "%s.name: is not the name of %s.public (the TPM name computed from "
                       "its public area): not one key", where, where);
    if (vj_str(k, "pem", where, &pem, e) != 0)
        return -1;
    key = sp_public_pkey(&pub->publicArea);
    same = pem_is_key(pem, 0, key);
    EVP_PKEY_free(key);
    if (!same)
        return vj_fail(e, "%s.pem: is not the key of %s.public: not one key", where, where);
    return 0;
}

/* "ek": null, or a key with "certificate" null or a PEM certificate of it. */
static int read_ek(json_object *o, sp_enrollment *en, vj_err *e)
{
    static const char *const where = "enrollment.ek";
    json_object *ek = NULL, *cert = NULL;
    EVP_PKEY *key;
    int same;

    if (!json_object_object_get_ex(o, "ek", &ek))
        return vj_fail(e, "enrollment: no field 'ek' (null when the device has no EK)");
    if (ek == NULL)
        return 0;
    if (!json_object_is_type(ek, json_type_object))
        return vj_fail(e, "enrollment: 'ek' must be an object or null");
    if (read_key(ek, where, &en->ek, &en->ek_name, e) != 0)
        return -1;
    en->has_ek = 1;
    if (!json_object_object_get_ex(ek, "certificate", &cert) || cert == NULL)
        return 0;
    if (!json_object_is_type(cert, json_type_string))
        return vj_fail(e, "%s: 'certificate' must be a PEM string or null", where);
    key = sp_public_pkey(&en->ek.publicArea);
    same = pem_is_key(json_object_get_string(cert), 1, key);
    EVP_PKEY_free(key);
    if (!same)
        return vj_fail(e, "%s.certificate: is not a certificate of %s.public: not one key",
                       where, where);
    if ((en->ek_certificate = strdup(json_object_get_string(cert))) == NULL)
        return vj_fail(e, "out of memory");
    return 0;
}

/* "mldsa": {"algorithm": "ML-DSA-65", "public": base64}. */
static int read_mldsa(json_object *m, sp_enrollment *en, vj_err *e)
{
    const char *alg;
    uint8_t *pub;
    size_t n;

    if (!ATTEST_HAVE_MLDSA) {
        vj_fail(e, "enrollment: pins an ML-DSA-65 key, and this verifier was built "
                "without ML-DSA (OpenSSL < 3.5): refusing rather than skipping it");
        return SECPROV_VERIFY_MLDSA_UNSUPPORTED;
    }
    if (!json_object_is_type(m, json_type_object)) {
        vj_fail(e, "enrollment: 'mldsa' must be an object");
        return SECPROV_VERIFY_MALFORMED_ENROLLMENT;
    }
    if (vj_str(m, "algorithm", "enrollment.mldsa", &alg, e) != 0 ||
        vj_b64(m, "public", "enrollment.mldsa", &pub, &n, e) != 0)
        return SECPROV_VERIFY_MALFORMED_ENROLLMENT;
    if (strcmp(alg, ATTEST_MLDSA_ALG) != 0 || n != ATTEST_MLDSA_PUB_LEN) {
        vj_fail(e, "enrollment.mldsa: not an %s public key", ATTEST_MLDSA_ALG);
        free(pub);
        return SECPROV_VERIFY_MALFORMED_ENROLLMENT;
    }
    memcpy(en->mldsa, pub, n);
    en->mldsa_len = n;
    free(pub);
    return SECPROV_VERIFY_OK;
}

/* "srk" (seal-to-device): optional; an object when present, its members
 * checked by its reader. */
static int read_srk(json_object *o, sp_enrollment *en, vj_err *e)
{
    json_object *srk = NULL;

    if (!json_object_object_get_ex(o, "srk", &srk) || srk == NULL)
        return 0;
    if (!json_object_is_type(srk, json_type_object))
        return vj_fail(e, "enrollment: 'srk' must be an object");
    en->srk = json_object_get(srk);
    return 0;
}

static int read_fields(json_object *o, sp_enrollment *en, vj_err *e)
{
    static const char *const where = "enrollment";
    json_object *ak, *mldsa = NULL;

    if (vj_header_from(o, ENROLL_FORMAT, ENROLL_VERSION_MIN, where, &en->version, e) != 0 ||
        vj_obj(o, "ak", where, &ak, e) != 0 ||
        read_key(ak, "enrollment.ak", &en->ak, &en->ak_name, e) != 0 ||
        vj_device(o, where, &en->dev, e) != 0 || read_ek(o, en, e) != 0 || read_srk(o, en, e) != 0)
        return SECPROV_VERIFY_MALFORMED_ENROLLMENT;
    if (json_object_object_get_ex(o, "mldsa", &mldsa) && mldsa != NULL)
        return read_mldsa(mldsa, en, e);
    return SECPROV_VERIFY_OK;
}

int sp_enrollment_read(const char *text, sp_enrollment *en, vj_err *e)
{
    json_object *o;
    int rc;

    memset(en, 0, sizeof *en);
    if ((o = vj_parse(text, "enrollment", e)) == NULL)
        return SECPROV_VERIFY_MALFORMED_ENROLLMENT;
    rc = read_fields(o, en, e);
    json_object_put(o);
    return rc;
}

void sp_enrollment_free(sp_enrollment *en)
{
    free(en->ek_certificate);
    json_object_put(en->srk);
    memset(en, 0, sizeof *en);
}
