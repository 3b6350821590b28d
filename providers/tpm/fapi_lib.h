/*
 * libtss2-fapi, loaded when FAPI itself has work to do and not before
 * (issue 24). tpm.so does not link it: libtss2-fapi brings libcurl and
 * through it LDAP, Kerberos, GnuTLS and more (some 30 libraries), and a
 * process that only opens a provisioned keystore, seals, unseals, lists,
 * deletes, collects or attests needs none of it: those go through ESAPI and
 * secprov's own keystore reader. What remains for FAPI is provisioning a
 * keystore the first time (Fapi_Provision: the SRK at 0x81000001, the EK,
 * FAPI's system keystore), once per state folder (the "provisioned" marker).
 *
 * The library is opened with dlopen(RTLD_NOW | RTLD_LOCAL), as systemd
 * loads libtss2, by its soname; it stays loaded for the rest of the process
 * (tpm.so is never unmapped either: module.mk). Each function pointer has
 * the type of the header's declaration (typeof), so a call through it is
 * checked against <tss2/tss2_fapi.h> at compile time.
 */
#ifndef SECPROV_FAPI_LIB_H
#define SECPROV_FAPI_LIB_H

#include <stddef.h>
#include <tss2/tss2_fapi.h>

#define FAPI_LIB_SONAME "libtss2-fapi.so.1"

typedef struct fapi_lib {
    __typeof__(Fapi_Initialize_Async) *Initialize_Async;
    __typeof__(Fapi_Initialize_Finish) *Initialize_Finish;
    __typeof__(Fapi_Finalize) *Finalize;
    __typeof__(Fapi_Provision) *Provision;
    __typeof__(Fapi_GetPollHandles) *GetPollHandles;
    __typeof__(Fapi_GetTcti) *GetTcti;
    __typeof__(Fapi_Free) *Free;
} fapi_lib;

/* The functions, the library loaded on the first call (thread-safe); NULL
 * when it cannot be loaded or lacks one of them: why says which. */
const fapi_lib *fapi_lib_get(char *why, size_t why_len);

#endif
