/* A report's freshness: issued_at/expires_at against the verifier's clock,
 * and the TPM's reset/restart counts against a previous report of the same
 * AK (docs/attestation.md). */
#ifndef SECPROV_VERIFY_FRESH_H
#define SECPROV_VERIFY_FRESH_H

#include "secprov_verify.h"
#include "verify_json.h"

/* issued_at and expires_at of report (both integers, expires_at after
 * issued_at): 0, or -1 with e set. */
int vf_read_times(json_object *report, int64_t *issued, int64_t *expires, vj_err *e);

/* A secprov_verify_result: OK, EXPIRED, NOT_YET_VALID, REBOOTED, or
 * BAD_ARGUMENT (a --since report that is not one of this AK's). */
int vf_check(int64_t issued, int64_t expires, const TPMS_CLOCK_INFO *ci, const uint8_t *ak_name,
             size_t ak_name_len, long long now, long long skew, const char *since, vj_err *e);

#endif
