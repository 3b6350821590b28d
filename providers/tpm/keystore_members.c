/*
 * The strict member readers of the keystore JSON (keystore_members.h):
 * each takes one member of the type, range or set of values secprov
 * accepts, or says which member is wrong and why.
 */
#include "keystore_members.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int kj_fail(kj_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->why_len, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *type_name(json_type t)
{
    return t == json_type_object ? "an object" : t == json_type_string ? "a string"
                                             : t == json_type_int      ? "an integer"
                                                                       : "of the expected type";
}

/* o[key] of type t (o is an object), or NULL with the reason set. */
json_object *kj_member(kj_ctx *c, json_object *o, const char *where, const char *key,
                           json_type t)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(o, key, &v) || v == NULL || !json_object_is_type(v, t)) {
        kj_fail(c, "member \"%s%s\" is missing or not %s", where, key, type_name(t));
        return NULL;
    }
    return v;
}

int kj_get_int(kj_ctx *c, json_object *o, const char *where, const char *key, int64_t lo,
                   int64_t hi, int64_t *out)
{
    json_object *v = kj_member(c, o, where, key, json_type_int);

    if (v == NULL)
        return -1;
    errno = 0;
    int64_t n = json_object_get_int64(v);
    if (errno != 0 || n < lo || n > hi)
        return kj_fail(c, "member \"%s%s\" is out of range", where, key);
    *out = n;
    return 0;
}

/* o[key] is one of the strings in choices (NULL-terminated): its index. */
int kj_get_choice(kj_ctx *c, json_object *o, const char *where, const char *key,
                      const char *const *choices)
{
    json_object *v = kj_member(c, o, where, key, json_type_string);

    if (v == NULL)
        return -1;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    /* Case-insensitive, as FAPI reads them: tpm2-tss 3.x writes "SHA256",
     * 4.x "sha256" (Debian 13). */
    for (int i = 0; choices[i] != NULL; i++)
        if (n == strlen(choices[i]) && strncasecmp(s, choices[i], n) == 0)
            return i;
    return kj_fail(c, "member \"%s%s\" has a value secprov does not accept", where, key);
}

static int hex_digit(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* o[key] as hex into out (at most max bytes): the byte count, or -1. */
int kj_get_hex(kj_ctx *c, json_object *o, const char *where, const char *key, uint8_t *out,
                   size_t max)
{
    json_object *v = kj_member(c, o, where, key, json_type_string);

    if (v == NULL)
        return -1;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    if (n % 2 != 0 || n / 2 > max)
        return kj_fail(c, "member \"%s%s\" is not hex of at most %zu bytes", where, key, max);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return kj_fail(c, "member \"%s%s\" is not hex", where, key);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(n / 2);
}

int kj_get_object(kj_ctx *c, json_object *o, const char *where, const char *key,
                      json_object **out)
{
    return (*out = kj_member(c, o, where, key, json_type_object)) != NULL ? 0 : -1;
}

/* {"scheme": "NULL"}: the only scheme (of a sealed object, an SRK, a KDF)
 * secprov accepts. */
int kj_null_scheme(kj_ctx *c, json_object *o, const char *where, const char *key)
{
    static const char *const null_only[] = {"NULL", NULL};
    json_object *s;
    char at[96];

    snprintf(at, sizeof at, "%s%s.", where, key);
    return kj_get_object(c, o, where, key, &s) == 0 && kj_get_choice(c, s, at, "scheme", null_only) == 0
               ? 0 : -1;
}
