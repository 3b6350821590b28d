/* One attestation and the state machine (docs/attestor.md#state-machine):
 * pending at start; attested when every check passes; degraded on a
 * non-critical failure; failed on a critical one (require_tpm without a
 * usable TPM, require_secure_boot with Secure Boot not on). Each attestation
 * decides the state afresh, so failed is left by the first attestation in
 * which no critical check fails. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <strings.h>

#include "attestor.h"
#include "bundle.h"

#define SECURE_BOOT_VAR "SecureBoot-8be4df61-93ca-11d2-aa0d-e98c0333e0fe"

const char *at_state_name(int state)
{
    static const char *const names[] = {"pending", "attested", "degraded", "failed"};
    return state >= 0 && state <= AT_FAILED ? names[state] : "unknown";
}

typedef struct run {
    json_object *failures;
    int critical;
} run;

static void fail(run *r, int critical, const char *what, const char *why)
{
    json_object *f = json_object_new_object();

    json_object_object_add(f, "what", json_object_new_string(what));
    json_object_object_add(f, "why", json_object_new_string(why));
    json_object_object_add(f, "critical", json_object_new_boolean(critical));
    json_object_array_add(r->failures, f);
    if (critical)
        r->critical = 1;
}

/* 1 on, 0 off, -1 unknown (no variable: not an EFI boot, or not mounted). */
static int secure_boot(const at_config *c, char *why, size_t why_len)
{
    char path[4096];
    unsigned char *b;
    size_t n;
    int on;

    snprintf(path, sizeof path, "%s/%s", c->efivars_dir, SECURE_BOOT_VAR);
    if (at_file_read(path, 64, &b, &n, why, why_len) != 0)
        return -1;
    if (n != 5) {
        snprintf(why, why_len, "the SecureBoot variable has %zu bytes, not 4 of attributes and "
                 "1 of value", n);
        free(b);
        return -1;
    }
    on = b[4] == 1;
    free(b);
    return on;
}

/* A text file's content, trailing white space dropped; NULL and why. */
static char *text_of(const char *path, char *why, size_t why_len)
{
    unsigned char *b;
    size_t n;

    if (at_file_read(path, 65536, &b, &n, why, why_len) != 0)
        return NULL;
    while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' '))
        b[--n] = '\0';
    if (memchr(b, '\0', n) != NULL)
        for (size_t i = 0; i < n; i++)
            if (b[i] == '\0')
                b[i] = ' ';
    return (char *)b;
}

/* "none [integrity] confidentiality" -> "integrity". */
static void lockdown_mode(char *text)
{
    char *l = strchr(text, '['), *r = l != NULL ? strchr(l, ']') : NULL;

    if (l != NULL && r != NULL) {
        memmove(text, l + 1, (size_t)(r - l - 1));
        text[r - l - 1] = '\0';
    }
}

/* one file: its SHA-256; a list: at_files_sha256 */
static json_object *digest_or_fail(run *r, char *const *paths, size_t n, int list,
                                   const char *what)
{
    unsigned char d[32];
    char hex[65], why[AT_WHY];

    if (n == 0)
        return json_object_new_string("");
    if ((list ? at_files_sha256(paths, n, d, why, sizeof why)
              : at_file_sha256(paths[0], d, why, sizeof why)) != 0) {
        fail(r, 0, what, why);
        return json_object_new_string("");
    }
    at_hex(d, 32, hex);
    return json_object_new_string(hex);
}

/* The baseline: the first attestation's digests; a later one that differs
 * is "changed since start". */
static json_object *baseline;

static void compare(run *r, json_object *now, const char *key, const char *what)
{
    json_object *then;

    if (!json_object_object_get_ex(baseline, key, &then)) {
        json_object_object_add(baseline, key, json_object_get(now));
        return;
    }
    if (!json_object_equal(then, now) && json_object_get_string_len(now) > 0)
        fail(r, 0, what, "changed since the attestor started");
}

