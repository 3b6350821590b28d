/* Logging: one line per message, never a secret (callers' duty). */
#include "log.h"

#include "fork_gate.h"

#include <stdio.h>
#include <string.h>

static const char *const level_names[] = {
    [SECPROV_LOG_DEBUG] = "debug", [SECPROV_LOG_INFO] = "info",
    [SECPROV_LOG_WARNING] = "warning", [SECPROV_LOG_ERROR] = "error",
    [SECPROV_LOG_NONE] = "none",
};

int sp_log_level_parse(const char *s)
{
    if (s == NULL)
        return 0;
    for (int l = SECPROV_LOG_DEBUG; l <= SECPROV_LOG_NONE; l++)
        if (strcmp(s, level_names[l]) == 0)
            return l;
    return 0;
}

const char *sp_log_level_name(int level)
{
    if (level < SECPROV_LOG_DEBUG || level > SECPROV_LOG_NONE)
        return "?";
    return level_names[level];
}

/* The calling thread's last error line (secprov_last_error). */
static _Thread_local char last_error[1024];

void sp_error_clear(void)
{
    last_error[0] = '\0';
}

const char *secprov_last_error(void)
{
    return last_error;
}

void sp_vlog(const sp_logger *lg, int level, const char *fmt, va_list ap)
{
    char line[sizeof last_error];
    int keep = level >= SECPROV_LOG_ERROR && level < SECPROV_LOG_NONE;

    if (lg == NULL || level >= SECPROV_LOG_NONE || (level < lg->level && !keep))
        return;
    vsnprintf(line, sizeof line, fmt, ap);
    for (char *p = line; *p != '\0'; p++)     /* one message, one line */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (keep)
        memcpy(last_error, line, sizeof line);
    if (level < lg->level || (keep && lg->errors_returned))
        return;
    if (lg->fn != NULL) {
        sp_gate_pause();          /* the host's code: outside the fork gate (fork_gate.h) */
        lg->fn(level, line, lg->user);
        sp_gate_resume();
    } else
        fprintf(stderr, "secprov: %s: %s\n", sp_log_level_name(level), line);
}

void sp_log(const sp_logger *lg, int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sp_vlog(lg, level, fmt, ap);
    va_end(ap);
}
