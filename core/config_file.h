/*
 * The config file's text, read under the trust rule before libconfig sees
 * it (config.c parses it): a regular file of at most SP_CONFIG_MAX bytes
 * that no other user could have written (sp_trust_check, host_env.h),
 * opened by its resolved path, with no NUL byte and no @include line.
 */
#ifndef SECPROV_CONFIG_FILE_H
#define SECPROV_CONFIG_FILE_H

#include <stddef.h>

/* *text (NUL-terminated, *len bytes; the caller zeroes and frees it), or
 * NULL for an absent default file (explicit 0): all defaults. Else
 * SECPROV_ERR_CONFIG or SECPROV_ERR_PERMISSION with err naming the file. */
int sp_config_read_text(const char *file, int explicit, char **text, size_t *len, char *err,
                        size_t err_len);

/* The text's own rules (also for secprov_options.config_text): no NUL byte
 * in its len bytes, no line starting with @include (it would read a file
 * no trust rule saw). SECPROV_ERR_CONFIG with err naming file and line. */
int sp_config_text_check(const char *file, const char *text, size_t len, char *err,
                         size_t err_len);

#endif
