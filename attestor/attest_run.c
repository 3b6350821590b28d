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

#include "attestor.h"

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
    json_object *svc = json_object_new_object(), *pcrs = json_object_new_object();
    char why[AT_WHY], *t;
    int sb;

    if (baseline == NULL)
        baseline = json_object_new_object();
    sb = secure_boot(c, why, sizeof why);
    json_object_object_add(boot, "secure_boot", sb < 0 ? NULL : json_object_new_boolean(sb));
    if (c->require_secure_boot && sb != 1)
        fail(&r, 1, "secure_boot", sb < 0 ? why : "Secure Boot is off");
    /* No TPM is read by this daemon yet (docs/attestor.md#not-yet): the
     * configured PCRs cannot be checked. */
    for (size_t i = 0; i < c->pcr_count; i++) {
        char what[48];
        snprintf(what, sizeof what, "pcr %s:%d", c->pcrs[i].bank, c->pcrs[i].index);
        fail(&r, 0, what, "no TPM to read it");
    }
    json_object_object_add(boot, "pcrs", pcrs);
    json_object_object_add(b, "boot_measurements", boot);
    if (c->require_tpm)
        fail(&r, 1, "tpm", "require_tpm is set and no usable TPM");
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
    json_object_object_add(b, "tpm_available", json_object_new_boolean(0));
    json_object_object_add(b, "tpm_quote_verified", json_object_new_boolean(0));
    if (!d->audit_ok && d->audit.fd < 0)
        fail(&r, 0, "audit_log", d->audit_why);
    json_object_object_add(b, "state",
                           json_object_new_string(at_state_name(
                               r.critical ? AT_FAILED
                                          : json_object_array_length(failures) ? AT_DEGRADED
                                                                               : AT_ATTESTED)));
    d->secure_boot = sb;
    return b;
}

static char *verify_answer(int ok, int state)
{
    char buf[96];
    snprintf(buf, sizeof buf, "{\"verified\":%s,\"state\":\"%s\"}", ok ? "true" : "false",
             at_state_name(state));
    return strdup(buf);
}

void at_attest(at_daemon *d, const char *reason, const char *requester)
{
    uint64_t gen;
    char why[AT_WHY];

    pthread_mutex_lock(&d->lock);
    gen = d->generation;
    pthread_mutex_unlock(&d->lock);
    pthread_mutex_lock(&d->attest_lock);
    pthread_mutex_lock(&d->lock);
    if (d->generation != gen) {          /* one ran while this waited: coalesced */
        pthread_mutex_unlock(&d->lock);
        pthread_mutex_unlock(&d->attest_lock);
        return;
    }
    pthread_mutex_unlock(&d->lock);

    json_object *failures = json_object_new_array();
    json_object *b = at_bundle_build(d, failures);
    json_object *st;
    json_object_object_get_ex(b, "state", &st);
    int state = !strcmp(json_object_get_string(st), "failed")     ? AT_FAILED
                : !strcmp(json_object_get_string(st), "degraded") ? AT_DEGRADED
                                                                  : AT_ATTESTED;
    size_t nfail = json_object_array_length(failures);

    /* the audit line first: a write error degrades this very attestation */
    json_object *f = json_object_new_object();
    json_object_object_add(f, "reason", json_object_new_string(reason));
    json_object_object_add(f, "state", json_object_new_string(at_state_name(state)));
    json_object_object_add(f, "failure_count", json_object_new_int64((int64_t)nfail));
    if (requester != NULL)
        json_object_object_add(f, "requester", json_object_new_string(requester));
    if (at_audit_append(&d->audit, "attestation", f, why, sizeof why) != 0) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "what", json_object_new_string("audit_log"));
        json_object_object_add(e, "why", json_object_new_string(why));
        json_object_object_add(e, "critical", json_object_new_boolean(0));
        json_object_array_add(failures, e);
        nfail++;
        d->audit_ok = 0;
        if (state == AT_ATTESTED) {
            state = AT_DEGRADED;
            json_object_object_add(b, "state", json_object_new_string("degraded"));
        }
        fprintf(stderr, "secprov-attestor: %s\n", why);
    } else {
        d->audit_ok = 1;
    }
    json_object_object_add(b, "failures", failures);
    json_object_object_add(b, "timestamp", json_object_new_int64((int64_t)time(NULL)));
    json_object_object_add(b, "audit_head", json_object_new_string(d->audit.head));
    json_object_object_add(b, "audit_seq", json_object_new_int64((int64_t)d->audit.seq));
    json_object_object_add(b, "format", json_object_new_string("secprov-bundle-v1"));
    if (d->cfg.hmac_key_file[0] != '\0') {
        unsigned char *key;
        size_t klen;
        char mac[65];
        if (at_file_read(d->cfg.hmac_key_file, 4096, &key, &klen, why, sizeof why) == 0 &&
            klen > 0 && at_bundle_hmac(b, key, klen, mac, why, sizeof why) == 0)
            json_object_object_add(b, "bundle_hmac", json_object_new_string(mac));
        else
            json_object_object_add(b, "bundle_hmac", NULL);
        if (key != NULL) {
            explicit_bzero(key, klen);
            free(key);
        }
    }
    char *text = strdup(json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
    char *vok = verify_answer(state == AT_ATTESTED, state);

    pthread_mutex_lock(&d->lock);
    int old = d->state;
    d->state = state;
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
    json_object *v;
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
}
