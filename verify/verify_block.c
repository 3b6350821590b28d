/* secprov_verify_block(): see secprov_verify.h and docs/attestation.md. */
#include "secprov_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <tss2/tss2_mu.h>

#include "attest_common.h"
#include "block.h"
#include "enrollment.h"
#include "verify_json.h"

/* The enrolled AK, through the one enrollment reader (formats/enrollment.h):
 * the record's one-key checks (ak.name, ak.pem and ak.public one key; the
 * same for ek.*) hold for the block as for the report, and the enrolled AK
 * must be a restricted TPM signing key. */
static int read_enrolled_ak(const char *text, TPM2B_PUBLIC *ak, vj_err *e)
{
    sp_enrollment en;
    const char *why;
    int rc = sp_enrollment_read(text, &en, e);

    if (rc == SECPROV_VERIFY_OK && (why = attest_ak_refusal(&en.ak.publicArea)) != NULL) {
        vj_fail(e, "enrollment.ak: %s", why);
        rc = SECPROV_VERIFY_AK_ATTRIBUTES;
    }
    if (rc == SECPROV_VERIFY_OK)
        *ak = en.ak;
    sp_enrollment_free(&en);
    return rc;
}

static int same_public(const TPM2B_PUBLIC *a, const TPM2B_PUBLIC *b)
{
    TPM2B_NAME na, nb;

    return attest_public_name(&a->publicArea, &na) == 0 &&
           attest_public_name(&b->publicArea, &nb) == 0 && na.size == nb.size &&
           memcmp(na.name, nb.name, na.size) == 0;
}

/* ECDSA-SHA256 signature sig of the TPMS_ATTEST bytes att by key pub. */
static int signature_ok(const TPM2B_PUBLIC *pub, const TPMT_SIGNATURE *sig,
                        const TPM2B_ATTEST *att, const char *field, vj_err *e)
{
    const TPMS_SIGNATURE_ECC *s = &sig->signature.ecdsa;
    EVP_PKEY *key = attest_ecc_pkey(&pub->publicArea);
    ECDSA_SIG *es = NULL;
    EVP_MD_CTX *md = NULL;
    unsigned char *der = NULL;
    BIGNUM *br = NULL, *bs = NULL;
    int der_len = 0, ok = 0;

    if (sig->sigAlg != TPM2_ALG_ECDSA || s->hash != TPM2_ALG_SHA256) {
        EVP_PKEY_free(key);
        vj_fail(e, "tpm_attestation.%s: not ECDSA-SHA256 (sigAlg 0x%x)", field, sig->sigAlg);
        return SECPROV_VERIFY_SIGNATURE;
    }
    if (key != NULL && (es = ECDSA_SIG_new()) != NULL &&
        (br = BN_bin2bn(s->signatureR.buffer, s->signatureR.size, NULL)) != NULL &&
        (bs = BN_bin2bn(s->signatureS.buffer, s->signatureS.size, NULL)) != NULL &&
        ECDSA_SIG_set0(es, br, bs) == 1) {
        br = bs = NULL;
        der_len = i2d_ECDSA_SIG(es, &der);
        ok = der_len > 0 && (md = EVP_MD_CTX_new()) != NULL &&
             EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(md, der, (size_t)der_len, att->attestationData, att->size) == 1;
    }
    BN_free(br);
    BN_free(bs);
    ECDSA_SIG_free(es);
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    if (!ok)
        vj_fail(e, "tpm_attestation.%s: does not verify with %s", field,
                pub->publicArea.type == 0 ? "the key" : "its key");
    return ok ? SECPROV_VERIFY_OK : SECPROV_VERIFY_SIGNATURE;
}

static int check_signature(const block *b, vj_err *e)
{
    return signature_ok(&b->aik, &b->sig, &b->quote, "signature_b64", e);
}

/* --ephemeral-aik: the certification of the block's AIK by the enrolled AK
 * (TPM2_Certify of that key's name, with the same qualifying data). */
