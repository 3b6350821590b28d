/* The handle's logger: stderr with a "secprov: " prefix, or the caller's callback. */
#ifndef SECPROV_LOG_H
#define SECPROV_LOG_H

#include <stdarg.h>

#include "secprov.h"

typedef struct sp_logger {
    int level;              /* lowest level written; SECPROV_LOG_NONE = silent */
    secprov_log_fn fn;      /* NULL: stderr */
    void *user;
    int errors_returned;    /* SECPROV_OPT_ERRORS_RETURNED: error lines to last_error only */
} sp_logger;

void sp_log(const sp_logger *lg, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sp_vlog(const sp_logger *lg, int level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Forget the calling thread's last error line: every public call that can
 * fail starts with this, so secprov_last_error() speaks of that call. */
void sp_error_clear(void);

/* "debug" ... "none" -> level; 0 when unknown. */
int sp_log_level_parse(const char *s);
const char *sp_log_level_name(int level);

#endif
