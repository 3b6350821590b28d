/* Secret names: the rule is in name_rules.h. */
#include "secprov_name_rules.h"
#include "secprov.h"

int secprov_name_check(const char *name)
{
    return secprov_name_rule_ok(name) ? SECPROV_OK : SECPROV_ERR_NAME;
}
