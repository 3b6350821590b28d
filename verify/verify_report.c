/* secprov_verify_report(): see secprov_verify.h and docs/attestation.md. */
#include "secprov_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ecdsa.h>
#include <tss2/tss2_mu.h>

#include "attest_common.h"
#include "enrollment.h"
#include "report.h"
#include "verify_credential.h"
#include "verify_fresh.h"
#include "verify_json.h"
#include "verify_pcrs.h"

typedef sp_enrollment pinned;

typedef struct report {
    json_object *root;
    uint8_t *nonce, *attest_raw, *ak_name;
    size_t nonce_len, attest_len, ak_name_len;
    TPMS_ATTEST att;
    TPMT_SIGNATURE sig;
    attest_device dev;
    int64_t issued_at, expires_at;
} report;

/* report.mldsa.signature over SHA3-256 of the whole report (less "mldsa")
 * by the pinned key (formats/report.h). */
static int check_mldsa(const pinned *p, json_object *root, vj_err *e)
{
    uint8_t digest[REPORT_DIGEST_LEN];
    json_object *m = NULL;
    uint8_t *sig = NULL;
    size_t n = 0;
    char why[200];
    int ok;

    if (!json_object_object_get_ex(root, "mldsa", &m) || m == NULL ||
        !json_object_is_type(m, json_type_object) ||
        vj_b64(m, "signature", "report.mldsa", &sig, &n, e) != 0) {
        vj_fail(e, "report: no ML-DSA-65 signature, and the enrollment pins an ML-DSA key");
        return SECPROV_VERIFY_MLDSA_SIGNATURE;
    }
    if (sp_report_mldsa_digest(root, digest, why, sizeof why) != 0) {
        free(sig);
        vj_fail(e, "%s", why);
        return SECPROV_VERIFY_MALFORMED_REPORT;
    }
    ok = attest_mldsa_verify(p->mldsa, p->mldsa_len, digest, sizeof digest, sig, n);
    free(sig);
    if (!ok)
        vj_fail(e, "report.mldsa.signature: does not verify with the enrolled ML-DSA-65 key "
                "over the report's canonical bytes (a field altered?)");
    return ok ? SECPROV_VERIFY_OK : SECPROV_VERIFY_MLDSA_SIGNATURE;
}

/* The quote's qualifying data is the digest of this report's claims
 * (formats/report.h), and the claimed ML-DSA key is the pinned one. */
static int check_claims(const pinned *p, const report *r, vj_err *e)
{
    uint8_t qd[REPORT_DIGEST_LEN], h[32];
    unsigned int hl = 0;
    json_object *k = NULL;
    char why[200];
    int has = json_object_object_get_ex(r->root, "mldsa_key", &k) && k != NULL;

    if (sp_report_qualifying_data(r->root, qd, why, sizeof why) != 0) {
        vj_fail(e, "%s", why);
        return SECPROV_VERIFY_MALFORMED_REPORT;
    }
    if (r->att.extraData.size != sizeof qd || memcmp(r->att.extraData.buffer, qd, sizeof qd) != 0) {
        vj_fail(e, "report.quote.attest: its qualifying data is not the digest of this report's "
                "members (an altered or added member: nonce, time, issued_at, expires_at, "
                "provider, device, ...)");
        return SECPROV_VERIFY_QUALIFYING_DATA;
    }
    if (has != (p->mldsa_len != 0)) {
        vj_fail(e, "report.mldsa_key: %s", has ? "the report binds an ML-DSA key the enrollment "
                "does not pin (enroll the device again)" : "absent, and the enrollment pins one");
        return SECPROV_VERIFY_QUALIFYING_DATA;
    }
    if (has) {
        char *hex = NULL;
        int same = EVP_Digest(p->mldsa, p->mldsa_len, h, &hl, EVP_sha256(), NULL) == 1 &&
                   (hex = attest_hex(h, hl)) != NULL && json_object_is_type(k, json_type_string) &&
                   strcmp(json_object_get_string(k), hex) == 0;
        free(hex);
        if (!same) {
            vj_fail(e, "report.mldsa_key: not the SHA-256 of the enrolled ML-DSA-65 key");
            return SECPROV_VERIFY_QUALIFYING_DATA;
        }
    }
    return SECPROV_VERIFY_OK;
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
        vj_hex(r->root, "ak_name", where, &r->ak_name, &r->ak_name_len, e) != 0 ||
        vf_read_times(r->root, &r->issued_at, &r->expires_at, e) != 0)
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