json_object *at_bundle_build(at_daemon *d, json_object *failures)
{
    const at_config *c = &d->cfg;
    run r = {failures, 0};
    json_object *b = json_object_new_object(), *boot = json_object_new_object();
    json_object *svc = json_object_new_object();
    char why[AT_WHY], *t;
    int sb;

    if (baseline == NULL)
        baseline = json_object_new_object();
    sb = secure_boot(c, why, sizeof why);
    json_object_object_add(boot, "secure_boot", sb < 0 ? NULL : json_object_new_boolean(sb));
    if (c->require_secure_boot && sb != 1)
        fail(&r, 1, "secure_boot", sb < 0 ? why : "Secure Boot is off");
    json_object_object_add(b, "boot_measurements", boot);
    json_object *dep = digest_or_fail(&r, c->deployment_files, c->deployment_count, 1,
                                      "deployment_files");
    compare(&r, dep, "deployment", "deployment_files");
    json_object_object_add(b, "deployment_digest", dep);
    for (size_t i = 0; i < c->service_count; i++) {
        char key[300];
        json_object *s = digest_or_fail(&r, &c->service_paths[i], 1, 0, c->service_names[i]);
        snprintf(key, sizeof key, "service:%s", c->service_names[i]);
        compare(&r, s, key, c->service_names[i]);
        json_object_object_add(svc, c->service_names[i], s);
    }
    json_object_object_add(b, "service_digests", svc);
    json_object *pol = digest_or_fail(&r, c->policy_files, c->policy_count, 1, "policy_files");
    compare(&r, pol, "policy", "policy_files");
    json_object_object_add(b, "policy_digest", pol);
    json_object_object_add(b, "registry_manifest_hash",
                           c->registry_manifest[0] == '\0'
                               ? json_object_new_string("")
                               : digest_or_fail(&r, &c->registry_manifest, 1, 0,
                                                "registry_manifest"));
    t = text_of(c->cmdline_file, why, sizeof why);
    json_object_object_add(b, "kernel_cmdline", t != NULL ? json_object_new_string(t) : NULL);
    free(t);
    t = text_of(c->lockdown_file, why, sizeof why);
    if (t != NULL)
        lockdown_mode(t);
    json_object_object_add(b, "kernel_lockdown", t != NULL ? json_object_new_string(t) : NULL);
    free(t);
    if (!d->audit_ok && d->audit.fd < 0)
        fail(&r, 0, "audit_log", d->audit_why);
    return b;
}

static char *verify_answer(int ok, int state)
{
    char buf[96];
    snprintf(buf, sizeof buf, "{\"verified\":%s,\"state\":\"%s\"}", ok ? "true" : "false",
             at_state_name(state));
    return strdup(buf);
}

static int critical_in(json_object *failures)
{
    for (size_t i = 0; i < json_object_array_length(failures); i++) {
        json_object *c;
        if (json_object_object_get_ex(json_object_array_get_idx(failures, i), "critical", &c) &&
            json_object_get_boolean(c))
            return 1;
    }
    return 0;
}

/* The configured PCRs against the ones quoted (pcrs: {bank: {index: hex}},
 * or NULL without a TPM). */
static void expected_pcrs(at_daemon *d, run *r, json_object *pcrs)
{
    for (size_t i = 0; i < d->cfg.pcr_count; i++) {
        const at_pcr *p = &d->cfg.pcrs[i];
        json_object *bank, *v;
        char what[48], idx[8], why[AT_WHY];

        snprintf(what, sizeof what, "pcr %s:%d", p->bank, p->index);
        snprintf(idx, sizeof idx, "%d", p->index);
        if (pcrs == NULL) {
            fail(r, 0, what, "no TPM to read it");
        } else if (!json_object_object_get_ex(pcrs, p->bank, &bank) ||
                   !json_object_object_get_ex(bank, idx, &v)) {
            fail(r, 0, what, "not in the quote: add it to attest.pcrs");
        } else if (strcasecmp(json_object_get_string(v), p->hex) != 0) {
            snprintf(why, sizeof why, "is %.100s, expected %.100s", json_object_get_string(v),
                     p->hex);
            fail(r, 0, what, why);
        }
    }
}

/* The TPM's part of one attestation (docs/attestor.md#the-tpm): opened,
 * a first quote (its PCR values, and the quote checked against the AK's
 * enrollment record), closed by at_attest after the bundle's own quote.
 * Sets the bundle's tpm_available, tpm_quote_verified and
 * boot_measurements.pcrs; failures: require_tpm without a TPM, or a quote
 * failing with require_tpm, is critical; else a failed quote degrades. */
