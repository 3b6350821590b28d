/* PCR values against the quote and the expected ones: see verify_pcrs.h. */
#include "verify_pcrs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprov_verify.h"

typedef struct pcr_value {
    TPMI_ALG_HASH bank;
    int pcr;
    uint8_t value[64];
    size_t len;
} pcr_value;

/* The report's "pcrs" list, which must name the quote's selection in its
 * order (each bank of the selection, its PCRs ascending). */
static int read_values(json_object *root, const TPMS_QUOTE_INFO *q, pcr_value *v, size_t *n,
                       vj_err *e)
{
    json_object *arr = NULL;
    size_t k = 0, count;

    if (!json_object_object_get_ex(root, "pcrs", &arr) || !json_object_is_type(arr, json_type_array)) {
        vj_fail(e, "report: 'pcrs' must be an array");
        return SECPROV_VERIFY_MALFORMED_REPORT;
    }
    count = json_object_array_length(arr);
    for (uint32_t i = 0; i < q->pcrSelect.count && i < TPM2_NUM_PCR_BANKS; i++) {
        const TPMS_PCR_SELECTION *s = &q->pcrSelect.pcrSelections[i];
        for (int pcr = 0; pcr < 8 * s->sizeofSelect && pcr < 8 * TPM2_PCR_SELECT_MAX; pcr++) {
            if (!(s->pcrSelect[pcr / 8] & (1u << (pcr % 8))))
                continue;
            json_object *p = k < count ? json_object_array_get_idx(arr, k) : NULL;
            const char *bank;
            int64_t num;
            uint8_t *bytes;
            size_t len;
            if (k >= ATTEST_PCRS_MAX * 2 || p == NULL) {
                vj_fail(e, "report.pcrs: lists fewer PCRs than the quote selects");
                return SECPROV_VERIFY_PCR_DIGEST;
            }
            if (!json_object_is_type(p, json_type_object)) {
                vj_fail(e, "report.pcrs[%zu]: not an object {\"bank\", \"pcr\", \"value\"}", k);
                return SECPROV_VERIFY_MALFORMED_REPORT;
            }
            if (vj_str(p, "bank", "report.pcrs[]", &bank, e) != 0 ||
                vj_int64(p, "pcr", "report.pcrs[]", &num, e) != 0 ||
                vj_hex(p, "value", "report.pcrs[]", &bytes, &len, e) != 0)
                return SECPROV_VERIFY_MALFORMED_REPORT;
            int same = attest_bank_alg(bank) == s->hash && num == pcr &&
                       len == attest_bank_size(s->hash);
            if (same) {
                v[k].bank = s->hash;
                v[k].pcr = pcr;
                v[k].len = len;
                memcpy(v[k].value, bytes, len);
            }
            free(bytes);
            if (!same) {
                vj_fail(e, "report.pcrs[%zu]: not the quote's PCR %s:%d", k,
                        attest_bank_name(s->hash) ? attest_bank_name(s->hash) : "?", pcr);
                return SECPROV_VERIFY_PCR_DIGEST;
            }
            k++;
        }
    }
    if (k != count) {
        vj_fail(e, "report.pcrs: lists PCRs the quote does not select");
        return SECPROV_VERIFY_PCR_DIGEST;
    }
    *n = k;
    return SECPROV_VERIFY_OK;
}

static int check_digest(const pcr_value *v, size_t n, const TPMS_QUOTE_INFO *q, vj_err *e)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;

    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(md, v[i].value, v[i].len) == 1;
    ok = ok && EVP_DigestFinal_ex(md, d, &dl) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) {
        vj_fail(e, "report.pcrs: out of memory hashing the values");
        return SECPROV_VERIFY_NOMEM;
    }
    if (q->pcrDigest.size != dl || memcmp(q->pcrDigest.buffer, d, dl) != 0) {
        vj_fail(e, "report.pcrs: the values do not hash to the quote's PCR digest (altered?)");
        return SECPROV_VERIFY_PCR_DIGEST;
    }
    return SECPROV_VERIFY_OK;
}