static int check_certification(const block *b, const TPM2B_PUBLIC *pinned,
                               const uint8_t qd[BLOCK_QD_LEN], vj_err *e)
{
    TPMS_ATTEST att;
    TPM2B_NAME name;
    size_t off = 0;
    int rc;

    if ((rc = signature_ok(pinned, &b->certify_sig, &b->certify, "aik_certify_signature_b64",
                           e)) != SECPROV_VERIFY_OK) {
        vj_fail(e, "tpm_attestation.aik_certify_signature_b64: not signed by the enrolled "
                "attestation key");
        return SECPROV_VERIFY_AK_MISMATCH;
    }
    memset(&att, 0, sizeof att);
    if (Tss2_MU_TPMS_ATTEST_Unmarshal(b->certify.attestationData, b->certify.size, &off, &att) !=
            TSS2_RC_SUCCESS || off != b->certify.size || att.magic != TPM2_GENERATED_VALUE ||
        att.type != TPM2_ST_ATTEST_CERTIFY) {
        vj_fail(e, "tpm_attestation.aik_certify_b64: not a TPM-made certification");
        return SECPROV_VERIFY_NOT_A_QUOTE;
    }
    if (attest_public_name(&b->aik.publicArea, &name) != 0 ||
        att.attested.certify.name.size != name.size ||
        memcmp(att.attested.certify.name.name, name.name, name.size) != 0) {
        vj_fail(e, "tpm_attestation.aik_certify_b64: certifies another key than aik_pubkey_b64");
        return SECPROV_VERIFY_AK_MISMATCH;
    }
    if (att.extraData.size != BLOCK_QD_LEN || memcmp(att.extraData.buffer, qd, BLOCK_QD_LEN) != 0) {
        vj_fail(e, "tpm_attestation.aik_certify_b64: qualifying data is not "
                "SHA-256(payload_id)[:16]");
        return SECPROV_VERIFY_QUALIFYING_DATA;
    }
    return SECPROV_VERIFY_OK;
}

static int same_selection(const TPML_PCR_SELECTION *a, const TPML_PCR_SELECTION *b)
{
    if (a->count != b->count)
        return 0;
    for (uint32_t i = 0; i < a->count; i++)
        for (int j = 0; j < 3; j++) {
            const TPMS_PCR_SELECTION *x = &a->pcrSelections[i], *y = &b->pcrSelections[i];
            uint8_t bx = j < x->sizeofSelect ? x->pcrSelect[j] : 0;
            uint8_t by = j < y->sizeofSelect ? y->pcrSelect[j] : 0;
            if (x->hash != y->hash || bx != by)
                return 0;
        }
    for (uint32_t i = 0; i < a->count; i++)   /* PCRs 24 and up: none */
        for (int j = 3; j < a->pcrSelections[i].sizeofSelect; j++)
            if (a->pcrSelections[i].pcrSelect[j] != 0)
                return 0;
    return 1;
}

/* Every PCR of expected ({bank: {index: hex}}) in the block, same value;
 * every drifted one named. */
static int check_expected(const block *b, const char *expected, vj_err *e)
{
    json_object *o = vj_parse(expected, "expected PCRs", e);
    char drift[400] = "";
    int rc = SECPROV_VERIFY_OK;

    if (o == NULL)
        return SECPROV_VERIFY_MALFORMED_PCRS;
    json_object_object_foreach(o, bank, idxs) {
        TPMI_ALG_HASH alg = attest_bank_alg(bank);
        if (alg == 0 || !json_object_is_type(idxs, json_type_object)) {
            vj_fail(e, "expected PCRs: '%.32s' is not a bank (sha1, sha256, sha384, sha512) "
                    "of {index: hex}", bank);
            rc = SECPROV_VERIFY_MALFORMED_PCRS;
            break;
        }
        json_object_object_foreach(idxs, idx, hex) {
            char *end;
            long n = strtol(idx, &end, 10);
            uint8_t *want = NULL;
            size_t want_len = 0;
            if (*idx == '\0' || *end != '\0' || n < 0 || n > 23 ||
                !json_object_is_type(hex, json_type_string) ||
                attest_unhex(json_object_get_string(hex), &want, &want_len) != 0) {
                vj_fail(e, "expected PCRs: %.32s.%.8s is not a PCR 0..23 with a hex value",
                        bank, idx);
                rc = SECPROV_VERIFY_MALFORMED_PCRS;
                break;
            }
            /* find it in the block */
            const TPM2B_DIGEST *got = NULL;
            uint32_t k = 0;
            for (uint32_t i = 0; i < b->sel.count && got == NULL; i++)
                for (int p = 0; p < 24; p++) {
                    const TPMS_PCR_SELECTION *s = &b->sel.pcrSelections[i];
                    if (!(s->pcrSelect[p / 8] & (1u << (p % 8))))
                        continue;
                    if (s->hash == alg && p == n) {
                        got = &b->values.digests[k];
                        break;
                    }
                    k++;
                }
            if (got == NULL || got->size != want_len || memcmp(got->buffer, want, want_len) != 0) {
                size_t used = strlen(drift);
                snprintf(drift + used, sizeof drift - used, "%s%s:%ld%s", used ? ", " : "", bank,
                         n, got == NULL ? " (not quoted)" : "");
                rc = SECPROV_VERIFY_PCR_VALUES;
            }
            free(want);
        }
        if (rc == SECPROV_VERIFY_MALFORMED_PCRS)
            break;
    }
    json_object_put(o);
    if (rc == SECPROV_VERIFY_PCR_VALUES)
        vj_fail(e, "tpm_attestation.pcr_values: differ from the expected values: %s", drift);
    return rc;
}

