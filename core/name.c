/* Secret names: the rule is in name_rules.h. */
#include "name_rules.h"
#include "secprov.h"

int secprov_name_check(const char *name)
{
    return sp_name_valid(name) ? SECPROV_OK : SECPROV_ERR_NAME;
}
