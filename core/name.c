/* Secret names: 1 to 64 of [A-Za-z0-9_-]. No dots, no slashes: a name is
 * always a plain file name, never a path. */
#include "secprov.h"

int secprov_name_check(const char *name)
{
    size_t n = 0;

    if (name == NULL)
        return SECPROV_ERR_NAME;
    for (const char *p = name; *p != '\0'; p++, n++) {
        char c = *p;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok || n >= SECPROV_NAME_MAX)
            return SECPROV_ERR_NAME;
    }
    return n > 0 ? SECPROV_OK : SECPROV_ERR_NAME;
}
