/* The enrollment record and the report: see attest_report.h. */
#include "attest_report.h"
#include "attest_srk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include "attest_common.h"
#include "attest_key.h"
#include "attest_mldsa.h"
#include "attest_quote.h"
#include "report.h"
#include "keystore_object.h"
#include "tpm_settings.h"

/* First line of a small file, trailing whitespace and NULs cut. */
static void read_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "re");
    size_t n = 0;

    out[0] = '\0';
    if (f == NULL)
        return;
    n = fread(out, 1, len - 1, f);
    fclose(f);
    out[n] = '\0';
    out[strcspn(out, "\n")] = '\0';
    n = strlen(out);
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\r' || out[n - 1] == '\t'))
        out[--n] = '\0';
}

static void device_identity(attest_device *dev)
{
    read_line("/etc/machine-id", dev->machine_id, sizeof dev->machine_id);
    read_line("/proc/device-tree/serial-number", dev->serial, sizeof dev->serial);
}

/* attest.pcrs (checked at open: tpm_settings.h). */
static const char *pcrs_of(const secprov_provider_env *env)
{
    const char *v = NULL;

    return env->config_get(env, "attest", "pcrs", SECPROV_CONFIG_STRING, &v) == SECPROV_OK &&
                   v != NULL ? v : TPM_ATTEST_PCRS_DEFAULT;
}

static json_object *jstr_own(char *s)      /* takes s; NULL stays NULL */
{
    json_object *o = s != NULL ? json_object_new_string(s) : NULL;
    free(s);
    return o;
}

static json_object *device_json(const attest_device *dev)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "machine_id", json_object_new_string(dev->machine_id));
    json_object_object_add(o, "serial", json_object_new_string(dev->serial));
    return o;
}

static json_object *header(const char *format)
{
    json_object *o = json_object_new_object();
    char when[32];
    time_t now = time(NULL);
    struct tm tm;

    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    json_object_object_add(o, "format", json_object_new_string(format));
    json_object_object_add(o, "version", json_object_new_int(REPORT_VERSION));
    json_object_object_add(o, "time", json_object_new_string(when));
    return o;
}

static char *pem_of(const TPMT_PUBLIC *pub)
{
    EVP_PKEY *key = attest_ecc_pkey(pub);
    BIO *bio = BIO_new(BIO_s_mem());
    char *text = NULL, *p;
    long n;

    if (key != NULL && bio != NULL && PEM_write_bio_PUBKEY(bio, key) == 1 &&
        (n = BIO_get_mem_data(bio, &p)) > 0 && (text = malloc((size_t)n + 1)) != NULL) {
        memcpy(text, p, (size_t)n);
        text[n] = '\0';
    }
    BIO_free(bio);
    EVP_PKEY_free(key);
    return text;
}

/* {"public": base64 TPM2B_PUBLIC, "pem": ..., "name": hex} */
/* o's member "mldsa": {"algorithm": ATTEST_MLDSA_ALG, member: base64(bytes)},
 * and bytes freed; nothing when bytes is NULL (no ML-DSA key). */
static void mldsa_add(json_object *o, const char *member, uint8_t *bytes, size_t len)
{
    if (bytes == NULL)
        return;
    json_object *m = json_object_new_object();
    json_object_object_add(m, "algorithm", json_object_new_string(ATTEST_MLDSA_ALG));
    json_object_object_add(m, member, jstr_own(attest_b64(bytes, len)));
    json_object_object_add(o, "mldsa", m);
    free(bytes);
}

static json_object *key_json(const TPM2B_PUBLIC *pub)
{
    uint8_t buf[sizeof *pub];
    size_t len = 0;
    TPM2B_NAME name;
    json_object *o = json_object_new_object();

    if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, sizeof buf, &len) != TSS2_RC_SUCCESS ||
        attest_public_name(&pub->publicArea, &name) != 0) {
        json_object_put(o);
        return NULL;
    }
    json_object_object_add(o, "public", jstr_own(attest_b64(buf, len)));
    json_object_object_add(o, "pem", jstr_own(pem_of(&pub->publicArea)));
    json_object_object_add(o, "name", jstr_own(attest_hex(name.name, name.size)));
    return o;
}

