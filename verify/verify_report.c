/* secprov_verify_report(): see secprov_verify.h and docs/attestation.md. */
#include "secprov_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <tss2/tss2_mu.h>

#include "attest_common.h"
#include "verify_json.h"
#include "verify_pcrs.h"

typedef struct pinned {
    TPM2B_PUBLIC ak;
    TPM2B_NAME ak_name;
    attest_device dev;
    uint8_t mldsa[ATTEST_MLDSA_PUB_LEN];   /* the pinned ML-DSA-65 key, when mldsa_len */
    size_t mldsa_len;
} pinned;

/* enrollment.mldsa: {"algorithm": "ML-DSA-65", "public": base64}. */
static int read_mldsa_key(json_object *m, pinned *p, vj_err *e)
{
    const char *alg;
    uint8_t *pub;
    size_t n;

    if (!ATTEST_HAVE_MLDSA) {
        vj_fail(e, "enrollment: pins an ML-DSA-65 key, and this verifier was built "
                "without ML-DSA (OpenSSL < 3.5): refusing rather than skipping it");
        return SECPROV_VERIFY_MLDSA_UNSUPPORTED;
    }
    if (!json_object_is_type(m, json_type_object) ||
        vj_str(m, "algorithm", "enrollment.mldsa", &alg, e) != 0 ||
        vj_b64(m, "public", "enrollment.mldsa", &pub, &n, e) != 0)
        return SECPROV_VERIFY_MALFORMED_ENROLLMENT;
    if (strcmp(alg, ATTEST_MLDSA_ALG) != 0 || n != ATTEST_MLDSA_PUB_LEN) {
        vj_fail(e, "enrollment.mldsa: not an %s public key", ATTEST_MLDSA_ALG);
        free(pub);
        return SECPROV_VERIFY_MALFORMED_ENROLLMENT;
    }
    memcpy(p->mldsa, pub, n);
    p->mldsa_len = n;
    free(pub);
    return SECPROV_VERIFY_OK;
}

/* report.mldsa.signature over the TPMS_ATTEST bytes, by the pinned key. */
static int check_mldsa(const pinned *p, json_object *root, const uint8_t *att, size_t att_len,
                       vj_err *e)
{
    json_object *m = NULL;
    uint8_t *sig = NULL;
    size_t n = 0;
    int ok;

    if (!json_object_object_get_ex(root, "mldsa", &m) || m == NULL ||
        !json_object_is_type(m, json_type_object) ||
        vj_b64(m, "signature", "report.mldsa", &sig, &n, e) != 0) {
        vj_fail(e, "report: no ML-DSA-65 signature, and the enrollment pins an ML-DSA key");
        return SECPROV_VERIFY_MLDSA_SIGNATURE;
    }
    ok = attest_mldsa_verify(p->mldsa, p->mldsa_len, att, att_len, sig, n);
    free(sig);
    if (!ok)
        vj_fail(e, "report.mldsa.signature: does not verify with the enrolled ML-DSA-65 key");
    return ok ? SECPROV_VERIFY_OK : SECPROV_VERIFY_MLDSA_SIGNATURE;
}

typedef struct report {
    json_object *root;
    uint8_t *nonce, *attest_raw, *ak_name;
    size_t nonce_len, attest_len, ak_name_len;
    TPMS_ATTEST att;
    TPMT_SIGNATURE sig;
    attest_device dev;
} report;

static int read_enrollment(const char *text, pinned *p, vj_err *e)
{
    static const char *const where = "enrollment";
    json_object *o = vj_parse(text, where, e), *ak, *mldsa = NULL;
    int rc = SECPROV_VERIFY_MALFORMED_ENROLLMENT;

    if (o == NULL)
        return rc;
    if (vj_header(o, ENROLL_FORMAT, where, e) == 0 && vj_obj(o, "ak", where, &ak, e) == 0 &&
        vj_tpm2b_public(ak, "public", "enrollment.ak", &p->ak, e) == 0 &&
        vj_device(o, where, &p->dev, e) == 0) {
        if (json_object_object_get_ex(o, "mldsa", &mldsa) && mldsa != NULL &&
            (rc = read_mldsa_key(mldsa, p, e)) != SECPROV_VERIFY_OK) {
            /* rc says why */
        } else if (attest_public_name(&p->ak.publicArea, &p->ak_name) != 0) {
            vj_fail(e, "enrollment.ak: name algorithm not supported");
        } else {
            rc = SECPROV_VERIFY_OK;
        }
    }
    json_object_put(o);
    return rc;
}

