/* Typed access to the report and enrollment: see verify_json.h. */
#include "verify_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_mu.h>

int vj_fail(vj_err *e, const char *fmt, ...)
{
    va_list ap;

    if (e->text == NULL || e->len == 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(e->text, e->len, fmt, ap);
    va_end(ap);
    return -1;
}

json_object *vj_parse(const char *text, const char *what, vj_err *e)
{
    json_tokener *tok = json_tokener_new();
    size_t len = strlen(text);
    json_object *o;

    if (tok == NULL) {
        vj_fail(e, "out of memory");
        return NULL;
    }
    if (len > 1024 * 1024) {
        json_tokener_free(tok);
        vj_fail(e, "%s: larger than 1 MiB", what);
        return NULL;
    }
    o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (o == NULL || err != json_tokener_success) {
        vj_fail(e, "%s: not JSON (%s)", what, json_tokener_error_desc(err));
        json_object_put(o);
        return NULL;
    }
    while (used < len && (text[used] == ' ' || text[used] == '\n' || text[used] == '\t' ||
                          text[used] == '\r'))
        used++;
    if (used != len || !json_object_is_type(o, json_type_object)) {
        vj_fail(e, "%s: not one JSON object", what);
        json_object_put(o);
        return NULL;
    }
    return o;
}

static json_object *field(json_object *o, const char *key, json_type type, const char *where,
                          vj_err *e)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
        vj_fail(e, "%s: no field '%s'", where, key);
        return NULL;
    }
    if (!json_object_is_type(v, type)) {
        vj_fail(e, "%s: '%s' must be %s", where, key, json_type_to_name(type));
        return NULL;
    }
    return v;
}

int vj_str(json_object *o, const char *key, const char *where, const char **out, vj_err *e)
{
    json_object *v = field(o, key, json_type_string, where, e);
    if (v == NULL)
        return -1;
    *out = json_object_get_string(v);
    if (strlen(*out) != (size_t)json_object_get_string_len(v))
        return vj_fail(e, "%s: '%s' holds a NUL", where, key);
    return 0;
}

int vj_int64(json_object *o, const char *key, const char *where, int64_t *out, vj_err *e)
{
    json_object *v = field(o, key, json_type_int, where, e);
    if (v == NULL)
        return -1;
    *out = json_object_get_int64(v);
    return 0;
}

int vj_obj(json_object *o, const char *key, const char *where, json_object **out, vj_err *e)
{
    *out = field(o, key, json_type_object, where, e);
    return *out != NULL ? 0 : -1;
}

int vj_header_from(json_object *o, const char *format, int min, const char *where, int *version,
                   vj_err *e)
{
    const char *f;
    int64_t v;

    if (vj_str(o, "format", where, &f, e) != 0 || vj_int64(o, "version", where, &v, e) != 0)
        return -1;
    if (strcmp(f, format) != 0)
        return vj_fail(e, "%s: format is '%.40s', not '%s'", where, f, format);
    if (v < min || v > ATTEST_VERSION)
        return vj_fail(e, "%s: version %lld is not supported (%d to %d)%s", where, (long long)v,
                       min, ATTEST_VERSION,
                       v >= 1 && v < min ? ": made by an older secprov; update the device" : "");
    if (version != NULL)
        *version = (int)v;
    return 0;
}

int vj_header(json_object *o, const char *format, const char *where, vj_err *e)
{
    return vj_header_from(o, format, ATTEST_VERSION, where, NULL, e);
}

/* o[key], a string, decoded by decode (what it is named in the reason). */
static int decoded(json_object *o, const char *key, const char *where, uint8_t **out, size_t *n,
                   vj_err *e, int (*decode)(const char *, uint8_t **, size_t *), const char *what)
{
    const char *s;

    if (vj_str(o, key, where, &s, e) != 0)
        return -1;
    if (decode(s, out, n) != 0)
        return vj_fail(e, "%s: '%s' is not %s", where, key, what);
    return 0;
}

int vj_b64(json_object *o, const char *key, const char *where, uint8_t **out, size_t *n, vj_err *e)
{
    return decoded(o, key, where, out, n, e, attest_unb64, "base64");
}

int vj_hex(json_object *o, const char *key, const char *where, uint8_t **out, size_t *n, vj_err *e)
{
    return decoded(o, key, where, out, n, e, attest_unhex, "hex");
}

int vj_device(json_object *o, const char *where, attest_device *dev, vj_err *e)
{
    json_object *d;
    const char *id, *serial;

    if (vj_obj(o, "device", where, &d, e) != 0 || vj_str(d, "machine_id", where, &id, e) != 0 ||
        vj_str(d, "serial", where, &serial, e) != 0)
        return -1;
    if (strlen(id) >= sizeof dev->machine_id || strlen(serial) >= sizeof dev->serial)
        return vj_fail(e, "%s: a device field is too long", where);
    snprintf(dev->machine_id, sizeof dev->machine_id, "%s", id);
    snprintf(dev->serial, sizeof dev->serial, "%s", serial);
    return 0;
}

/* Unmarshal with fn; every byte used. */
#define UNMARSHAL(fn, buf, len, dst) \
    ({ size_t off_ = 0; fn((buf), (len), &off_, (dst)) == TSS2_RC_SUCCESS && off_ == (len); })

int vj_tpm2b_public(json_object *o, const char *key, const char *where, TPM2B_PUBLIC *pub, vj_err *e)
{
    uint8_t *b;
    size_t n;
    int ok;

    if (vj_b64(o, key, where, &b, &n, e) != 0)
        return -1;
    memset(pub, 0, sizeof *pub);
    ok = UNMARSHAL(Tss2_MU_TPM2B_PUBLIC_Unmarshal, b, n, pub);
    free(b);
    return ok ? 0 : vj_fail(e, "%s: '%s' is not a TPM2B_PUBLIC", where, key);
}

int vj_attest(json_object *o, const char *key, const char *where, uint8_t **raw, size_t *raw_len,
              TPMS_ATTEST *att, vj_err *e)
{
    if (vj_b64(o, key, where, raw, raw_len, e) != 0)
        return -1;
    memset(att, 0, sizeof *att);
    if (!UNMARSHAL(Tss2_MU_TPMS_ATTEST_Unmarshal, *raw, *raw_len, att)) {
        vj_fail(e, "%s: '%s' is not a TPMS_ATTEST", where, key);
        free(*raw);
        *raw = NULL;
        return -1;
    }
    return 0;
}

int vj_signature(json_object *o, const char *key, const char *where, TPMT_SIGNATURE *sig, vj_err *e)
{
    uint8_t *b;
    size_t n;
    int ok;

    if (vj_b64(o, key, where, &b, &n, e) != 0)
        return -1;
    memset(sig, 0, sizeof *sig);
    ok = UNMARSHAL(Tss2_MU_TPMT_SIGNATURE_Unmarshal, b, n, sig);
    free(b);
    return ok ? 0 : vj_fail(e, "%s: '%s' is not a TPMT_SIGNATURE", where, key);
}