static json_object *tpm_part(at_daemon *d, at_tpm *t, run *r, json_object *b)
{
    json_object *boot, *q1 = NULL, *pcrs = NULL;
    unsigned char n1[32];
    char why[AT_WHY];
    int verified = 0, avail = at_tpm_open(d, t) == 0;

    if (!avail) {
        if (d->cfg.require_tpm) {
            fail(r, 1, "tpm", t->why);
        } else if (d->tpm_seen) {
            snprintf(why, sizeof why, "the TPM of an earlier attestation is gone: %.200s", t->why);
            fail(r, 0, "tpm", why);
        }
    } else if (RAND_bytes(n1, sizeof n1) != 1) {
        fail(r, d->cfg.require_tpm, "tpm_quote", "no random nonce (RAND_bytes)");
    } else if (at_tpm_quote(d, t, n1, sizeof n1, &q1, &verified, why, sizeof why) != 0) {
        fail(r, d->cfg.require_tpm, "tpm_quote", why);
    } else if (!verified) {
        fail(r, 0, "tpm_quote", why);
    }
    if (q1 != NULL && (pcrs = sp_bundle_pcrs_of_report(q1, why, sizeof why)) == NULL)
        fail(r, 0, "tpm_quote", why);
    json_object_put(q1);
    expected_pcrs(d, r, pcrs);
    json_object_object_get_ex(b, "boot_measurements", &boot);
    json_object_object_add(boot, "pcrs", pcrs != NULL ? json_object_get(pcrs)
                                                      : json_object_new_object());
    json_object_object_add(b, "tpm_available", json_object_new_boolean(avail));
    json_object_object_add(b, "tpm_quote_verified", json_object_new_boolean(verified));
    d->tpm_seen |= avail;            /* read and written under attest_lock only */
    return pcrs;
}

/* The bundle's own quote: its nonce the bundle digest (formats/bundle.h),
 * its PCRs the ones the bundle states; else "attestation" is null (and a
 * remote verifier refuses the bundle: malformed_bundle). */
static void sign_bundle(at_daemon *d, at_tpm *t, json_object *b, json_object *pcrs)
{
    unsigned char dig[BUNDLE_DIGEST_LEN];
    json_object *q2 = NULL, *p2 = NULL;
    char why[AT_WHY] = "";
    int verified = 0;

    if (t->sp == NULL || pcrs == NULL) {
        json_object_object_add(b, "attestation", NULL);
        return;
    }
    if (sp_bundle_digest(b, dig, why, sizeof why) == 0 &&
        at_tpm_quote(d, t, dig, sizeof dig, &q2, &verified, why, sizeof why) == 0 && verified &&
        (p2 = sp_bundle_pcrs_of_report(q2, why, sizeof why)) != NULL &&
        json_object_equal(p2, pcrs)) {
        json_object_object_add(b, "attestation", q2);
        json_object_put(p2);
        return;
    }
    if (why[0] == '\0')
        snprintf(why, sizeof why, "the PCR values changed between the two quotes");
    fprintf(stderr, "secprov-attestor: the bundle is not TPM-signed this time: %s\n", why);
    json_object_put(q2);
    json_object_put(p2);
    json_object_object_add(b, "attestation", NULL);
}

static void add_hmac(at_daemon *d, json_object *b)
{
    unsigned char *key = NULL;
    size_t klen = 0;
    char mac[65], why[AT_WHY];

    if (d->cfg.hmac_key_file[0] == '\0')
        return;
    if (at_file_read(d->cfg.hmac_key_file, 4096, &key, &klen, why, sizeof why) == 0 &&
        klen > 0 && sp_bundle_hmac(b, key, klen, mac, why, sizeof why) == 0)
        json_object_object_add(b, "bundle_hmac", json_object_new_string(mac));
    else
        json_object_object_add(b, "bundle_hmac", NULL);
    if (key != NULL) {
        explicit_bzero(key, klen);
        free(key);
    }
}

