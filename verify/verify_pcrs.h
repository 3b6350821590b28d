/* The report's PCR values: the ones quoted (their digest is the quote's),
 * its zero_pcrs list right, and each expected value matched. */
#ifndef SECPROV_VERIFY_PCRS_H
#define SECPROV_VERIFY_PCRS_H

#include "verify_json.h"

/* An enum secprov_verify_result. expected: JSON text or NULL. */
int vp_check_pcrs(json_object *root, const TPMS_QUOTE_INFO *q, const char *expected, vj_err *e);

#endif
