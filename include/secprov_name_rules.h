/* The name rules, in one place for the core, the command and the providers
 * (which cannot call the core's hidden functions), as inline functions.
 * A secret's name: 1 to SECPROV_NAME_MAX of [A-Za-z0-9_-]. No dots, no
 * slashes: a name is always a plain file name, never a path. */
#ifndef SECPROV_NAME_RULES_H
#define SECPROV_NAME_RULES_H

#include <stddef.h>

#include "secprov.h"

static inline int secprov_name_rule_ok(const char *name)
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
#define SECPROV_PROVIDER_NAME_MAX 32
static inline int secprov_provider_name_rule_ok(const char *name)
{
    size_t n = 0;

    if (name == NULL || !(name[0] >= 'a' && name[0] <= 'z'))
        return 0;
    for (const char *p = name; *p != '\0'; p++, n++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') ||
            n >= SECPROV_PROVIDER_NAME_MAX)
            return 0;
    }
    return 1;
}

#endif