char *at_attest(at_daemon *d, const char *reason, const char *requester, const char *nonce_hex)
{
    uint64_t gen;
    char why[AT_WHY], *answer = NULL;
    at_tpm t = {0};

    pthread_mutex_lock(&d->lock);
    gen = d->generation;
    pthread_mutex_unlock(&d->lock);
    pthread_mutex_lock(&d->attest_lock);
    pthread_mutex_lock(&d->lock);
    if (nonce_hex == NULL && d->generation != gen) {  /* one ran while this waited: coalesced */
        pthread_mutex_unlock(&d->lock);
        pthread_mutex_unlock(&d->attest_lock);
        return NULL;
    }
    pthread_mutex_unlock(&d->lock);

    json_object *failures = json_object_new_array();
    json_object *b = at_bundle_build(d, failures);
    run r = {failures, 0};
    json_object *pcrs = tpm_part(d, &t, &r, b);
    int state = critical_in(failures)                  ? AT_FAILED
                : json_object_array_length(failures) ? AT_DEGRADED
                                                      : AT_ATTESTED;
    size_t nfail = json_object_array_length(failures);

    /* the audit line first: a write error degrades this very attestation */
    json_object *f = json_object_new_object();
    json_object_object_add(f, "reason", json_object_new_string(reason));
    json_object_object_add(f, "state", json_object_new_string(at_state_name(state)));
    json_object_object_add(f, "failure_count", json_object_new_int64((int64_t)nfail));
    if (requester != NULL)
        json_object_object_add(f, "requester", json_object_new_string(requester));
    if (nonce_hex != NULL)
        json_object_object_add(f, "nonce", json_object_new_string(nonce_hex));
    if (at_audit_append(&d->audit, "attestation", f, why, sizeof why) != 0) {
        fail(&r, 0, "audit_log", why);
        nfail++;
        d->audit_ok = 0;
        if (state == AT_ATTESTED)
            state = AT_DEGRADED;
        fprintf(stderr, "secprov-attestor: %s\n", why);
    } else {
        d->audit_ok = 1;
    }
    json_object_object_add(b, "state", json_object_new_string(at_state_name(state)));
    json_object_object_add(b, "failures", failures);
    json_object_object_add(b, "timestamp", json_object_new_int64((int64_t)time(NULL)));
    json_object_object_add(b, "nonce", nonce_hex != NULL ? json_object_new_string(nonce_hex) : NULL);
    json_object_object_add(b, "audit_head", json_object_new_string(d->audit.head));
    json_object_object_add(b, "audit_seq", json_object_new_int64((int64_t)d->audit.seq));
    json_object_object_add(b, "format", json_object_new_string(BUNDLE_FORMAT));
    sign_bundle(d, &t, b, pcrs);
    at_tpm_close(&t);
    json_object_put(pcrs);
    add_hmac(d, b);
    char *text = strdup(json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
    char *vok = verify_answer(state == AT_ATTESTED, state);
    if (nonce_hex != NULL && text != NULL &&
        asprintf(&answer, "{\"state\":\"%s\",\"bundle\":%s}", at_state_name(state), text) < 0)
        answer = NULL;

    json_object *v, *boot;
    int tpm_available = json_object_object_get_ex(b, "tpm_available", &v) &&
                        json_object_get_boolean(v);
    int tpm_quote_verified = json_object_object_get_ex(b, "tpm_quote_verified", &v) &&
                             json_object_get_boolean(v);
    int sb = json_object_object_get_ex(b, "boot_measurements", &boot) &&
                     json_object_object_get_ex(boot, "secure_boot", &v) && v != NULL
                 ? json_object_get_boolean(v)
                 : -1;

    pthread_mutex_lock(&d->lock);
    int old = d->state;
    d->state = state;
    d->tpm_available = tpm_available;
    d->tpm_quote_verified = tpm_quote_verified;
    d->secure_boot = sb;
    json_object_put(d->bundle);
    d->bundle = b;
    free(d->bundle_text);
    d->bundle_text = text;
    free(d->verify_ok);
    d->verify_ok = vok;
    d->attest_count++;
    d->degrade_count += state == AT_DEGRADED;
    d->fail_count += state == AT_FAILED;
    if (state == AT_ATTESTED)
        d->last_attested = time(NULL);
    d->failure_count = nfail;
    snprintf(d->policy_digest, sizeof d->policy_digest, "%s",
             json_object_object_get_ex(b, "policy_digest", &v) ? json_object_get_string(v) : "");
    snprintf(d->deployment_digest, sizeof d->deployment_digest, "%s",
             json_object_object_get_ex(b, "deployment_digest", &v) ? json_object_get_string(v)
                                                                   : "");
    d->generation++;
    pthread_mutex_unlock(&d->lock);

    if (old != state) {
        json_object *sc = json_object_new_object();
        json_object_object_add(sc, "from", json_object_new_string(at_state_name(old)));
        json_object_object_add(sc, "to", json_object_new_string(at_state_name(state)));
        if (at_audit_append(&d->audit, "state_change", sc, why, sizeof why) != 0)
            fprintf(stderr, "secprov-attestor: %s\n", why);
        fprintf(stderr, "secprov-attestor: state %s -> %s\n", at_state_name(old),
                at_state_name(state));
        at_notify_state(state);
    }
    pthread_mutex_unlock(&d->attest_lock);
    return answer;
}
