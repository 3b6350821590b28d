/* The whole-process floor of a seal round-trip through ESAPI alone
 * (bench/cli_profile.sh): start, one salted session, TPM2_Create, Load,
 * Unseal, FlushContext (bench/floor_esapi.c, tpm2-tss's own TCTI), exit.
 * Set beside `bench/rt_api 1 32` (a process that opens secprov, seals,
 * unseals and closes), it says what secprov adds to a process over the
 * least the stack does.
 *   floor_process TCTI     (exit 0 when the value came back exact) */
#include <stdio.h>

#include "floor_esapi.h"

int main(int argc, char **argv)
{
    static const unsigned char value[32] = "0123456789abcdef0123456789abcdef";
    floor_ctx *f;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: floor_process TCTI\n");
        return 2;
    }
    if ((f = floor_open(argv[1])) == NULL)
        return 1;
    rc = floor_roundtrip(f, value, sizeof value);
    floor_close(f);
    return rc == 0 ? 0 : 1;
}
