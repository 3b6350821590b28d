/*
 * The canonical bytes of a JSON document that a device writes and a remote
 * party checks (reports, bundles, blocks): what a signature or a quote's
 * qualifying data covers. Compiled into tpm.so and libsecprov_verify alike.
 *
 * The canonical form (docs/formats.md):
 *   - objects' members sorted by their keys' UTF-8 bytes (json-c keeps one
 *     member per key: the last of a parsed document's duplicates);
 *   - no white space between tokens;
 *   - strings as json-c writes them with JSON_C_TO_STRING_NOSLASHESCAPE:
 *     '"' and '\' escaped, \b \f \n \r \t short, other bytes below 0x20 as
 *     \u00xx (lower-case hex), every other byte as it is (UTF-8);
 *   - integers in decimal; true, false, null; no floating-point numbers.
 * Python's json.dumps(doc, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False) gives the same bytes for the documents secprov writes
 * (tests/formats/test_canonical.c holds them as its expected values).
 */
#ifndef SECPROV_FORMATS_CANONICAL_H
#define SECPROV_FORMATS_CANONICAL_H

#include <stddef.h>

struct json_object;

/* The canonical bytes of doc, less the top-level members named in omit
 * (a NULL-terminated list, or NULL for none). On success *out is a
 * NUL-terminated string of *len bytes that the caller frees with free();
 * 0. On failure (not an object, a floating-point number, no memory)
 * -1, *out NULL, and what is written to why (at most why_len bytes, may be
 * NULL) names what and where. */
int sp_canonical_json(struct json_object *doc, const char *const *omit,
                      char **out, size_t *len, char *why, size_t why_len);

#endif
