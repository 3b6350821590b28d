/*
 * binding_abi: the sizes, offsets and values that the Python package's
 * ctypes declarations (python/secprov/_ffi.py) assume, as this build's
 * compiler sees them, one "key value" a line in the format of
 * _ffi.abi_lines(). Built for the target (arm64 in check-arm64, run under
 * qemu), compared with the binding by tests/arm64/test_binding_abi.sh.
 */
#include <stddef.h>
#include <stdio.h>

#include "secprov.h"
#include "secprov_legacy.h"

#define FIELD(f) printf("offsetof_%s %zu\nfieldsize_%s %zu\n", #f, offsetof(secprov_options, f), \
                        #f, sizeof(((secprov_options *)0)->f))
#define VALUE(v) printf("%s %lld\n", #v, (long long)(v))

int main(void)
{
    printf("sizeof_options %zu\n", sizeof(secprov_options));
    FIELD(size);
    FIELD(provider);
    FIELD(config_path);
    FIELD(provider_dir);
    FIELD(log_level);
    FIELD(log_fn);
    FIELD(log_user);
    FIELD(config_text);
    FIELD(flags);
    printf("sizeof_c_int %zu\nsizeof_c_size_t %zu\nsizeof_c_void_p %zu\n",
           sizeof(int), sizeof(size_t), sizeof(void *));
    VALUE(SECPROV_OK);
    VALUE(SECPROV_ERR_INVALID_ARG);
    VALUE(SECPROV_ERR_NAME);
    VALUE(SECPROV_ERR_NOT_FOUND);
    VALUE(SECPROV_ERR_INTEGRITY);
    VALUE(SECPROV_ERR_CONFIG);
    VALUE(SECPROV_ERR_UNAVAILABLE);
    VALUE(SECPROV_ERR_NOT_INSTALLED);
    VALUE(SECPROV_ERR_IO);
    VALUE(SECPROV_ERR_NOMEM);
    VALUE(SECPROV_ERR_TPM);
    VALUE(SECPROV_ERR_UNSUPPORTED);
    VALUE(SECPROV_ERR_KEYSTORE_MISMATCH);
    VALUE(SECPROV_ERR_PERMISSION);
    VALUE(SECPROV_ERR_BUSY);
    VALUE(SECPROV_ERR_TOO_LARGE);
    VALUE(SECPROV_ERR_FORMAT);
    VALUE(SECPROV_ERR_PADDING);
    VALUE(SECPROV_ERR_TIMEOUT);
    VALUE(SECPROV_ERR_INTERNAL);
    VALUE(SECPROV_LOG_UNSET);
    VALUE(SECPROV_LOG_DEBUG);
    VALUE(SECPROV_LOG_INFO);
    VALUE(SECPROV_LOG_WARNING);
    VALUE(SECPROV_LOG_ERROR);
    VALUE(SECPROV_LOG_NONE);
    VALUE(SECPROV_NAME_MAX);
    VALUE(SECPROV_SECRET_MAX);
    VALUE(SECPROV_LEGACY_KEY_LEN);
    VALUE(SECPROV_LEGACY_IV_LEN);
    VALUE(SECPROV_ATTEST_NONCE_MAX);
    VALUE(SECPROV_ATTEST_REQUIRE_TPM);
    VALUE(SECPROV_ATTEST_PAYLOAD_ID_MAX);
    VALUE(SECPROV_ATTEST_EPHEMERAL_AIK);
    VALUE(SECPROV_ATTEST_CHALLENGE_MAX);
    VALUE(SECPROV_ATTEST_ANSWER_MAX);
    VALUE(SECPROV_VERSION_MAJOR);
    return 0;
}
