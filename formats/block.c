/* The per-response tpm_attestation block: see block.h. */
#include "block.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <tss2/tss2_mu.h>

static const struct bank {
    const char *name;
    TPMI_ALG_HASH alg;
    size_t size;
} banks[] = {
    {"sha1", TPM2_ALG_SHA1, 20}, {"sha256", TPM2_ALG_SHA256, 32},
    {"sha384", TPM2_ALG_SHA384, 48}, {"sha512", TPM2_ALG_SHA512, 64},
};

static const struct bank *bank_by_alg(TPMI_ALG_HASH alg)
{
    for (size_t i = 0; i < sizeof banks / sizeof banks[0]; i++)
        if (banks[i].alg == alg)
            return &banks[i];
    return NULL;
}

static const struct bank *bank_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof banks / sizeof banks[0]; i++)
        if (strlen(banks[i].name) == len && memcmp(banks[i].name, name, len) == 0)
            return &banks[i];
    return NULL;
}

static int fail(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && why_len > 0) {
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int block_qualifying_data(const void *payload_id, size_t len, uint8_t out[BLOCK_QD_LEN])
{
    uint8_t d[32];
    unsigned int n = 0;

    if (EVP_Digest(payload_id, len, d, &n, EVP_sha256(), NULL) != 1 || n != sizeof d)
        return -1;
    memcpy(out, d, BLOCK_QD_LEN);
    return 0;
}

static int is_selected(const TPMS_PCR_SELECTION *s, int n)
{
    return n / 8 < s->sizeofSelect && (s->pcrSelect[n / 8] & (1u << (n % 8)));
}

int block_banks_text(const TPML_PCR_SELECTION *sel, char *out, size_t out_len)
{
    size_t off = 0;

    if (out_len == 0)
        return -1;
    out[0] = '\0';
    for (uint32_t i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++) {
        const struct bank *b = bank_by_alg(sel->pcrSelections[i].hash);
        int first = 1, n;
        if (b == NULL)
            return -1;
        n = snprintf(out + off, out_len - off, "%s%s:", i > 0 ? "+" : "", b->name);
        if (n < 0 || (size_t)n >= out_len - off)
            return -1;
        off += (size_t)n;
        for (int p = 0; p < 24; p++) {
            if (!is_selected(&sel->pcrSelections[i], p))
                continue;
            n = snprintf(out + off, out_len - off, "%s%d", first ? "" : ",", p);
            if (n < 0 || (size_t)n >= out_len - off)
                return -1;
            off += (size_t)n;
            first = 0;
        }
        if (first)
            return -1;                   /* a bank with no PCR */
    }
    return sel->count > 0 ? 0 : -1;
}

int block_banks_parse(const char *text, TPML_PCR_SELECTION *sel, char *why, size_t why_len)
{
    const char *p = text;
    size_t total = 0;

    memset(sel, 0, sizeof *sel);
    if (*p == '\0')
        return fail(why, why_len, "pcr_banks: empty");
    for (;;) {
        const char *colon = strchr(p, ':');
        const struct bank *b = colon != NULL ? bank_by_name(p, (size_t)(colon - p)) : NULL;
        int last = -1;
        if (b == NULL)
            return fail(why, why_len, "pcr_banks '%.64s': not BANK:N[,N...] with a bank of "
                        "sha1, sha256, sha384, sha512", text);
        for (uint32_t i = 0; i < sel->count; i++)
            if (sel->pcrSelections[i].hash == b->alg)
                return fail(why, why_len, "pcr_banks '%.64s': bank %s twice", text, b->name);
        if (sel->count == TPM2_NUM_PCR_BANKS)
            return fail(why, why_len, "pcr_banks '%.64s': too many banks", text);
        TPMS_PCR_SELECTION *s = &sel->pcrSelections[sel->count++];
        s->hash = b->alg;
        s->sizeofSelect = 3;
        p = colon + 1;
        for (;;) {
            int n = 0, digits = 0;
            while (*p >= '0' && *p <= '9' && digits < 3) {
                n = n * 10 + (*p++ - '0');
                digits++;
            }
            if (digits == 0 || (digits > 1 && p[-digits] == '0') || n > 23 || n <= last)
                return fail(why, why_len, "pcr_banks '%.64s': PCR numbers are 0 to 23, "
                            "ascending, each once", text);
            last = n;
            s->pcrSelect[n / 8] |= (uint8_t)(1u << (n % 8));
            if (++total > BLOCK_PCRS_MAX)
                return fail(why, why_len, "pcr_banks '%.64s': more than %d PCRs", text,
                            BLOCK_PCRS_MAX);
            if (*p != ',')
                break;
            p++;
        }
        if (*p == '\0')
            return 0;
        if (*p != '+')
            return fail(why, why_len, "pcr_banks '%.64s': unexpected '%c'", text, *p);
        p++;
    }
}

static char *hex_of(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);

    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

static json_object *b64_json(const uint8_t *p, size_t n)
{
    char *s = malloc(4 * ((n + 2) / 3) + 1);
    json_object *o;

    if (s == NULL)
        return NULL;
    EVP_EncodeBlock((unsigned char *)s, p, (int)n);
    o = json_object_new_string(s);
    free(s);
    return o;
}

static char *finish(json_object *o)
{
    const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
    char *copy = t != NULL ? strdup(t) : NULL;
    json_object_put(o);
    return copy;
}

char *block_write(const block *b)
{
    json_object *o = json_object_new_object(), *vals;
    uint8_t buf[sizeof(TPMT_SIGNATURE) + sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_ATTEST)];
    char banks_text[256];
    size_t len = 0;
    uint32_t k = 0;

    if (o == NULL)
        return NULL;
    json_object_object_add(o, "is_available", json_object_new_boolean(b->available));
    if (!b->available)
        return finish(o);
    if (block_banks_text(&b->sel, banks_text, sizeof banks_text) != 0)
        goto bad;
    json_object_object_add(o, "pcr_banks", json_object_new_string(banks_text));
    vals = json_object_new_object();
    json_object_object_add(o, "pcr_values", vals);
    for (uint32_t i = 0; i < b->sel.count; i++) {
        const TPMS_PCR_SELECTION *s = &b->sel.pcrSelections[i];
        json_object *bank = json_object_new_object();
        json_object_object_add(vals, bank_by_alg(s->hash)->name, bank);
        for (int n = 0; n < 24; n++) {
            char key[4];
            if (!is_selected(s, n))
                continue;
            if (k >= b->values.count)
                goto bad;
            char *h = hex_of(b->values.digests[k].buffer, b->values.digests[k].size);
            k++;
            snprintf(key, sizeof key, "%d", n);
            json_object_object_add(bank, key, h != NULL ? json_object_new_string(h) : NULL);
            free(h);
            if (h == NULL)
                goto bad;
        }
    }
    if (k != b->values.count ||
        Tss2_MU_TPM2B_PUBLIC_Marshal(&b->aik, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
        goto bad;
    json_object_object_add(o, "aik_pubkey_b64", b64_json(buf, len));
    len = 0;
    if (Tss2_MU_TPM2B_ATTEST_Marshal(&b->quote, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
        goto bad;
    json_object_object_add(o, "quote_b64", b64_json(buf, len));
    len = 0;
    if (Tss2_MU_TPMT_SIGNATURE_Marshal(&b->sig, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
        goto bad;
    json_object_object_add(o, "signature_b64", b64_json(buf, len));
    if (b->certified) {
        len = 0;
        if (Tss2_MU_TPM2B_ATTEST_Marshal(&b->certify, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
            goto bad;
        json_object_object_add(o, "aik_certify_b64", b64_json(buf, len));
        len = 0;
        if (Tss2_MU_TPMT_SIGNATURE_Marshal(&b->certify_sig, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
            goto bad;
        json_object_object_add(o, "aik_certify_signature_b64", b64_json(buf, len));
    }
    return finish(o);
bad:
    json_object_put(o);
    return NULL;
}

/* o.key as base64 into bytes (malloc'd *out). */
static int get_b64(json_object *o, const char *key, uint8_t **out, size_t *n, char *why,
                   size_t why_len)
{
    json_object *v = NULL;
    const char *s;
    size_t len, pad = 0;
    int got;

    *out = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return fail(why, why_len, "tpm_attestation.%s: missing or not a string", key);
    s = json_object_get_string(v);
    len = strlen(s);
    if (len == 0 || len % 4 != 0 || len > BLOCK_TEXT_MAX)
        return fail(why, why_len, "tpm_attestation.%s: not base64", key);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int is_pad = c == '=' && i >= len - 2 && (i == len - 1 || s[len - 1] == '=');
        if (!(is_pad || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '/'))
            return fail(why, why_len, "tpm_attestation.%s: not base64", key);
        pad += is_pad;
    }
    if ((*out = malloc(len / 4 * 3)) == NULL)
        return fail(why, why_len, "tpm_attestation.%s: out of memory", key);
    got = EVP_DecodeBlock(*out, (const unsigned char *)s, (int)len);
    if (got < 0 || (size_t)got < pad) {
        free(*out);
        *out = NULL;
        return fail(why, why_len, "tpm_attestation.%s: not base64", key);
    }
    *n = (size_t)got - pad;
    return 0;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* pcr_values: {bank: {"N": hex}} exactly the PCRs of sel, into values. */
static int read_values(json_object *vals, const TPML_PCR_SELECTION *sel, TPML_DIGEST *values,
                       char *why, size_t why_len)
{
    size_t banks_seen = 0;

    if (!json_object_is_type(vals, json_type_object))
        return fail(why, why_len, "tpm_attestation.pcr_values: not an object");
    memset(values, 0, sizeof *values);
    for (uint32_t i = 0; i < sel->count; i++) {
        const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];
        const struct bank *b = bank_by_alg(s->hash);
        json_object *bank = NULL;
        size_t count = 0;
        if (!json_object_object_get_ex(vals, b->name, &bank) ||
            !json_object_is_type(bank, json_type_object))
            return fail(why, why_len, "tpm_attestation.pcr_values.%s: missing or not an object "
                        "(pcr_banks names it)", b->name);
        banks_seen++;
        for (int n = 0; n < 24; n++) {
            json_object *v = NULL;
            char key[4];
            if (!is_selected(s, n))
                continue;
            count++;
            snprintf(key, sizeof key, "%d", n);
            if (!json_object_object_get_ex(bank, key, &v) || !json_object_is_type(v, json_type_string))
                return fail(why, why_len, "tpm_attestation.pcr_values.%s.%s: missing or not a "
                            "string", b->name, key);
            const char *h = json_object_get_string(v);
            if (strlen(h) != 2 * b->size)
                return fail(why, why_len, "tpm_attestation.pcr_values.%s.%s: not %zu bytes of hex",
                            b->name, key, b->size);
            TPM2B_DIGEST *d = &values->digests[values->count++];
            for (size_t j = 0; j < b->size; j++) {
                int hi = nibble(h[2 * j]), lo = nibble(h[2 * j + 1]);
                if (hi < 0 || lo < 0)
                    return fail(why, why_len, "tpm_attestation.pcr_values.%s.%s: not hex",
                                b->name, key);
                d->buffer[j] = (uint8_t)(hi << 4 | lo);
            }
            d->size = (UINT16)b->size;
        }
        if ((size_t)json_object_object_length(bank) != count)
            return fail(why, why_len, "tpm_attestation.pcr_values.%s: holds PCRs that pcr_banks "
                        "does not name", b->name);
    }
    if ((size_t)json_object_object_length(vals) != banks_seen)
        return fail(why, why_len, "tpm_attestation.pcr_values: holds a bank that pcr_banks does "
                    "not name");
    return 0;
}

static int read_available(json_object *o, block *b, char *why, size_t why_len)
{
    static const char *const known[] = {"is_available", "pcr_banks", "pcr_values",
                                        "aik_pubkey_b64", "quote_b64", "signature_b64",
                                        "aik_certify_b64", "aik_certify_signature_b64"};
    json_object *v = NULL;
    uint8_t *raw = NULL;
    size_t n = 0, off;
    TSS2_RC rc;

    json_object_object_foreach(o, key, val) {
        size_t i = 0;
        (void)val;
        while (i < sizeof known / sizeof known[0] && strcmp(known[i], key) != 0)
            i++;
        if (i == sizeof known / sizeof known[0])
            return fail(why, why_len, "tpm_attestation: unknown member '%.64s'", key);
    }
    if (!json_object_object_get_ex(o, "pcr_banks", &v) || !json_object_is_type(v, json_type_string))
        return fail(why, why_len, "tpm_attestation.pcr_banks: missing or not a string");
    if (block_banks_parse(json_object_get_string(v), &b->sel, why, why_len) != 0)
        return -1;
    if (!json_object_object_get_ex(o, "pcr_values", &v))
        return fail(why, why_len, "tpm_attestation.pcr_values: missing");
    if (read_values(v, &b->sel, &b->values, why, why_len) != 0)
        return -1;

    if (get_b64(o, "aik_pubkey_b64", &raw, &n, why, why_len) != 0)
        return -1;
    off = 0;
    rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(raw, n, &off, &b->aik);
    free(raw);
    if (rc != TSS2_RC_SUCCESS || off != n)
        return fail(why, why_len, "tpm_attestation.aik_pubkey_b64: not one TPM2B_PUBLIC");

    if (get_b64(o, "quote_b64", &raw, &n, why, why_len) != 0)
        return -1;
    off = 0;
    rc = Tss2_MU_TPM2B_ATTEST_Unmarshal(raw, n, &off, &b->quote);
    free(raw);
    if (rc != TSS2_RC_SUCCESS || off != n)
        return fail(why, why_len, "tpm_attestation.quote_b64: not one TPM2B_ATTEST");

    if (get_b64(o, "signature_b64", &raw, &n, why, why_len) != 0)
        return -1;
    off = 0;
    rc = Tss2_MU_TPMT_SIGNATURE_Unmarshal(raw, n, &off, &b->sig);
    free(raw);
    if (rc != TSS2_RC_SUCCESS || off != n)
        return fail(why, why_len, "tpm_attestation.signature_b64: not one TPMT_SIGNATURE");

    int has_c = json_object_object_get_ex(o, "aik_certify_b64", NULL);
    if (has_c != json_object_object_get_ex(o, "aik_certify_signature_b64", NULL))
        return fail(why, why_len, "tpm_attestation: aik_certify_b64 and "
                    "aik_certify_signature_b64 come together");
    if (!has_c)
        return 0;
    b->certified = 1;
    if (get_b64(o, "aik_certify_b64", &raw, &n, why, why_len) != 0)
        return -1;
    off = 0;
    rc = Tss2_MU_TPM2B_ATTEST_Unmarshal(raw, n, &off, &b->certify);
    free(raw);
    if (rc != TSS2_RC_SUCCESS || off != n)
        return fail(why, why_len, "tpm_attestation.aik_certify_b64: not one TPM2B_ATTEST");
    if (get_b64(o, "aik_certify_signature_b64", &raw, &n, why, why_len) != 0)
        return -1;
    off = 0;
    rc = Tss2_MU_TPMT_SIGNATURE_Unmarshal(raw, n, &off, &b->certify_sig);
    free(raw);
    if (rc != TSS2_RC_SUCCESS || off != n)
        return fail(why, why_len, "tpm_attestation.aik_certify_signature_b64: not one "
                    "TPMT_SIGNATURE");
    return 0;
}

int block_read(const char *text, block *b, char *why, size_t why_len)
{
    json_tokener *tok;
    json_object *o = NULL, *avail = NULL;
    size_t len;
    int rc = -1;

    memset(b, 0, sizeof *b);
    if (text == NULL || (len = strlen(text)) > BLOCK_TEXT_MAX)
        return fail(why, why_len, "tpm_attestation: missing or larger than %d bytes",
                    BLOCK_TEXT_MAX);
    if ((tok = json_tokener_new()) == NULL)
        return fail(why, why_len, "tpm_attestation: out of memory");
    o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (o == NULL || err != json_tokener_success) {
        json_object_put(o);
        return fail(why, why_len, "tpm_attestation: not JSON (%s)", json_tokener_error_desc(err));
    }
    while (used < len && strchr(" \t\r\n", text[used]) != NULL)
        used++;
    if (used != len)
        fail(why, why_len, "tpm_attestation: text after the JSON object");
    else if (!json_object_is_type(o, json_type_object))
        fail(why, why_len, "tpm_attestation: not a JSON object");
    else if (!json_object_object_get_ex(o, "is_available", &avail) ||
             !json_object_is_type(avail, json_type_boolean))
        fail(why, why_len, "tpm_attestation.is_available: missing or not a boolean");
    else if (!json_object_get_boolean(avail))
        rc = json_object_object_length(o) == 1
                 ? 0 : fail(why, why_len, "tpm_attestation: is_available is false, yet it "
                            "carries other members");
    else if ((b->available = 1, read_available(o, b, why, why_len)) == 0)
        rc = 0;
    json_object_put(o);
    if (rc != 0) {
        memset(b, 0, sizeof *b);
    }
    return rc;
}