static int check(const block *b, const void *payload_id, size_t len, const char *enrollment,
                 const char *expected, vj_err *e)
{
    uint8_t qd[BLOCK_QD_LEN], digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    TPMS_ATTEST att;
    TPM2B_PUBLIC pinned;
    const char *refusal;
    size_t off = 0;
    int rc;

    if (!b->available) {
        vj_fail(e, "tpm_attestation: is_available is false (the device gave no quote)");
        return SECPROV_VERIFY_MALFORMED_REPORT;
    }
    if (block_qualifying_data(payload_id, len, qd) != 0)
        return SECPROV_VERIFY_NOMEM;
    if (enrollment != NULL) {
        if ((rc = read_enrolled_ak(enrollment, &pinned, e)) != SECPROV_VERIFY_OK)
            return rc;
        if (b->certified) {
            if ((rc = check_certification(b, &pinned, qd, e)) != SECPROV_VERIFY_OK)
                return rc;
        } else if (!same_public(&pinned, &b->aik)) {
            vj_fail(e, "tpm_attestation.aik_pubkey_b64: not the enrolled attestation key");
            return SECPROV_VERIFY_AK_MISMATCH;
        }
    }
    if ((refusal = attest_ak_refusal(&b->aik.publicArea)) != NULL) {
        vj_fail(e, "tpm_attestation.aik_pubkey_b64: %s", refusal);
        return SECPROV_VERIFY_AK_ATTRIBUTES;
    }
    memset(&att, 0, sizeof att);
    if (Tss2_MU_TPMS_ATTEST_Unmarshal(b->quote.attestationData, b->quote.size, &off, &att) !=
            TSS2_RC_SUCCESS || off != b->quote.size || att.magic != TPM2_GENERATED_VALUE ||
        att.type != TPM2_ST_ATTEST_QUOTE) {
        vj_fail(e, "tpm_attestation.quote_b64: not a TPM-made quote (TPMS_ATTEST of type quote)");
        return SECPROV_VERIFY_NOT_A_QUOTE;
    }
    if ((rc = check_signature(b, e)) != SECPROV_VERIFY_OK)
        return rc;
    if (att.extraData.size != BLOCK_QD_LEN || memcmp(att.extraData.buffer, qd, BLOCK_QD_LEN) != 0) {
        vj_fail(e, "tpm_attestation.quote_b64: qualifying data is not SHA-256(payload_id)[:16] "
                "(another payload id, or a replayed block)");
        return SECPROV_VERIFY_QUALIFYING_DATA;
    }
    if (!same_selection(&att.attested.quote.pcrSelect, &b->sel)) {
        vj_fail(e, "tpm_attestation.pcr_banks: not the PCRs the quote covers");
        return SECPROV_VERIFY_FIELD_MISMATCH;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    for (uint32_t i = 0; ok && i < b->values.count; i++)
        ok = EVP_DigestUpdate(md, b->values.digests[i].buffer, b->values.digests[i].size) == 1;
    ok = ok && EVP_DigestFinal_ex(md, digest, &dlen) == 1;
    EVP_MD_CTX_free(md);
    if (!ok)
        return SECPROV_VERIFY_NOMEM;
    if (att.attested.quote.pcrDigest.size != dlen ||
        memcmp(att.attested.quote.pcrDigest.buffer, digest, dlen) != 0) {
        vj_fail(e, "tpm_attestation.pcr_values: not the values quoted (pcrDigest differs)");
        return SECPROV_VERIFY_PCR_DIGEST;
    }
    return expected != NULL ? check_expected(b, expected, e) : SECPROV_VERIFY_OK;
}

int secprov_verify_block(const char *block_text, const void *payload_id, size_t len,
                         const char *enrollment, const char *expected_pcrs, char *detail,
                         size_t detail_len)
{
    vj_err e = {detail, detail_len};
    char why[300];
    block *b;
    int rc;

    vj_fail(&e, "ok");
    if (block_text == NULL || payload_id == NULL || len == 0 || len > BLOCK_PAYLOAD_ID_MAX) {
        vj_fail(&e, "a NULL argument, or a payload id not 1 to %d bytes", BLOCK_PAYLOAD_ID_MAX);
        return SECPROV_VERIFY_BAD_ARGUMENT;
    }
    if ((b = malloc(sizeof *b)) == NULL)
        return SECPROV_VERIFY_NOMEM;
    if (block_read(block_text, b, why, sizeof why) != 0) {
        vj_fail(&e, "%s", why);
        rc = SECPROV_VERIFY_MALFORMED_REPORT;
    } else {
        rc = check(b, payload_id, len, enrollment, expected_pcrs, &e);
    }
    free(b);
    return rc;
}
