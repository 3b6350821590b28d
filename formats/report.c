/* The report's digests: see report.h. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "canonical.h"

const char *const sp_report_after_quote[] = {"quote", "pcrs", "zero_pcrs", "clock", "mldsa", NULL};

static int digest(json_object *report, const char *const *omit, const char *tag, const EVP_MD *md,
                  uint8_t out[REPORT_DIGEST_LEN], char *why, size_t why_len)
{
    char *bytes = NULL;
    size_t len = 0;
    unsigned int dlen = 0;
    EVP_MD_CTX *c;
    int ok;

    if (sp_canonical_json(report, omit, &bytes, &len, why, why_len) != 0)
        return -1;
    ok = (c = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex(c, md, NULL) == 1 &&
         (tag == NULL || EVP_DigestUpdate(c, tag, strlen(tag)) == 1) &&
         EVP_DigestUpdate(c, bytes, len) == 1 && EVP_DigestFinal_ex(c, out, &dlen) == 1 &&
         dlen == REPORT_DIGEST_LEN;
    EVP_MD_CTX_free(c);
    free(bytes);
    if (!ok && why != NULL && why_len > 0)
        snprintf(why, why_len, "report: cannot hash its canonical bytes (out of memory?)");
    return ok ? 0 : -1;
}

int sp_report_qualifying_data(json_object *report, uint8_t out[REPORT_DIGEST_LEN], char *why,
                              size_t why_len)
{
    return digest(report, sp_report_after_quote, REPORT_DOMAIN_TAG, EVP_sha256(), out, why,
                  why_len);
}

int sp_report_mldsa_digest(json_object *report, uint8_t out[REPORT_DIGEST_LEN], char *why,
                           size_t why_len)
{
    static const char *const omit[] = {"mldsa", NULL};

    return digest(report, omit, NULL, EVP_sha3_256(), out, why, why_len);
}
