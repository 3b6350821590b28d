/*
 * The standard fds 0-2, before anything else is opened: a closed one would
 * be taken by the next file opened (a state file, the TPM device), and the
 * secret or an error line would be written into it. So the command notes
 * which were closed and fills each with /dev/null (0 read-only, 1 and 2
 * write-only) before it parses or opens anything. A command that would
 * read a secret from a closed stdin, or write its output to a closed
 * stdout, refuses (exit 1) before it touches the secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int was_closed[3];

int cli_stdfds_guard(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        was_closed[fd] = 1;
        /* the lowest free number: fd itself, as the ones below are open */
        int got = open("/dev/null", (fd == 0 ? O_RDONLY : O_WRONLY) | O_NOCTTY);
        if (got != fd) {
            if (got >= 0)
                close(got);
            return -1;          /* no /dev/null: nothing can be opened safely */
        }
    }
    return 0;
}

int cli_need_stdin(const cli_call *c)
{
    if (!was_closed[0])
        return CLI_OK;
    return cli_error(CLI_FAIL, "%s: stdin (fd 0) is closed: refusing to read from it", c->path);
}

int cli_need_stdout(const cli_call *c)
{
    if (!was_closed[1])
        return CLI_OK;
    return cli_error(CLI_FAIL, "%s: stdout (fd 1) is closed: refusing to write to it", c->path);
}

int cli_stdout_close(int rc)
{
    /* fclose reports an error that a buffered write met (ENOSPC, EIO, EPIPE) */
    if (fclose(stdout) != 0 && rc == CLI_OK)
        return cli_error(CLI_FAIL, "cannot write to stdout: %s", strerror(errno));
    return rc;
}
