/* The salt key of a connection, resolved, read, checked or made: see
 * salt_key.h. */
#include "salt_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "state_files.h"
#include "tpm_ctx.h"

#define SALT_FILE_MAX 4096

static int salt_dir(const tpm_ctx *c, char *out, size_t len)
{
    return sp_path_join(out, len, c->env->state_dir, SALT_DIR);
}

/* The recorded choice of auto: 1 rsa, 0 ecc, -1 none (or unreadable). */
static int auto_recorded(const tpm_ctx *c, char *desc, size_t desc_len)
{
    char dir[PATH_MAX_LEN];
    void *data;
    size_t len;
    int choice = -1;

    if (salt_dir(c, dir, sizeof dir) != SECPROV_OK ||
        sp_file_read(dir, SALT_AUTO_FILE, 256, &data, &len) != SECPROV_OK)
        return -1;
    if (len >= 4 && memcmp(data, "rsa ", 4) == 0)
        choice = 1;
    else if (len >= 4 && memcmp(data, "ecc ", 4) == 0)
        choice = 0;
    if (choice >= 0)
        snprintf(desc, desc_len, "%.*s", (int)strcspn(data, "\n") < (int)len
                                             ? (int)strcspn(data, "\n") : (int)len,
                 (const char *)data);
    free(data);
    return choice;
}

/* auto: the table's choice for this TPM (one TPM2_GetCapability), recorded
 * for later processes when the state folder can be written. */
static int auto_resolve(tpm_ctx *c, int *rsa)
{
    TPMI_YES_NO more = 0;
    TPMS_CAPABILITY_DATA *cap = NULL;
    uint32_t v[8] = {0};
    const char *why;
    TSS2_RC rc;

    if ((*rsa = auto_recorded(c, c->salt_desc, sizeof c->salt_desc)) >= 0)
        return SECPROV_OK;
    /* TPM2_PT_MANUFACTURER .. TPM2_PT_FIRMWARE_VERSION_2 */
    ESYS_RUN(rc, c->esys.esys, &c->deadline,
             Esys_GetCapability_Async(c->esys.esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                      TPM2_CAP_TPM_PROPERTIES, TPM2_PT_MANUFACTURER, 8),
             Esys_GetCapability_Finish(c->esys.esys, &more, &cap));
    if (rc != TSS2_RC_SUCCESS)
        return tpm_failed(c, rc, "reading the TPM's manufacturer for", "tpm.salt_key auto");
    if (cap->capability == TPM2_CAP_TPM_PROPERTIES)
        for (UINT32 i = 0; i < cap->data.tpmProperties.count && i < TPM2_MAX_TPM_PROPERTIES; i++) {
            TPM2_PT p = cap->data.tpmProperties.tpmProperty[i].property;
            if (p >= TPM2_PT_MANUFACTURER && p < TPM2_PT_MANUFACTURER + 8)
                v[p - TPM2_PT_MANUFACTURER] = cap->data.tpmProperties.tpmProperty[i].value;
        }
    Esys_Free(cap);
    /* v: manufacturer, vendor strings 1-4, vendor TPM type, firmware 1 and 2 */
    *rsa = salt_key_by_tpm(v[0], v[6], v[7], &why) == TPM_SALT_RSA;
    snprintf(c->salt_desc, sizeof c->salt_desc, "%s %08x %08x.%08x (%s)", *rsa ? "rsa" : "ecc",
             (unsigned)v[0], (unsigned)v[6], (unsigned)v[7], why);
    char dir[PATH_MAX_LEN], line[sizeof c->salt_desc + 1];
    snprintf(line, sizeof line, "%s\n", c->salt_desc);
    if (salt_dir(c, dir, sizeof dir) == SECPROV_OK &&
        (sp_dirs_make(c->env->state_dir, SALT_DIR) != SECPROV_OK ||
         sp_file_write_atomic(dir, SALT_AUTO_FILE, line, strlen(line)) != SECPROV_OK))
        c->env->log(c->env, SECPROV_LOG_DEBUG, "tpm: cannot record tpm.salt_key auto's "
                    "choice in %s/%s (read-only?): asked again per connection", dir,
                    SALT_AUTO_FILE);
    c->env->log(c->env, SECPROV_LOG_INFO, "tpm: tpm.salt_key auto: %s", c->salt_desc);
    return SECPROV_OK;
}

/* Make the RSA salt key under the SRK and write its file. On a read-only
 * state folder: auto (fall_back) takes the SRK instead (1), rsa fails. */
