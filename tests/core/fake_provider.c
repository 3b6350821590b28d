/*
 * A provider module for tests/core/test_loader, built several times with
 * -D switches into modules that are each wrong in one way:
 *   FAKE_NAME     the name in its table (the loader wants its file name)
 *   FAKE_ABI      its abi_version
 *   FAKE_SIZE     its table size
 *   FAKE_NO_OPEN  no open function
 *   FAKE_NO_ENTRY no entry symbol at all
 */
#include <stddef.h>

#include "secprov_provider.h"

#ifndef FAKE_NO_ENTRY
__attribute__((unused)) static int fake_open(secprov_provider_ctx **ctx, const secprov_provider_env *env, char *why,
                     size_t why_len)
{
    (void)env;
    (void)why;
    (void)why_len;
    *ctx = NULL;
    return SECPROV_ERR_UNAVAILABLE;
}

static void fake_close(secprov_provider_ctx *ctx)
{
    (void)ctx;
}

static const secprov_provider_class fake_class = {
    .abi_version = FAKE_ABI,
    .size = FAKE_SIZE,
    .name = FAKE_NAME,
#ifndef FAKE_NO_OPEN
    .open = fake_open,
#endif
    .close = fake_close,
};

SECPROV_API const secprov_provider_class *secprov_provider_entry(void);
SECPROV_API const secprov_provider_class *secprov_provider_entry(void)
{
    return &fake_class;
}
#else
SECPROV_API int secprov_not_a_provider(void);
SECPROV_API int secprov_not_a_provider(void)
{
    return 0;
}
#endif
