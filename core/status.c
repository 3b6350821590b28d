/* Status codes as text, and the library version. */
#include "secprov.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *secprov_strerror(int status)
{
    switch (status) {
    case SECPROV_OK: return "success";
    case SECPROV_ERR_INVALID_ARG: return "invalid argument";
    case SECPROV_ERR_NAME: return "invalid secret name (1 to 64 of A-Z a-z 0-9 _ -)";
    case SECPROV_ERR_NOT_FOUND: return "no secret of that name";
    case SECPROV_ERR_INTEGRITY: return "stored secret failed its integrity check (tampered, truncated or moved)";
    case SECPROV_ERR_CONFIG: return "configuration error";
    case SECPROV_ERR_UNAVAILABLE: return "provider unavailable";
    case SECPROV_ERR_NOT_INSTALLED: return "provider module not installed";
    case SECPROV_ERR_IO: return "input/output error";
    case SECPROV_ERR_NOMEM: return "out of memory";
    case SECPROV_ERR_TPM: return "TPM command failed";
    case SECPROV_ERR_UNSUPPORTED: return "operation not supported by this provider";
    case SECPROV_ERR_KEYSTORE_MISMATCH: return "keystore does not match this TPM (was the TPM cleared?)";
    case SECPROV_ERR_PERMISSION: return "permission denied or insecure file (owner, mode or symlink)";
    case SECPROV_ERR_BUSY: return "device busy";
    case SECPROV_ERR_TOO_LARGE: return "input too large";
    case SECPROV_ERR_FORMAT: return "malformed input";
    case SECPROV_ERR_PADDING: return "bad padding: wrong key or corrupted data";
    case SECPROV_ERR_TIMEOUT: return "the TPM did not answer in time";
    case SECPROV_ERR_INTERNAL: return "internal error";
    case SECPROV_ERR_WRONG_DEVICE: return "blob sealed to another TPM (another device, or this one before its TPM was cleared)";
    case SECPROV_ERR_WRONG_NAME: return "blob sealed for another secret name";
    case SECPROV_ERR_ROLLBACK: return "blob of an older version than the one already imported for that name";
    default: return "unknown status";
    }
}

const char *secprov_version(void)
{
#ifdef SECPROV_RELEASE              /* the file VERSION (mk/common.mk) */
    return SECPROV_RELEASE;
#else
    return STR(SECPROV_VERSION_MAJOR) "." STR(SECPROV_VERSION_MINOR) "." STR(SECPROV_VERSION_PATCH);
#endif
}
