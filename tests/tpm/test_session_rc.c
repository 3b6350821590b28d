/* Which TPM answers mean "the handle's session is gone" (a new session and
 * one retry: providers/tpm/tpm_session.h) and which mean "out of slots" (a
 * recovery flush and one retry: providers/tpm/tpm_flush.h). Pure functions
 * of the response code: tested on the codes themselves, each as the TPM or
 * ESAPI sends it. Compiled with tpm_session.c and tpm_flush.c directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tpm_flush.h"
#include "tpm_session.h"
#include "tools/unit.h"

#define TPM(rc) ((TSS2_RC)(TSS2_TPM_RC_LAYER | (rc)))

static void lost_session(void **state)
{
    (void)state;
    /* not loaded: TPM_RC_REFERENCE_S0 .. S6 (0x918 .. 0x91e) */
    assert_true(tpm_session_lost(TPM(TPM2_RC_REFERENCE_S0)));
    assert_true(tpm_session_lost(TPM(TPM2_RC_REFERENCE_S0 + 6)));
    assert_false(tpm_session_lost(TPM(TPM2_RC_REFERENCE_S0 + 7)));
    assert_false(tpm_session_lost(TPM(TPM2_RC_REFERENCE_H0)));       /* a handle, not a session */
    /* format 1 with TPM_RC_S, session 1: an HMAC under a reused handle, a bad value */
    assert_true(tpm_session_lost(TPM(TPM2_RC_BAD_AUTH | TPM2_RC_S | TPM2_RC_1)));   /* 0x9a2 */
    assert_true(tpm_session_lost(TPM(TPM2_RC_HANDLE | TPM2_RC_S | TPM2_RC_1)));
    /* format 1 about a parameter or a handle: the object, not the session */
    assert_false(tpm_session_lost(TPM(TPM2_RC_INTEGRITY | TPM2_RC_P | TPM2_RC_1)));  /* Load of an altered blob */
    assert_false(tpm_session_lost(TPM(TPM2_RC_HANDLE | TPM2_RC_1)));                 /* no SRK */
    /* ESAPI refused the response's HMAC */
    assert_true(tpm_session_lost(TSS2_ESYS_RC_RSP_AUTH_FAILED));
    /* anything else: not the session's */
    assert_false(tpm_session_lost(TSS2_RC_SUCCESS));
    assert_false(tpm_session_lost(TSS2_TCTI_RC_IO_ERROR));
    assert_false(tpm_session_lost(TSS_RC_DEADLINE));
    assert_false(tpm_session_lost(TPM(TPM2_RC_SESSION_MEMORY)));
}

static void out_of_slots(void **state)
{
    (void)state;
    assert_true(tpm_rc_slots_exhausted(TPM(TPM2_RC_OBJECT_MEMORY)));     /* 0x902 */
    assert_true(tpm_rc_slots_exhausted(TPM(TPM2_RC_SESSION_MEMORY)));    /* 0x903 */
    assert_true(tpm_rc_slots_exhausted(TPM(TPM2_RC_SESSION_HANDLES)));   /* 0x905 */
    assert_true(tpm_rc_slots_exhausted(TPM(TPM2_RC_OBJECT_HANDLES)));    /* 0x906 */
    assert_true(tpm_rc_slots_exhausted(TPM(TPM2_RC_CONTEXT_GAP)));       /* 0x901 */
    assert_false(tpm_rc_slots_exhausted(TPM(TPM2_RC_RETRY)));
    assert_false(tpm_rc_slots_exhausted(TPM(TPM2_RC_REFERENCE_S0)));
    assert_false(tpm_rc_slots_exhausted((TSS2_RC)(TSS2_ESAPI_RC_LAYER | TPM2_RC_SESSION_MEMORY)));
}

UNIT_MAIN(cmocka_unit_test(lost_session),
          cmocka_unit_test(out_of_slots))
