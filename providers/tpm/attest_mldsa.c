/* The ML-DSA-65 device key, its seed sealed by the TPM: see attest_mldsa.h. */
#include "attest_mldsa.h"

#include <stdlib.h>
#include <string.h>

#include "attest_common.h"

#if !ATTEST_HAVE_MLDSA

int attest_mldsa_public(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                        uint8_t **pub, size_t *pub_len, TSS2_RC *trc)
{
    (void)e, (void)env, (void)d;
    *pub = NULL;
    *pub_len = 0;
    *trc = TSS2_RC_SUCCESS;
    return SECPROV_OK;
}

int attest_mldsa_sign(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                      const uint8_t *pub, size_t pub_len, const uint8_t *msg, size_t msg_len,
                      uint8_t **sig, size_t *sig_len, TSS2_RC *trc)
{
    (void)e, (void)env, (void)d, (void)pub, (void)pub_len, (void)msg, (void)msg_len;
    *sig = NULL;
    *sig_len = 0;
    *trc = TSS2_RC_SUCCESS;
    return SECPROV_ERR_UNSUPPORTED;
}

const char *attest_mldsa_state(void)
{
    return "not built (OpenSSL " OPENSSL_VERSION_STR " < 3.5): reports carry the TPM "
           "signature only";
}

#else /* ATTEST_HAVE_MLDSA */

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <tss2/tss2_mu.h>

#include "aead.h"
#include "attest_key.h"
#include "state_files.h"

/* The seed's sealed object is the device's, not a named secret's: no name to
 * bind it to (name_auth.h), so its auth value is empty; it lives outside the
 * keystore, in <state_dir>/attest, and its file is checked like the AK's. */
static const TPM2B_AUTH seed_auth = {.size = 0};

const char *attest_mldsa_state(void)
{
    return ATTEST_MLDSA_ALG " (OpenSSL " OPENSSL_VERSION_STR "), private key sealed by the TPM";
}

/* The key of a seed (FIPS 204 KeyGen from xi): NULL on failure. */
static EVP_PKEY *key_of_seed(const uint8_t seed[ATTEST_MLDSA_SEED_LEN])
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_ML_DSA_SEED, (void *)seed,
                                          ATTEST_MLDSA_SEED_LEN),
        OSSL_PARAM_construct_end()};
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, ATTEST_MLDSA_ALG, NULL);
    EVP_PKEY *key = NULL;

    if (pc == NULL || EVP_PKEY_keygen_init(pc) != 1 || EVP_PKEY_CTX_set_params(pc, params) != 1 ||
        EVP_PKEY_generate(pc, &key) != 1)
        key = NULL;
    EVP_PKEY_CTX_free(pc);
    return key;
}

static int raw_public(EVP_PKEY *key, uint8_t *out, size_t *len)
{
    return EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out,
                                           ATTEST_MLDSA_PUB_LEN, len) == 1 &&
                   *len == ATTEST_MLDSA_PUB_LEN ? 0 : -1;
}

static int dir_of(const secprov_provider_env *env, char *out, size_t len)
{
    int rc = sp_dirs_make(env->state_dir, ATTEST_DIR);
    return rc == SECPROV_OK ? sp_path_join(out, len, env->state_dir, ATTEST_DIR) : rc;
}

static int create(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                  const char *dir, uint8_t **pub, size_t *pub_len, TSS2_RC *trc)
{
    uint8_t seed[ATTEST_MLDSA_SEED_LEN], blob[sizeof(TPM2B_PRIVATE) + sizeof(TPM2B_PUBLIC)];
    uint8_t *raw = malloc(ATTEST_MLDSA_PUB_LEN);
    TPM2B_PUBLIC spub;
    TPM2B_PRIVATE spriv;
    EVP_PKEY *key = NULL;
    size_t len = 0, blen = 0;
    int rc = raw != NULL ? sp_random(seed, sizeof seed) : SECPROV_ERR_NOMEM;

    if (rc == SECPROV_OK && ((key = key_of_seed(seed)) == NULL || raw_public(key, raw, &len) != 0)) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: cannot make an %s key with this OpenSSL",
                 ATTEST_MLDSA_ALG);
        rc = SECPROV_ERR_INTERNAL;
    }
    EVP_PKEY_free(key);
    if (rc == SECPROV_OK && (*trc = tpm_esys_seal(e, seed, sizeof seed, &seed_auth, &spub, &spriv, d)) != TSS2_RC_SUCCESS)
        rc = SECPROV_ERR_TPM;
    sp_cleanse(seed, sizeof seed);
    if (rc == SECPROV_OK &&
        (Tss2_MU_TPM2B_PRIVATE_Marshal(&spriv, blob, sizeof blob, &blen) != TSS2_RC_SUCCESS ||
         Tss2_MU_TPM2B_PUBLIC_Marshal(&spub, blob, sizeof blob, &blen) != TSS2_RC_SUCCESS))
        rc = SECPROV_ERR_INTERNAL;
    if (rc == SECPROV_OK && (rc = sp_file_write_atomic(dir, "mldsa.sealed", blob, blen)) == SECPROV_OK)
        rc = sp_file_write_atomic(dir, "mldsa.pub", raw, len);      /* commit */
    if (rc != SECPROV_OK) {
        free(raw);
        return rc;
    }
    env->log(env, SECPROV_LOG_INFO, "tpm: made the %s key in %s", ATTEST_MLDSA_ALG, dir);
    *pub = raw;
    *pub_len = len;
    return SECPROV_OK;
}

