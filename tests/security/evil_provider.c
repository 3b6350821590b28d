/*
 * An attacker's provider module: its constructor runs at dlopen, before
 * secprov could look at anything in it, and leaves a marker file
 * ($EVIL_MARKER, else /tmp/secprov-evil-marker) saying that it ran and as
 * whom. Built as tpm.so and legacy.so; it has no provider entry at all.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void evil(void)
{
    const char *m = getenv("EVIL_MARKER");
    char line[64];
    int fd = open(m != NULL ? m : "/tmp/secprov-evil-marker", O_WRONLY | O_CREAT | O_APPEND, 0644);

    if (fd < 0)
        return;
    int n = snprintf(line, sizeof line, "ran as euid %u\n", (unsigned)geteuid());
    if (write(fd, line, (size_t)n) < 0) {
        /* nothing to do */
    }
    close(fd);
}