static int make_key(tpm_ctx *c, const char *dir, tpm_session *t, int fall_back)
{
    static const TPM2B_SENSITIVE_CREATE no_auth;
    static const TPM2B_DATA no_outside_info;
    static const TPML_PCR_SELECTION no_pcrs;
    TPM2B_PUBLIC *pub = NULL;
    TPM2B_PRIVATE *priv = NULL;
    uint8_t buf[sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE)];
    size_t len = 0;
    tpm_deadline keygen;
    TSS2_RC rc;
    int st;

    if ((st = sp_dir_writable(c->env->state_dir, NULL, 0)) != SECPROV_OK && fall_back) {
        c->env->log(c->env, SECPROV_LOG_WARNING, "tpm: tpm.salt_key auto chose rsa, but there "
                    "is no salt key %s/%s and the state folder is read-only: salted to the "
                    "SRK (ecc)", dir, SALT_RSA_FILE);
        return 1;
    }
    if (st != SECPROV_OK) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: tpm.salt_key rsa: there is no salt key "
                    "%s/%s, and the state folder is read-only: make it once with a writable "
                    "state folder", dir, SALT_RSA_FILE);
        return st;
    }
    tpm_deadline_set(&keygen, SALT_KEYGEN_MS);
    ESYS_RUN(rc, c->esys.esys, &keygen,
             Esys_Create_Async(c->esys.esys, c->esys.srk, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                               ESYS_TR_NONE, &no_auth, &salt_rsa_template, &no_outside_info,
                               &no_pcrs),
             Esys_Create_Finish(c->esys.esys, &priv, &pub, NULL, NULL, NULL));
    if (rc != TSS2_RC_SUCCESS)
        return tpm_failed(c, rc, "making the RSA salt key", SALT_DIR "/" SALT_RSA_FILE);
    t->salt_pub = *pub;
    t->salt_priv = *priv;
    Esys_Free(pub);
    Esys_Free(priv);
    if (Tss2_MU_TPM2B_PUBLIC_Marshal(&t->salt_pub, buf, sizeof buf, &len) != TSS2_RC_SUCCESS ||
        Tss2_MU_TPM2B_PRIVATE_Marshal(&t->salt_priv, buf, sizeof buf, &len) != TSS2_RC_SUCCESS)
        return SECPROV_ERR_INTERNAL;
    if ((st = sp_dirs_make(c->env->state_dir, SALT_DIR)) != SECPROV_OK ||
        (st = sp_file_write_atomic(dir, SALT_RSA_FILE, buf, len)) != SECPROV_OK) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: cannot write the salt key %s/%s: %s", dir,
                    SALT_RSA_FILE, c->env->status_text(st));
        return st;
    }
    c->env->log(c->env, SECPROV_LOG_INFO, "tpm: made the RSA salt key %s/%s", dir,
                SALT_RSA_FILE);
    return SECPROV_OK;
}

/* Read and check the RSA salt key's file into t (made when there is none). */
static int rsa_key(tpm_ctx *c, tpm_session *t, int fall_back)
{
    char dir[PATH_MAX_LEN];
    const char *why = NULL;
    void *data = NULL;
    size_t len = 0, off = 0;
    int st;

    if ((st = salt_dir(c, dir, sizeof dir)) != SECPROV_OK)
        return st;
    st = sp_file_read(dir, SALT_RSA_FILE, SALT_FILE_MAX, &data, &len);
    if (st == SECPROV_ERR_NOT_FOUND)
        return make_key(c, dir, t, fall_back);
    if (st != SECPROV_OK) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: cannot use the salt key %s/%s: %s", dir,
                    SALT_RSA_FILE, c->env->status_text(st));
        return st == SECPROV_ERR_TOO_LARGE ? SECPROV_ERR_INTEGRITY : st;
    }
    memset(&t->salt_pub, 0, sizeof t->salt_pub);        /* tpm2-tss refuses a non-zero size */
    memset(&t->salt_priv, 0, sizeof t->salt_priv);
    if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(data, len, &off, &t->salt_pub) != TSS2_RC_SUCCESS ||
        Tss2_MU_TPM2B_PRIVATE_Unmarshal(data, len, &off, &t->salt_priv) != TSS2_RC_SUCCESS ||
        off != len)
        why = "it is malformed";
    free(data);                                         /* public and wrapped: nothing secret */
    if (why == NULL)
        (void)salt_key_check_public(&t->salt_pub, &why);
    if (why != NULL) {
        c->env->log(c->env, SECPROV_LOG_ERROR, "tpm: refusing the salt key %s/%s: %s (the file "
                    "is kept; no session is salted to it)", dir, SALT_RSA_FILE, why);
        return SECPROV_ERR_INTEGRITY;
    }
    return SECPROV_OK;
}

int salt_key_prepare(tpm_ctx *c)
{
    tpm_session *t = &c->esys.session;
    int rsa = c->set.salt_key == TPM_SALT_RSA, st = SECPROV_OK;

    if (c->esys.esys == NULL)
        return SECPROV_ERR_INTERNAL;

    t->salt_rsa = 0;
    if (c->set.salt_key == TPM_SALT_AUTO && (st = auto_resolve(c, &rsa)) != SECPROV_OK)
        return st;                                      /* tpm_failed dropped the contexts */
    if (c->set.salt_key != TPM_SALT_AUTO)
        snprintf(c->salt_desc, sizeof c->salt_desc, "%s (set)", rsa ? "rsa" : "ecc");
    if (rsa &&
        (st = rsa_key(c, t, c->set.salt_key == TPM_SALT_AUTO)) == 1) {
        rsa = 0;                                        /* auto, read-only: the SRK */
        snprintf(c->salt_desc, sizeof c->salt_desc, "ecc (auto chose rsa; no key can be made "
                 "in the read-only state folder)");
    } else if (rsa && st != SECPROV_OK) {
        tpm_drop(c);
        return st;
    }
    t->salt_rsa = rsa;
    return SECPROV_OK;
}
