/* Reading the JSON documents of secprov_verify: typed field access that
 * says what is wrong and where. Each returns 0, or -1 with detail set. */
#ifndef SECPROV_VERIFY_JSON_H
#define SECPROV_VERIFY_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest_common.h"

typedef struct vj_err {
    char *text;
    size_t len;
} vj_err;

/* Set the reason (when e has room for one); returns -1, so that a check
 * reads `return vj_fail(e, ...)`. */
int vj_fail(vj_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse text as one JSON object (nothing after it). */
json_object *vj_parse(const char *text, const char *what, vj_err *e);

int vj_str(json_object *o, const char *key, const char *where, const char **out, vj_err *e);
int vj_int64(json_object *o, const char *key, const char *where, int64_t *out, vj_err *e);
int vj_obj(json_object *o, const char *key, const char *where, json_object **out, vj_err *e);
/* The "format" and "version" fields are format and ATTEST_VERSION. */
int vj_header(json_object *o, const char *format, const char *where, vj_err *e);
/* The same, taking versions min to ATTEST_VERSION; *version (unless NULL)
 * gets the one read. */
int vj_header_from(json_object *o, const char *format, int min, const char *where, int *version,
                   vj_err *e);
/* base64 or hex fields into bytes (*out malloc'd). */
int vj_b64(json_object *o, const char *key, const char *where, uint8_t **out, size_t *n, vj_err *e);
int vj_hex(json_object *o, const char *key, const char *where, uint8_t **out, size_t *n, vj_err *e);
/* {"machine_id": "...", "serial": "..."} */
int vj_device(json_object *o, const char *where, attest_device *dev, vj_err *e);

/* Base64 of the TPM encodings, unmarshalled; every byte must be used. */
int vj_tpm2b_public(json_object *o, const char *key, const char *where, TPM2B_PUBLIC *pub, vj_err *e);
int vj_attest(json_object *o, const char *key, const char *where, uint8_t **raw, size_t *raw_len,
              TPMS_ATTEST *att, vj_err *e);
int vj_signature(json_object *o, const char *key, const char *where, TPMT_SIGNATURE *sig, vj_err *e);

#endif