static int read_report(const char *text, report *r, vj_err *e)
{
    static const char *const where = "report";
    json_object *q;

    if ((r->root = vj_parse(text, where, e)) == NULL)
        return SECPROV_VERIFY_MALFORMED_REPORT;
    if (vj_header(r->root, ATTEST_FORMAT, where, e) != 0 ||
        vj_hex(r->root, "nonce", where, &r->nonce, &r->nonce_len, e) != 0 ||
        vj_device(r->root, where, &r->dev, e) != 0 ||
        vj_obj(r->root, "quote", where, &q, e) != 0 ||
        vj_attest(q, "attest", "report.quote", &r->attest_raw, &r->attest_len, &r->att, e) != 0 ||
        vj_signature(q, "signature", "report.quote", &r->sig, e) != 0 ||
        vj_hex(r->root, "ak_name", where, &r->ak_name, &r->ak_name_len, e) != 0)
        return SECPROV_VERIFY_MALFORMED_REPORT;
    return SECPROV_VERIFY_OK;
}

static int check_signature(const pinned *p, const report *r, vj_err *e)
{
    const TPMS_SIGNATURE_ECC *s = &r->sig.signature.ecdsa;
    EVP_PKEY *key = attest_ecc_pkey(&p->ak.publicArea);
    ECDSA_SIG *es = NULL;
    EVP_MD_CTX *md = NULL;
    unsigned char *der = NULL;
    BIGNUM *br = NULL, *bs = NULL;
    int der_len = 0, ok = 0;

    if (r->sig.sigAlg != TPM2_ALG_ECDSA || s->hash != TPM2_ALG_SHA256) {
        vj_fail(e, "report.quote.signature: not ECDSA-SHA256 (sigAlg 0x%x)", r->sig.sigAlg);
        EVP_PKEY_free(key);
        return SECPROV_VERIFY_SIGNATURE;
    }
    if (key != NULL && (es = ECDSA_SIG_new()) != NULL &&
        (br = BN_bin2bn(s->signatureR.buffer, s->signatureR.size, NULL)) != NULL &&
        (bs = BN_bin2bn(s->signatureS.buffer, s->signatureS.size, NULL)) != NULL &&
        ECDSA_SIG_set0(es, br, bs) == 1) {
        br = bs = NULL;                           /* owned by es */
        der_len = i2d_ECDSA_SIG(es, &der);
        ok = der_len > 0 && (md = EVP_MD_CTX_new()) != NULL &&
             EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(md, der, (size_t)der_len, r->attest_raw, r->attest_len) == 1;
    }
    BN_free(br);
    BN_free(bs);
    ECDSA_SIG_free(es);
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    if (!ok)
        vj_fail(e, "report.quote.signature: does not verify with the enrolled attestation key");
    return ok ? SECPROV_VERIFY_OK : SECPROV_VERIFY_SIGNATURE;
}

static int check_clock(const report *r, vj_err *e)
{
    const TPMS_CLOCK_INFO *ci = &r->att.clockInfo;
    json_object *c;
    int64_t clock, reset, restart;
    json_object *safe = NULL;

    if (vj_obj(r->root, "clock", "report", &c, e) != 0 ||
        vj_int64(c, "clock", "report.clock", &clock, e) != 0 ||
        vj_int64(c, "reset_count", "report.clock", &reset, e) != 0 ||
        vj_int64(c, "restart_count", "report.clock", &restart, e) != 0 ||
        !json_object_object_get_ex(c, "safe", &safe) || !json_object_is_type(safe, json_type_boolean)) {
        vj_fail(e, "report.clock: missing or mistyped field");
        return SECPROV_VERIFY_MALFORMED_REPORT;
    }
    if ((uint64_t)clock != ci->clock || reset != ci->resetCount || restart != ci->restartCount ||
        json_object_get_boolean(safe) != (ci->safe == TPM2_YES)) {
        vj_fail(e, "report.clock: differs from the quote's clock info");
        return SECPROV_VERIFY_FIELD_MISMATCH;
    }
    return SECPROV_VERIFY_OK;
}

