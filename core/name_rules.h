/* The secret-name rule, in one place for the core and the providers (which
 * cannot call the core's hidden functions): 1 to SECPROV_NAME_MAX of
 * [A-Za-z0-9_-]. No dots, no slashes: a name is always a plain file name,
 * never a path. */
#ifndef SECPROV_NAME_RULES_H
#define SECPROV_NAME_RULES_H

#include <stddef.h>

#include "secprov.h"

static inline int sp_name_valid(const char *name)
{
    size_t n = 0;

    if (name == NULL)
        return 0;
    for (const char *p = name; *p != '\0'; p++, n++) {
        char c = *p;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok || n >= SECPROV_NAME_MAX)
            return 0;
    }
    return n > 0;
}

/* A provider module's name: [a-z][a-z0-9_]{0,31}. Never a path: the module
 * is always <provider folder>/<name>.so. */
#define SP_PROVIDER_NAME_MAX 32
static inline int sp_provider_name_valid(const char *name)
{
    size_t n = 0;

    if (name == NULL || !(name[0] >= 'a' && name[0] <= 'z'))
        return 0;
    for (const char *p = name; *p != '\0'; p++, n++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') ||
            n >= SP_PROVIDER_NAME_MAX)
            return 0;
    }
    return 1;
}

#endif
