/* The canonical bytes of a JSON document: canonical.h. */
#include "canonical.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static int omitted(const char *key, const char *const *omit)
{
    for (; omit && *omit; omit++)
        if (strcmp(key, *omit) == 0)
            return 1;
    return 0;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_object *sorted_copy(json_object *v, const char *const *omit,
                                const char *where, char *why, size_t why_len);

/* A copy of object o whose members are inserted in sorted key order (json-c
 * keeps insertion order when it writes). */
static json_object *sorted_object(json_object *o, const char *const *omit,
                                  const char *where, char *why, size_t why_len)
{
    size_t n = (size_t)json_object_object_length(o), k = 0;
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    json_object *copy = json_object_new_object();
    if (!keys || !copy) {
        if (why)
            snprintf(why, why_len, "out of memory");
        goto fail;
    }
    json_object_object_foreach(o, key, val) {
        (void)val;
        if (!omitted(key, omit))
            keys[k++] = key;
    }
    qsort(keys, k, sizeof *keys, cmp_keys);
    for (size_t i = 0; i < k; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s.%s", where, keys[i]);
        json_object *member = json_object_object_get(o, keys[i]);
        json_object *child = sorted_copy(member, NULL, path, why, why_len);
        if (!child && member != NULL)   /* NULL is a JSON null, or a failure */
            goto fail;
        if (json_object_object_add(copy, keys[i], child) != 0) {
            json_object_put(child);
            if (why)
                snprintf(why, why_len, "out of memory");
            goto fail;
        }
    }
    free(keys);
    return copy;
fail:
    free(keys);
    json_object_put(copy);
    return NULL;
}

/* NULL for a JSON null (and on failure, with why set: the caller tells the
 * two apart by the original value). */
static json_object *sorted_copy(json_object *v, const char *const *omit,
                                const char *where, char *why, size_t why_len)
{
    json_object *copy = NULL;
    switch (json_object_get_type(v)) {
    case json_type_null:
        return NULL;
    case json_type_object:
        return sorted_object(v, omit, where, why, why_len);
    case json_type_array: {
        size_t n = json_object_array_length(v);
        copy = json_object_new_array_ext((int)(n ? n : 1));
        if (!copy)
            break;
        for (size_t i = 0; i < n; i++) {
            char path[256];
            json_object *item = json_object_array_get_idx(v, i);
            snprintf(path, sizeof path, "%s[%zu]", where, i);
            json_object *c = sorted_copy(item, NULL, path, why, why_len);
            if ((!c && item) || json_object_array_add(copy, c) != 0) {
                json_object_put(c);
                json_object_put(copy);
                return NULL;
            }
        }
        return copy;
    }
    case json_type_string:
        copy = json_object_new_string_len(json_object_get_string(v), json_object_get_string_len(v));
        break;
    case json_type_int:
        copy = json_object_new_int64(json_object_get_int64(v));
        break;
    case json_type_boolean:
        copy = json_object_new_boolean(json_object_get_boolean(v));
        break;
    case json_type_double:
        if (why)
            snprintf(why, why_len, "%s: a floating-point number has no canonical form", where);
        return NULL;
    }
    if (!copy && why)
        snprintf(why, why_len, "out of memory");
    return copy;
}

int sp_canonical_json(json_object *doc, const char *const *omit,
                      char **out, size_t *len, char *why, size_t why_len)
{
    *out = NULL;
    *len = 0;
    if (why && why_len)
        why[0] = '\0';
    if (!json_object_is_type(doc, json_type_object)) {
        if (why)
            snprintf(why, why_len, "the document is not a JSON object");
        return -1;
    }
    json_object *sorted = sorted_object(doc, omit, "$", why, why_len);
    if (!sorted)
        return -1;
    size_t n = 0;
    const char *text = json_object_to_json_string_length(
        sorted, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    char *copy = text ? malloc(n + 1) : NULL;
    if (!copy) {
        json_object_put(sorted);
        if (why)
            snprintf(why, why_len, "out of memory");
        return -1;
    }
    memcpy(copy, text, n + 1);
    json_object_put(sorted);
    *out = copy;
    *len = n;
    return 0;
}
