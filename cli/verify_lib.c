/* The verifier-side subcommands' shared parts: see verify_lib.h. */
#include "verify_lib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

void *cli_verify_lib(void)
{
    char path[4096];
    Dl_info info;
    void *dl = NULL;

    if (dladdr((void *)secprov_version, &info) != 0 && info.dli_fname != NULL &&
        strrchr(info.dli_fname, '/') != NULL &&
        snprintf(path, sizeof path, "%.*s/libsecprov_verify.so.0",
                 (int)(strrchr(info.dli_fname, '/') - info.dli_fname), info.dli_fname) <
            (int)sizeof path)
        dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    return dl != NULL ? dl : dlopen("libsecprov_verify.so.0", RTLD_NOW | RTLD_LOCAL);
}

char *cli_read_text(const char *path, const char *what)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t len = 0, cap = 0;

    if (f == NULL) {
        cli_error(CLI_FAIL, "cannot open the %s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (cap - len < 4096) {
            char *bigger = cap < 4 * 1024 * 1024 ? realloc(buf, cap + 65536) : NULL;
            if (bigger == NULL) {
                cli_error(CLI_FAIL, "the %s %s is too large", what, path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
            cap += 65536;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f) || memchr(buf, '\0', len) != NULL;
    fclose(f);
    if (bad) {
        cli_error(CLI_FAIL, "cannot read the %s %s (or it holds a NUL byte)", what, path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}
