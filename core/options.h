/*
 * What both kinds of handle (secprov_open, secprov_legacy_open) read before
 * they load anything, by one set of rules: the caller's options (fields past
 * its .size unset), the standard fds (a closed 0-2 filled with /dev/null),
 * the config file ($SECPROV_CONFIG unless the options name one), the log
 * level (options, then $SECPROV_LOG_LEVEL, then the config's log_level,
 * then warning) and the provider folder (options, $SECPROV_PROVIDER_DIR,
 * then beside libsecprov). The environment is read through host_env.h, so
 * a privileged process ignores it.
 */
#ifndef SECPROV_OPTIONS_H
#define SECPROV_OPTIONS_H

#include "config.h"
#include "log.h"
#include "secprov.h"

typedef struct sp_setup {
    secprov_options opts;           /* the caller's, copied */
    sp_logger log;
    sp_config cfg;
    char *provider_dir;
} sp_setup;

/* SECPROV_OK, or a status with the reason logged (through the caller's log
 * function when it gave one) and nothing left allocated. */
int sp_setup_read(sp_setup *s, const secprov_options *opts);
void sp_setup_free(sp_setup *s);
/* What both kinds of open start with: the thread's last error cleared,
 * SECPROV_ERR_INVALID_ARG when the caller gave no out pointer, then
 * sp_setup_read. */
int sp_setup_begin(sp_setup *s, int out_given, const secprov_options *opts);

#endif