/* The run of the checks: the first failure is the result (its detail in
 * e); later checks go on where they can, into the breakdown only. */
typedef struct run {
    int rc;
    vj_err *e, scratch;
    char scratch_text[256];
    secprov_verify_breakdown b;
} run;

static vj_err *err_of(run *v)
{
    return v->rc == SECPROV_VERIFY_OK ? v->e : &v->scratch;
}

/* Record the result of one check in its group; 1 when it passed. */
static int note(run *v, int *group, int rc)
{
    if (rc == SECPROV_VERIFY_OK) {
        if (*group == SECPROV_VERIFY_NOT_CHECKED)
            *group = SECPROV_VERIFY_PASS;
        return 1;
    }
    *group = SECPROV_VERIFY_FAIL;
    if (v->rc == SECPROV_VERIFY_OK)
        v->rc = rc;
    return 0;
}

static int fail_at(run *v, int *group, int rc, const char *msg)
{
    vj_fail(err_of(v), "%s", msg);
    return note(v, group, rc);
}

/* The checks on a report that reads, in the documented order. */
static void check_report(run *v, const pinned *p, const report *r, const void *nonce,
                         size_t nonce_len, const char *expected_pcrs, long long now,
                         long long skew, const char *since)
{
    secprov_verify_breakdown *b = &v->b;
    int quote_ok, rc;

    if (r->ak_name_len != p->ak_name.size || memcmp(r->ak_name, p->ak_name.name, r->ak_name_len) != 0)
        fail_at(v, &b->ak_binding, SECPROV_VERIFY_AK_MISMATCH,
                "report.ak_name: not the enrolled attestation key (another device?)");
    else
        note(v, &b->ak_binding, SECPROV_VERIFY_OK);
    quote_ok = r->att.magic == TPM2_GENERATED_VALUE && r->att.type == TPM2_ST_ATTEST_QUOTE;
    if (!quote_ok) {
        vj_fail(err_of(v), "report.quote.attest: not a TPM-generated quote (magic 0x%x, type 0x%x)",
                r->att.magic, r->att.type);
        note(v, &b->signature, SECPROV_VERIFY_NOT_A_QUOTE);
    } else {
        note(v, &b->signature, check_signature(p, r, err_of(v)));
    }
    if (r->nonce_len != nonce_len || memcmp(r->nonce, nonce, nonce_len) != 0)
        fail_at(v, &b->nonce, SECPROV_VERIFY_NONCE, "report.nonce: not the nonce expected");
    else
        note(v, &b->nonce, SECPROV_VERIFY_OK);
    note(v, &b->signature, check_claims(p, r, err_of(v)));
    if (p->mldsa_len != 0)
        note(v, &b->mldsa, check_mldsa(p, r->root, err_of(v)));
    note(v, &b->freshness, vf_check(r->issued_at, r->expires_at, &r->att.clockInfo, r->ak_name,
                                    r->ak_name_len, now, skew, since, err_of(v)));
    if (strcmp(r->dev.machine_id, p->dev.machine_id) != 0 || strcmp(r->dev.serial, p->dev.serial) != 0)
        fail_at(v, &b->ak_binding, SECPROV_VERIFY_DEVICE_MISMATCH,
                "report.device: differs from the enrollment's identity fields");
    note(v, &b->signature, check_clock(r, err_of(v)));
    rc = vp_check_pcrs(r->root, &r->att.attested.quote, expected_pcrs, err_of(v));
    if (rc == SECPROV_VERIFY_PCR_VALUES || rc == SECPROV_VERIFY_MALFORMED_PCRS)
        note(v, &b->pcr_drift, rc);
    else {
        note(v, &b->signature, rc);
        if (rc == SECPROV_VERIFY_OK && expected_pcrs != NULL)
            note(v, &b->pcr_drift, rc);
    }
}