/* The EK FAPI made at provisioning, from the keystore (secprov's own parser,
 * keystore_object.h: no file reaches tpm2-tss's); null when it has none. */
static json_object *ek_json(const secprov_provider_env *env)
{
    TPM2B_PUBLIC ek;
    char cert[8192], why[512];
    json_object *o;

    if (keystore_ek_read(env->state_dir, &ek, cert, sizeof cert, why, sizeof why) != SECPROV_OK) {
        env->log(env, SECPROV_LOG_INFO, "tpm: no EK in the enrollment record: %s", why);
        return NULL;
    }
    if ((o = key_json(&ek)) == NULL)
        return NULL;
    json_object_object_add(o, "certificate", cert[0] != '\0' ? json_object_new_string(cert) : NULL);
    return o;
}

static char *finish(json_object *o)
{
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
    char *copy = text != NULL ? strdup(text) : NULL;
    json_object_put(o);
    return copy;
}

static int enroll(tpm_esys *e, const secprov_provider_env *env,
                  const tpm_deadline *d, char **json, TSS2_RC *trc, const char **what)
{
    TPM2B_PUBLIC ak;
    attest_device dev;
    char host[256] = "";
    int rc;

    uint8_t *mldsa = NULL;
    size_t mldsa_len = 0;

    *what = "making or reading the attestation key";
    if ((rc = attest_key_public(e, env, d, &ak, trc)) != SECPROV_OK)
        return rc;
    *what = "making or reading the ML-DSA key";
    if ((rc = attest_mldsa_public(e, env, d, &mldsa, &mldsa_len, trc)) != SECPROV_OK)
        return rc;
    *what = "certifying the SRK by the attestation key (TPM2_Certify)";
    json_object *srkj = attest_srk_json(e, env, d, &rc, trc);      /* seal-to: formats/srk.h */
    if (srkj == NULL) {
        free(mldsa);
        return rc;
    }
    device_identity(&dev);
    (void)gethostname(host, sizeof host - 1);
    json_object *o = header(ENROLL_FORMAT), *akj = key_json(&ak);
    json_object_object_add(o, "srk", srkj);
    json_object_object_add(o, "device", device_json(&dev));
    json_object_object_add(o, "hostname", json_object_new_string(host));
    json_object_object_add(o, "ak", akj);
    json_object_object_add(o, "ek", ek_json(env));
    json_object_object_add(o, "pcrs", json_object_new_string(pcrs_of(env)));
    mldsa_add(o, "public", mldsa, mldsa_len);
    *json = akj != NULL ? finish(o) : NULL;
    if (akj == NULL)
        json_object_put(o);
    return *json != NULL ? SECPROV_OK : SECPROV_ERR_NOMEM;
}

static json_object *pcrs_json(const TPML_PCR_SELECTION *sel, const TPML_DIGEST *v,
                              json_object *zeros)
{
    json_object *arr = json_object_new_array();
    uint32_t k = 0;

    for (uint32_t i = 0; i < sel->count; i++)
        for (int n = 0; n < 24; n++) {
            const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];
            if (!(s->pcrSelect[n / 8] & (1u << (n % 8))) || k >= v->count)
                continue;
            const TPM2B_DIGEST *val = &v->digests[k++];
            static const uint8_t zero[sizeof val->buffer];
            char id[32];
            json_object *p = json_object_new_object();
            json_object_object_add(p, "bank", json_object_new_string(attest_bank_name(s->hash)));
            json_object_object_add(p, "pcr", json_object_new_int(n));
            json_object_object_add(p, "value", jstr_own(attest_hex(val->buffer, val->size)));
            json_object_array_add(arr, p);
            snprintf(id, sizeof id, "%s:%d", attest_bank_name(s->hash), n);
            if (memcmp(val->buffer, zero, val->size) == 0)
                json_object_array_add(zeros, json_object_new_string(id));
        }
    return arr;
}