/* zero_pcrs: exactly the listed PCRs whose value is all zeros, in order. */
static int check_zeros(json_object *root, const pcr_value *v, size_t n, vj_err *e)
{
    static const uint8_t zero[64];
    json_object *arr = NULL;
    size_t k = 0;

    if (!json_object_object_get_ex(root, "zero_pcrs", &arr) || !json_object_is_type(arr, json_type_array)) {
        vj_fail(e, "report: 'zero_pcrs' must be an array");
        return SECPROV_VERIFY_MALFORMED_REPORT;
    }
    for (size_t i = 0; i < n; i++) {
        if (memcmp(v[i].value, zero, v[i].len) != 0)
            continue;
        char id[32];
        json_object *s = k < json_object_array_length(arr) ? json_object_array_get_idx(arr, k) : NULL;
        snprintf(id, sizeof id, "%s:%d", attest_bank_name(v[i].bank), v[i].pcr);
        if (s == NULL || !json_object_is_type(s, json_type_string) ||
            strcmp(json_object_get_string(s), id) != 0) {
            vj_fail(e, "report.zero_pcrs: does not flag %s, which is all zeros", id);
            return SECPROV_VERIFY_FIELD_MISMATCH;
        }
        k++;
    }
    if (k != json_object_array_length(arr)) {
        vj_fail(e, "report.zero_pcrs: flags a PCR that is not all zeros");
        return SECPROV_VERIFY_FIELD_MISMATCH;
    }
    return SECPROV_VERIFY_OK;
}

/* Append "bank:N" to the list of drifted (or unquoted) PCRs. */
static void add_name(char *list, size_t cap, const char *bank, long pcr)
{
    size_t used = strlen(list);

    if (used + 1 < cap)
        snprintf(list + used, cap - used, "%s%s:%ld", used ? ", " : "", bank, pcr);
}

static int check_expected(const pcr_value *v, size_t n, const char *text, vj_err *e)
{
    json_object *o = vj_parse(text, "expected PCRs", e);
    char drifted[400] = "", unquoted[400] = "";
    int rc = SECPROV_VERIFY_OK;

    if (o == NULL)
        return SECPROV_VERIFY_MALFORMED_PCRS;
    json_object_object_foreach(o, bank, pcrs) {
        TPMI_ALG_HASH alg = attest_bank_alg(bank);
        if (alg == 0 || !json_object_is_type(pcrs, json_type_object)) {
            vj_fail(e, "expected PCRs: '%.20s' is not a bank (sha1, sha256, sha384, sha512) "
                    "holding {\"N\": \"hex\"}", bank);
            rc = SECPROV_VERIFY_MALFORMED_PCRS;
            break;
        }
        json_object_object_foreach(pcrs, num, val) {
            char *end;
            long pcr = strtol(num, &end, 10);
            uint8_t *want = NULL;
            size_t len = 0, i;
            if (end == num || *end != '\0' || pcr < 0 || pcr > 23 ||
                !json_object_is_type(val, json_type_string) ||
                attest_unhex(json_object_get_string(val), &want, &len) != 0) {
                vj_fail(e, "expected PCRs: %s.'%.8s' is not PCR number -> hex value", bank, num);
                rc = SECPROV_VERIFY_MALFORMED_PCRS;
                break;
            }
            for (i = 0; i < n && !(v[i].bank == alg && v[i].pcr == pcr); i++)
                ;
            if (i == n)
                add_name(unquoted, sizeof unquoted, bank, pcr);
            else if (len != v[i].len || memcmp(want, v[i].value, len) != 0)
                add_name(drifted, sizeof drifted, bank, pcr);
            free(want);
        }
        if (rc != SECPROV_VERIFY_OK)
            break;
    }
    json_object_put(o);
    if (rc == SECPROV_VERIFY_OK && (drifted[0] != '\0' || unquoted[0] != '\0')) {
        vj_fail(e, "PCRs that differ from their expected values: %s; expected but not quoted: %s",
                drifted[0] ? drifted : "none", unquoted[0] ? unquoted : "none");
        rc = SECPROV_VERIFY_PCR_VALUES;
    }
    return rc;
}

int vp_check_pcrs(json_object *root, const TPMS_QUOTE_INFO *q, const char *expected, vj_err *e)
{
    pcr_value v[ATTEST_PCRS_MAX * 2];
    size_t n = 0;
    int rc = read_values(root, q, v, &n, e);

    if (rc == SECPROV_VERIFY_OK)
        rc = check_digest(v, n, q, e);
    if (rc == SECPROV_VERIFY_OK)
        rc = check_zeros(root, v, n, e);
    if (rc == SECPROV_VERIFY_OK && expected != NULL)
        rc = check_expected(v, n, expected, e);
    return rc;
}
