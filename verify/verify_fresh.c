/* Freshness of a report: see verify_fresh.h. */
#include "verify_fresh.h"

#include <stdlib.h>
#include <string.h>

int vf_read_times(json_object *report, int64_t *issued, int64_t *expires, vj_err *e)
{
    if (vj_int64(report, "issued_at", "report", issued, e) != 0 ||
        vj_int64(report, "expires_at", "report", expires, e) != 0)
        return -1;
    if (*expires <= *issued)
        return vj_fail(e, "report: expires_at (%lld) is not after issued_at (%lld)",
                       (long long)*expires, (long long)*issued);
    return 0;
}

/* The signed clock info and AK name of the previous report. */
static int read_since(const char *text, TPMS_CLOCK_INFO *ci, const uint8_t *ak_name,
                      size_t ak_name_len, vj_err *e)
{
    static const char *const where = "--since report";
    json_object *o = vj_parse(text, where, e), *q;
    uint8_t *name = NULL, *raw = NULL;
    size_t name_len = 0, raw_len = 0;
    TPMS_ATTEST att;
    int rc = -1;

    if (o != NULL && vj_hex(o, "ak_name", where, &name, &name_len, e) == 0 &&
        vj_obj(o, "quote", where, &q, e) == 0 &&
        vj_attest(q, "attest", "--since report.quote", &raw, &raw_len, &att, e) == 0) {
        if (name_len != ak_name_len || memcmp(name, ak_name, name_len) != 0)
            vj_fail(e, "--since report: signed by another AK; the TPM obfuscates its reset "
                    "and restart counts per key, so they compare only between reports of "
                    "the same AK");
        else if (att.magic != TPM2_GENERATED_VALUE || att.type != TPM2_ST_ATTEST_QUOTE)
            vj_fail(e, "--since report: quote.attest is not a TPM-generated quote");
        else {
            *ci = att.clockInfo;
            rc = 0;
        }
    }
    free(name);
    free(raw);
    json_object_put(o);
    return rc;
}

int vf_check(int64_t issued, int64_t expires, const TPMS_CLOCK_INFO *ci, const uint8_t *ak_name,
             size_t ak_name_len, long long now, long long skew, const char *since, vj_err *e)
{
    TPMS_CLOCK_INFO prev;

    if (now > expires && now - expires > skew) {
        vj_fail(e, "report: expired at %lld, now is %lld (tolerance %lld s)", (long long)expires,
                now, skew);
        return SECPROV_VERIFY_EXPIRED;
    }
    if (issued > now && issued - now > skew) {
        vj_fail(e, "report: issued at %lld, %lld s ahead of now %lld (tolerance %lld s)",
                (long long)issued, (long long)issued - now, now, skew);
        return SECPROV_VERIFY_NOT_YET_VALID;
    }
    if (since == NULL)
        return SECPROV_VERIFY_OK;
    if (read_since(since, &prev, ak_name, ak_name_len, e) != 0)
        return SECPROV_VERIFY_BAD_ARGUMENT;
    if (prev.resetCount != ci->resetCount || prev.restartCount != ci->restartCount ||
        ci->clock < prev.clock) {
        vj_fail(e, "report.clock: the TPM reset or restarted since the --since report "
                "(reset/restart counts %u/%u, then %u/%u)", prev.resetCount, prev.restartCount,
                ci->resetCount, ci->restartCount);
        return SECPROV_VERIFY_REBOOTED;
    }
    return SECPROV_VERIFY_OK;
}
