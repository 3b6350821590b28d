/*
 * The strict readers of keystore_json.c and keystore_public.c: one member
 * of a json-c object of the type and range secprov accepts, or -1 (NULL)
 * with a reason naming the member ("where" is the path of the object that
 * holds it, "public.publicArea." say). Internal to tpm.so and its tests.
 */
#ifndef SECPROV_KEYSTORE_MEMBERS_H
#define SECPROV_KEYSTORE_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "keystore_json.h"

/* Where the reason goes. */
typedef struct kj_ctx {
    char *why;
    size_t why_len;
} kj_ctx;


/* The reason, formatted: returns -1. */
int kj_fail(kj_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* o[key] of type t (o is an object), or NULL with the reason set. */
json_object *kj_member(kj_ctx *c, json_object *o, const char *where, const char *key, json_type t);
/* o[key], an integer in lo..hi, into *out: 0 or -1. */
int kj_get_int(kj_ctx *c, json_object *o, const char *where, const char *key, int64_t lo,
               int64_t hi, int64_t *out);
/* o[key] is one of the strings in choices (NULL-terminated, matched
 * without case): its index, or -1. */
int kj_get_choice(kj_ctx *c, json_object *o, const char *where, const char *key,
                  const char *const *choices);
/* o[key] as hex into out (at most max bytes): the byte count, or -1. */
int kj_get_hex(kj_ctx *c, json_object *o, const char *where, const char *key, uint8_t *out,
               size_t max);
/* o[key], an object, into *out: 0 or -1. */
int kj_get_object(kj_ctx *c, json_object *o, const char *where, const char *key, json_object **out);
/* o[key] is {"scheme": "NULL"}: 0 or -1. */
int kj_null_scheme(kj_ctx *c, json_object *o, const char *where, const char *key);

/* The public area of an entry of kind (keystore_public.c): member
 * "public" of root, marshalled size checked, into *pub: 0 or -1. */
int kj_public_area(kj_ctx *c, json_object *root, keystore_kind kind, TPM2B_PUBLIC *pub);

#endif