int attest_mldsa_public(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                        uint8_t **pub, size_t *pub_len, TSS2_RC *trc)
{
    char dir[4096];
    void *data;
    int rc;

    *pub = NULL;
    *trc = TSS2_RC_SUCCESS;
    if ((rc = dir_of(env, dir, sizeof dir)) != SECPROV_OK)
        return rc;
    rc = sp_file_read(dir, "mldsa.pub", ATTEST_MLDSA_PUB_LEN + 1, &data, pub_len);
    if (rc == SECPROV_ERR_NOT_FOUND)
        return create(e, env, d, dir, pub, pub_len, trc);
    if (rc == SECPROV_OK && *pub_len != ATTEST_MLDSA_PUB_LEN) {
        free(data);
        rc = SECPROV_ERR_INTEGRITY;
    }
    if (rc != SECPROV_OK) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: cannot use %s/mldsa.pub: %s (it is kept)", dir,
                 env->status_text(rc));
        return rc == SECPROV_ERR_TOO_LARGE ? SECPROV_ERR_INTEGRITY : rc;
    }
    *pub = data;
    return SECPROV_OK;
}

/* Unseal the seed and derive the key, checked against pub. */
static int load_key(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                    const uint8_t *pub, EVP_PKEY **key, TSS2_RC *trc)
{
    char dir[4096];
    uint8_t *seed = env->secret_alloc(128), raw[ATTEST_MLDSA_PUB_LEN];
    size_t len = 0, off = 0, seed_len = 0, raw_len = 0;
    TPM2B_PUBLIC spub;
    TPM2B_PRIVATE spriv;
    void *blob;
    int rc;

    *key = NULL;
    if (seed == NULL)
        return SECPROV_ERR_NOMEM;
    if ((rc = dir_of(env, dir, sizeof dir)) != SECPROV_OK ||
        (rc = sp_file_read(dir, "mldsa.sealed", sizeof spriv + sizeof spub, &blob, &len)) != SECPROV_OK) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: cannot read %s/mldsa.sealed: %s", dir,
                 env->status_text(rc));
        env->secret_free(seed, 128);
        return rc == SECPROV_ERR_NOT_FOUND || rc == SECPROV_ERR_TOO_LARGE ? SECPROV_ERR_INTEGRITY : rc;
    }
    memset(&spub, 0, sizeof spub);
    memset(&spriv, 0, sizeof spriv);
    if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(blob, len, &off, &spriv) != TSS2_RC_SUCCESS ||
        Tss2_MU_TPM2B_PUBLIC_Unmarshal(blob, len, &off, &spub) != TSS2_RC_SUCCESS || off != len)
        rc = SECPROV_ERR_INTEGRITY;
    free(blob);
    if (rc == SECPROV_OK && (*trc = tpm_esys_unseal(e, &spub, &spriv, &seed_auth, seed, &seed_len, d)) != TSS2_RC_SUCCESS)
        rc = SECPROV_ERR_TPM;
    if (rc == SECPROV_OK && (seed_len != ATTEST_MLDSA_SEED_LEN || (*key = key_of_seed(seed)) == NULL ||
                             raw_public(*key, raw, &raw_len) != 0 ||
                             memcmp(raw, pub, ATTEST_MLDSA_PUB_LEN) != 0))
        rc = SECPROV_ERR_INTEGRITY;
    env->secret_free(seed, 128);      /* zeroed, unlocked, unmapped */
    if (rc == SECPROV_ERR_INTEGRITY)
        env->log(env, SECPROV_LOG_ERROR, "tpm: %s/mldsa.sealed does not hold the key of "
                 "mldsa.pub (the files are kept)", dir);
    if (rc != SECPROV_OK) {
        EVP_PKEY_free(*key);
        *key = NULL;
    }
    return rc;
}

int attest_mldsa_sign(tpm_esys *e, const secprov_provider_env *env, const tpm_deadline *d,
                      const uint8_t *pub, size_t pub_len, const uint8_t *msg, size_t msg_len,
                      uint8_t **sig, size_t *sig_len, TSS2_RC *trc)
{
    OSSL_PARAM params[2];
    EVP_MD_CTX *md = NULL;
    EVP_PKEY *key;
    int rc;

    *sig = NULL;
    *trc = TSS2_RC_SUCCESS;
    if (pub_len != ATTEST_MLDSA_PUB_LEN)
        return SECPROV_ERR_INTERNAL;
    if ((rc = load_key(e, env, d, pub, &key, trc)) != SECPROV_OK)
        return rc;
    attest_mldsa_sig_params(params);
    *sig_len = ATTEST_MLDSA_SIG_LEN;
    if ((*sig = malloc(*sig_len)) == NULL || (md = EVP_MD_CTX_new()) == NULL ||
        EVP_DigestSignInit_ex(md, NULL, NULL, NULL, NULL, key, params) != 1 ||
        EVP_DigestSign(md, *sig, sig_len, msg, msg_len) != 1 || *sig_len != ATTEST_MLDSA_SIG_LEN) {
        env->log(env, SECPROV_LOG_ERROR, "tpm: the %s signature failed", ATTEST_MLDSA_ALG);
        free(*sig);
        *sig = NULL;
        rc = SECPROV_ERR_INTERNAL;
    }
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);                /* OpenSSL zeroes the private key as it frees it */
    return rc;
}

#endif /* ATTEST_HAVE_MLDSA */