int secprov_verify_report(const char *report_text, const void *nonce, size_t nonce_len,
                          const char *enrollment, const char *expected_pcrs, char *detail,
                          size_t detail_len)
{
    vj_err e = {detail, detail_len};
    uint8_t qd[ATTEST_QD_LEN];
    report r;
    pinned p;
    int rc;

    memset(&p, 0, sizeof p);
    vj_fail(&e, "ok");
    memset(&r, 0, sizeof r);
    if (report_text == NULL || nonce == NULL || enrollment == NULL || nonce_len == 0 ||
        nonce_len > 64) {
        vj_fail(&e, "a NULL argument, or a nonce not 1 to 64 bytes");
        return SECPROV_VERIFY_BAD_ARGUMENT;
    }
    if ((rc = read_enrollment(enrollment, &p, &e)) != SECPROV_VERIFY_OK)
        return rc;
    const char *why = attest_ak_refusal(&p.ak.publicArea);
    if (why != NULL) {
        vj_fail(&e, "enrollment.ak: %s", why);
        return SECPROV_VERIFY_AK_ATTRIBUTES;
    }
    if ((rc = read_report(report_text, &r, &e)) != SECPROV_VERIFY_OK)
        goto out;
    rc = SECPROV_VERIFY_AK_MISMATCH;
    if (r.ak_name_len != p.ak_name.size || memcmp(r.ak_name, p.ak_name.name, r.ak_name_len) != 0) {
        vj_fail(&e, "report.ak_name: not the enrolled attestation key (another device?)");
        goto out;
    }
    rc = SECPROV_VERIFY_NOT_A_QUOTE;
    if (r.att.magic != TPM2_GENERATED_VALUE || r.att.type != TPM2_ST_ATTEST_QUOTE) {
        vj_fail(&e, "report.quote.attest: not a TPM-generated quote (magic 0x%x, type 0x%x)",
                r.att.magic, r.att.type);
        goto out;
    }
    if ((rc = check_signature(&p, &r, &e)) != SECPROV_VERIFY_OK)
        goto out;
    rc = SECPROV_VERIFY_NONCE;
    if (r.nonce_len != nonce_len || memcmp(r.nonce, nonce, nonce_len) != 0) {
        vj_fail(&e, "report.nonce: not the nonce expected");
        goto out;
    }
    rc = SECPROV_VERIFY_QUALIFYING_DATA;
    if (attest_qualifying_data(nonce, nonce_len, &r.att.attested.quote.pcrSelect, &r.dev,
                               p.mldsa_len ? p.mldsa : NULL, p.mldsa_len, qd) != 0 ||
        r.att.extraData.size != ATTEST_QD_LEN || memcmp(r.att.extraData.buffer, qd, ATTEST_QD_LEN) != 0) {
        vj_fail(&e, "report.quote.attest: its qualifying data is not the hash of this nonce "
                "and the report's claims (format, PCR selection, device)");
        goto out;
    }
    if (p.mldsa_len != 0 &&
        (rc = check_mldsa(&p, r.root, r.attest_raw, r.attest_len, &e)) != SECPROV_VERIFY_OK)
        goto out;
    rc = SECPROV_VERIFY_DEVICE_MISMATCH;
    if (strcmp(r.dev.machine_id, p.dev.machine_id) != 0 || strcmp(r.dev.serial, p.dev.serial) != 0) {
        vj_fail(&e, "report.device: differs from the enrollment's identity fields");
        goto out;
    }
    if ((rc = check_clock(&r, &e)) != SECPROV_VERIFY_OK)
        goto out;
    if ((rc = vp_check_pcrs(r.root, &r.att.attested.quote, expected_pcrs, &e)) != SECPROV_VERIFY_OK)
        goto out;
    vj_fail(&e, "ok");
out:
    json_object_put(r.root);
    free(r.nonce);
    free(r.attest_raw);
    free(r.ak_name);
    return rc;
}

const char *secprov_verify_reason(int result)
{
    static const char *const names[] = {
        "ok", "bad_argument", "malformed_enrollment", "mldsa_unsupported", "ak_attributes",
        "malformed_report", "malformed_pcrs", "ak_mismatch", "not_a_quote", "signature",
        "nonce", "qualifying_data", "device_mismatch", "field_mismatch", "pcr_digest",
        "pcr_values", "mldsa_signature", "nomem", "no_srk", "srk_certify"};
    if (result < 0 || (size_t)result >= sizeof names / sizeof names[0])
        return "unknown";
    return names[result];
}

int secprov_verify_has_mldsa(void)
{
    return ATTEST_HAVE_MLDSA;
}
