/* LD_PRELOAD for one diagnostic leg of `make bench` only: fsync() and
 * fdatasync() do nothing, to measure how much of secprov's round-trip is the
 * durability of its files (the keystore object and the reference, each
 * synced with its folder). Never use it outside the bench: with it a power
 * cut can lose a secret. */
int fsync(int fd);
int fdatasync(int fd);

int fsync(int fd)
{
    (void)fd;
    return 0;
}

int fdatasync(int fd)
{
    (void)fd;
    return 0;
}