/* attest.lifetime_s (checked at open: tpm_settings.h). */
static long long lifetime_of(const secprov_provider_env *env)
{
    long long v = 0;

    if (env->config_get(env, "attest", "lifetime_s", SECPROV_CONFIG_INT, &v) == SECPROV_OK &&
        v >= 1 && v <= REPORT_LIFETIME_MAX)
        return v;
    return REPORT_LIFETIME_DEFAULT;
}

/* The members known before the quote, all covered by its qualifying data
 * (formats/report.h). */
static json_object *claims_json(const secprov_provider_env *env, const void *nonce,
                                size_t nonce_len, const attest_device *dev, const TPM2B_NAME *name,
                                const uint8_t *mldsa, size_t mldsa_len)
{
    json_object *o = header(ATTEST_FORMAT);
    int64_t now = (int64_t)time(NULL);

    json_object_object_add(o, "issued_at", json_object_new_int64(now));
    json_object_object_add(o, "expires_at", json_object_new_int64(now + lifetime_of(env)));
    json_object_object_add(o, "provider", json_object_new_string("tpm"));
    json_object_object_add(o, "nonce", jstr_own(attest_hex(nonce, nonce_len)));
    json_object_object_add(o, "device", device_json(dev));
    json_object_object_add(o, "ak_name", jstr_own(attest_hex(name->name, name->size)));
    if (mldsa != NULL) {
        uint8_t h[32];
        unsigned int hl = 0;
        if (EVP_Digest(mldsa, mldsa_len, h, &hl, EVP_sha256(), NULL) == 1)
            json_object_object_add(o, "mldsa_key", jstr_own(attest_hex(h, hl)));
    }
    return o;
}

/* The members that come from the quote (formats/report.h: each checked
 * against the signed TPMS_ATTEST). 0, or -1 on no memory. */
static int add_quote(json_object *o, const TPML_PCR_SELECTION *sel, const attest_quote_out *q)
{
    uint8_t sig[sizeof(TPMT_SIGNATURE)];
    size_t sig_len = 0;
    json_object *zeros = json_object_new_array();
    json_object *qj = json_object_new_object(), *clock = json_object_new_object();
    const TPMS_CLOCK_INFO *ci = &q->info.clockInfo;

    if (Tss2_MU_TPMT_SIGNATURE_Marshal(&q->signature, sig, sizeof sig, &sig_len) != TSS2_RC_SUCCESS) {
        json_object_put(zeros), json_object_put(qj), json_object_put(clock);
        return -1;
    }
    json_object_object_add(o, "pcrs", pcrs_json(sel, &q->values, zeros));
    json_object_object_add(o, "zero_pcrs", zeros);
    json_object_object_add(qj, "attest", jstr_own(attest_b64(q->attest.attestationData, q->attest.size)));
    json_object_object_add(qj, "signature", jstr_own(attest_b64(sig, sig_len)));
    json_object_object_add(o, "quote", qj);
    json_object_object_add(clock, "clock", json_object_new_int64((int64_t)ci->clock));
    json_object_object_add(clock, "reset_count", json_object_new_int64(ci->resetCount));
    json_object_object_add(clock, "restart_count", json_object_new_int64(ci->restartCount));
    json_object_object_add(clock, "safe", json_object_new_boolean(ci->safe == TPM2_YES));
    json_object_object_add(o, "clock", clock);
    return 0;
}

/* The ML-DSA-65 signature of the whole report (its SHA3-256 digest). */
static int add_mldsa(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                     json_object *o, const uint8_t *mldsa, size_t mldsa_len, TSS2_RC *trc)
{
    uint8_t digest[REPORT_DIGEST_LEN], *sig = NULL;
    size_t sig_len = 0;
    char why[200];
    int rc;

    if (sp_report_mldsa_digest(o, digest, why, sizeof why) != 0) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: %s", why);
        return SECPROV_ERR_INTERNAL;
    }
    rc = attest_mldsa_sign(e, env, d, mldsa, mldsa_len, digest, sizeof digest, &sig, &sig_len, trc);
    if (rc == SECPROV_OK)
        mldsa_add(o, "signature", sig, sig_len);
    return rc;
}

