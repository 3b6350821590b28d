/* Credential activation, the verifier's half: see secprov_verify.h. */
#ifndef SECPROV_VERIFY_CREDENTIAL_H
#define SECPROV_VERIFY_CREDENTIAL_H

#include "enrollment.h"

/* The activation record (secprov_verify_enroll's) names en's AK and EK:
 * SECPROV_VERIFY_OK, else SECPROV_VERIFY_NOT_ACTIVATED with e set. */
int vc_check_activated(const char *record, const sp_enrollment *en, vj_err *e);

/* en's EK certificate chains to a CA certificate of the PEM file ca_file:
 * SECPROV_VERIFY_OK, else SECPROV_VERIFY_EK_CERTIFICATE with e set (also
 * when the enrollment has no EK certificate: pin its EK instead). */
int vc_check_ek_chain(const char *ca_file, const sp_enrollment *en, vj_err *e);

#endif
