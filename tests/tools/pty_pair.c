/* A raw pseudo-terminal pair: see pty_pair.h. */
#include "pty_pair.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

static int make_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return -1;
    cfmakeraw(&t);
    return tcsetattr(fd, TCSANOW, &t);
}

int pty_pair(const char *who, int *master, int *slave, const char **slave_path)
{
    *master = posix_openpt(O_RDWR | O_NOCTTY);
    if (*master < 0 || grantpt(*master) != 0 || unlockpt(*master) != 0) {
        fprintf(stderr, "%s: pty: ", who);
        perror(NULL);
        return -1;
    }
    *slave_path = ptsname(*master);
    *slave = *slave_path != NULL ? open(*slave_path, O_RDWR | O_NOCTTY) : -1;
    if (*slave < 0 || make_raw(*master) != 0 || make_raw(*slave) != 0) {
        fprintf(stderr, "%s: raw: ", who);
        perror(NULL);
        return -1;
    }
    return 0;
}