static int quote(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                 const void *nonce, size_t nonce_len, char **json, TSS2_RC *trc,
                 const char **what)
{
    const char *pcrs = pcrs_of(env);
    uint8_t qd[REPORT_DIGEST_LEN];
    TPML_PCR_SELECTION sel;
    attest_quote_out q;
    attest_device dev;
    TPM2B_PUBLIC ak;
    TPM2B_NAME name;
    ESYS_TR h;
    char why[300];
    size_t mldsa_len = 0;
    uint8_t *mldsa = NULL;
    json_object *o = NULL;
    int rc;

    *what = "attest";
    if (attest_pcrs_parse(pcrs, &sel, why, sizeof why) != 0) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: %s", why);
        return SECPROV_ERR_CONFIG;
    }
    device_identity(&dev);
    *what = "making or reading the ML-DSA key";
    if ((rc = attest_mldsa_public(e, env, d, &mldsa, &mldsa_len, trc)) != SECPROV_OK)
        return rc;
    *what = "loading the attestation key (TPM2_Load)";
    if ((rc = attest_key_load(e, env, d, &ak, &h, trc)) != SECPROV_OK) {
        free(mldsa);
        return rc;
    }
    rc = SECPROV_ERR_INTERNAL;
    if (attest_public_name(&ak.publicArea, &name) == 0 &&
        (o = claims_json(env, nonce, nonce_len, &dev, &name, mldsa, mldsa_len)) != NULL) {
        if (sp_report_qualifying_data(o, qd, why, sizeof why) == 0) {
            *what = "quoting (TPM2_Quote, TPM2_PCR_Read)";
            rc = attest_quote_pcrs(e, h, &sel, qd, d, &q, trc);
        } else {
            env->log(env, SECPROV_LOG_ERROR, "tpm: %s", why);
        }
    }
    TSS2_RC frc;
    ESYS_RUN(frc, e->esys, d, Esys_FlushContext_Async(e->esys, h),
             Esys_FlushContext_Finish(e->esys));
    if (rc == SECPROV_OK && frc != TSS2_RC_SUCCESS) {
        *what = "flushing the attestation key";
        *trc = frc;
        rc = SECPROV_ERR_TPM;
    }
    if (rc == SECPROV_ERR_CONFIG)
        env->log(env, SECPROV_LOG_ERROR, "tpm: attest.pcrs '%s': the TPM has not every PCR "
                 "selected (is the bank allocated?)", pcrs);
    else if (rc == SECPROV_ERR_BUSY)
        env->log(env, SECPROV_LOG_ERROR, "tpm: the PCRs changed during each of %d quotes",
                 QUOTE_TRIES);
    if (rc == SECPROV_OK && add_quote(o, &sel, &q) != 0)
        rc = SECPROV_ERR_INTERNAL;
    if (rc == SECPROV_OK && mldsa != NULL) {
        *what = "the ML-DSA signature (TPM2_Load, TPM2_Unseal of its seed)";
        rc = add_mldsa(e, env, d, o, mldsa, mldsa_len, trc);
    }
    free(mldsa);
    if (rc != SECPROV_OK) {
        json_object_put(o);
        return rc;
    }
    if (q.tries > 1)
        env->log(env, SECPROV_LOG_INFO, "tpm: the PCRs changed during a quote; %d quotes made",
                 q.tries);
    *json = finish(o);
    return *json != NULL ? SECPROV_OK : SECPROV_ERR_NOMEM;
}

int tpm_attest_run(tpm_esys *e, const secprov_provider_env *env,
                   const tpm_deadline *d, int op, const void *nonce, size_t nonce_len,
                   char **json, TSS2_RC *trc, const char **what)
{
    *json = NULL;
    *trc = TSS2_RC_SUCCESS;
    *what = "attest";
    if (op == SECPROV_ATTEST_OP_ENROLL)
        return enroll(e, env, d, json, trc, what);
    if (op == SECPROV_ATTEST_OP_QUOTE && nonce != NULL && nonce_len >= 1 && nonce_len <= 64)
        return quote(e, env, d, nonce, nonce_len, json, trc, what);
    return SECPROV_ERR_INVALID_ARG;
}
