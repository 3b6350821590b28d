/* The salt key's template and the table of known TPMs: see salt_key.h. */
#include "salt_key.h"

#include <string.h>

/* The RSA salt key: a storage-style key (restricted decryption, AES-128-CFB
 * for children, no scheme: the TPM decrypts a salt with OAEP and the key's
 * nameAlg), made by the TPM (sensitiveDataOrigin), bound to it and to the
 * SRK, usable with its empty auth value, exempt from dictionary-attack
 * lockout. */
const TPM2B_PUBLIC salt_rsa_template = {
    .publicArea = {
        .type = TPM2_ALG_RSA,
        .nameAlg = TPM2_ALG_SHA256,
        .objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                            TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                            TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
        .parameters.rsaDetail = {
            .symmetric = {.algorithm = TPM2_ALG_AES, .keyBits.aes = 128,
                          .mode.aes = TPM2_ALG_CFB},
            .scheme = {.scheme = TPM2_ALG_NULL},
            .keyBits = 2048,
            .exponent = 0,
        },
    },
};

int salt_key_check_public(const TPM2B_PUBLIC *pub, const char **why)
{
    const TPMT_PUBLIC *a = &pub->publicArea, *t = &salt_rsa_template.publicArea;
    const TPMS_RSA_PARMS *p = &a->parameters.rsaDetail, *tp = &t->parameters.rsaDetail;

    *why = a->type != TPM2_ALG_RSA             ? "it is not an RSA key"
           : a->nameAlg != t->nameAlg          ? "its name algorithm is not SHA-256"
           : a->objectAttributes != t->objectAttributes
               ? "its attributes are not the salt key's (fixedTPM, fixedParent, "
                 "sensitiveDataOrigin, userWithAuth, noDA, restricted, decrypt)"
           : a->authPolicy.size != 0           ? "it has a policy"
           : p->symmetric.algorithm != tp->symmetric.algorithm ||
                     p->symmetric.keyBits.aes != tp->symmetric.keyBits.aes ||
                     p->symmetric.mode.aes != tp->symmetric.mode.aes
               ? "its symmetric algorithm is not AES-128-CFB"
           : p->scheme.scheme != TPM2_ALG_NULL ? "it has a scheme"
           : p->keyBits != 2048 || a->unique.rsa.size != 256 ? "it is not a 2048-bit key"
           : p->exponent != 0 && p->exponent != 65537 ? "its exponent is not 65537"
                                                 : NULL;
    return *why == NULL ? 0 : -1;
}

/* Known TPMs, by TPM2_PT_MANUFACTURER (4 ASCII bytes, big-endian). Add a
 * row only with a measurement (or a vendor's figures) of both operations on
 * that TPM; docs/tpm-provider.md lists the rows and their sources. */
static const struct {
    uint32_t manufacturer;
    tpm_salt_choice choice;
    const char *why;
} known[] = {
    /* Microsoft's reference implementation (ms-tpm-20-ref, MANUFACTURER
     * "MSFT", vendor strings "xCG " "fTPM"), the firmware TPM that OP-TEE
     * runs on NVIDIA's Jetson Orin (JetPack 6): ECDH P-256 89.6 ms, RSA-2048
     * private 11.9 ms (wolfTPM's Jetson figures). */
    {0x4D534654u, TPM_SALT_RSA, "MSFT: the firmware TPM (ms-tpm-20-ref) of the Jetson Orin"},
    /* Infineon (SLB9670, SLB9672): a discrete TPM whose RSA-2048 private
     * operation costs more than its ECDH. */
    {0x49465800u, TPM_SALT_ECC, "IFX: a discrete Infineon TPM (SLB967x)"},
    /* IBM's libtpms (swtpm, the tests' TPM): both in software, ECDH cheaper. */
    {0x49424D00u, TPM_SALT_ECC, "IBM: libtpms (swtpm)"},
};

tpm_salt_choice salt_key_by_tpm(uint32_t manufacturer, uint32_t fw1, uint32_t fw2,
                                const char **why)
{
    (void)fw1;              /* no row depends on the firmware version yet */
    (void)fw2;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].manufacturer == manufacturer) {
            *why = known[i].why;
            return known[i].choice;
        }
    *why = "a TPM not in the table: ecc, the default";
    return TPM_SALT_ECC;
}