int secprov_verify_report2(const char *report_text, const void *nonce, size_t nonce_len,
                           const char *enrollment, const char *expected_pcrs,
                           const secprov_verify_options *opt, secprov_verify_breakdown *bd,
                           char *detail, size_t detail_len)
{
    vj_err e = {detail, detail_len};
    secprov_verify_options o = {0};
    run v;
    report r;
    pinned p;

    memset(&p, 0, sizeof p);
    memset(&r, 0, sizeof r);
    memset(&v, 0, sizeof v);
    v.e = &e;
    v.scratch = (vj_err){v.scratch_text, sizeof v.scratch_text};
    if (opt != NULL)
        memcpy(&o, opt, opt->size < sizeof o ? opt->size : sizeof o);
    vj_fail(&e, "ok");
    if (report_text == NULL || nonce == NULL || enrollment == NULL || nonce_len == 0 ||
        nonce_len > 64 || (opt != NULL && opt->size < sizeof(size_t)) ||
        (bd != NULL && bd->size < sizeof(size_t)) || o.max_skew_s < 0) {
        vj_fail(&e, "a NULL argument, a nonce not 1 to 64 bytes, a negative skew, or a "
                "size member not set");
        v.rc = SECPROV_VERIFY_BAD_ARGUMENT;
        goto out;
    }
    if ((v.rc = sp_enrollment_read(enrollment, &p, &e)) != SECPROV_VERIFY_OK) {
        v.b.ak_binding = SECPROV_VERIFY_FAIL;
        goto out;
    }
    const char *why = attest_ak_refusal(&p.ak.publicArea);
    if (why != NULL) {
        vj_fail(&e, "enrollment.ak: %s", why);
        v.b.ak_binding = SECPROV_VERIFY_FAIL;
        v.rc = SECPROV_VERIFY_AK_ATTRIBUTES;
        goto out;
    }
    if (o.ek_ca != NULL && (v.rc = vc_check_ek_chain(o.ek_ca, &p, &e)) != SECPROV_VERIFY_OK) {
        v.b.ak_binding = SECPROV_VERIFY_FAIL;
        goto out;
    }
    if ((v.rc = read_report(report_text, &r, &e)) != SECPROV_VERIFY_OK)
        goto out;
    check_report(&v, &p, &r, nonce, nonce_len, expected_pcrs,
                 o.now != 0 ? o.now : (long long)time(NULL),
                 o.max_skew_s != 0 ? o.max_skew_s : SECPROV_VERIFY_DEFAULT_SKEW_S, o.since);
    if (o.activation != NULL)
        note(&v, &v.b.activation, vc_check_activated(o.activation, &p, err_of(&v)));
    if (v.rc == SECPROV_VERIFY_OK)
        vj_fail(&e, "ok");
out:
    /* Every refusal names what was wrong: a check that forgot to say is a
     * bug, and still not reported as "ok". */
    if (v.rc != SECPROV_VERIFY_OK && detail != NULL && detail_len >= 3 && strcmp(detail, "ok") == 0)
        vj_fail(&e, "%s (no detail recorded)", secprov_verify_reason(v.rc));
    if (bd != NULL) {
        size_t n = bd->size < sizeof v.b ? bd->size : sizeof v.b;
        v.b.size = n;
        memcpy(bd, &v.b, n);
    }
    sp_enrollment_free(&p);
    json_object_put(r.root);
    free(r.nonce);
    free(r.attest_raw);
    free(r.ak_name);
    return v.rc;
}

int secprov_verify_report(const char *report_text, const void *nonce, size_t nonce_len,
                          const char *enrollment, const char *expected_pcrs, char *detail,
                          size_t detail_len)
{
    return secprov_verify_report2(report_text, nonce, nonce_len, enrollment, expected_pcrs, NULL,
                                  NULL, detail, detail_len);
}

const char *secprov_verify_reason(int result)
{
    static const char *const names[] = {
        "ok", "bad_argument", "malformed_enrollment", "mldsa_unsupported", "ak_attributes",
        "malformed_report", "malformed_pcrs", "ak_mismatch", "not_a_quote", "signature",
        "nonce", "qualifying_data", "device_mismatch", "field_mismatch", "pcr_digest",
        "pcr_values", "mldsa_signature", "nomem", "expired", "not_yet_valid", "rebooted",
        "no_ek", "not_activated", "ek_certificate",
        "no_srk", "srk_certify", "malformed_bundle"};
    if (result < 0 || (size_t)result >= sizeof names / sizeof names[0])
        return "unknown";
    return names[result];
}

int secprov_verify_has_mldsa(void)
{
    return ATTEST_HAVE_MLDSA;
}
