/* FAPI keystore files of sealed objects: see keystore_object.h. */
#include "keystore_object.h"

#include "keystore_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <tss2/tss2_mu.h>

#include "esys_seal.h"
#include "fapi_setup.h"
#include "secprov.h"
#include "state_files.h"

static json_object *hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char buf[2 * sizeof(TPM2B_PRIVATE) + 1];

    if (2 * n >= sizeof buf)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = digits[p[i] >> 4];
        buf[2 * i + 1] = digits[p[i] & 15];
    }
    return json_object_new_string_len(buf, (int)(2 * n));
}

/* obj[key] = value, which add() owns from here on (it is released if it
 * cannot be added): 0, or -1 when value is NULL or adding failed. */
static int add(json_object *obj, const char *key, json_object *value)
{
    if (value == NULL)
        return -1;
    if (obj == NULL || json_object_object_add(obj, key, value) != 0) {
        json_object_put(value);
        return -1;
    }
    return 0;
}

/* A new empty object, added to obj under key (so that releasing the root
 * releases it); NULL if that failed. Members keep the order they are added
 * in, which is FAPI's order. */
static json_object *add_object(json_object *obj, const char *key)
{
    json_object *o = json_object_new_object();
    return add(obj, key, o) == 0 ? o : NULL;
}

/* TPMA_OBJECT as FAPI writes it: one 0/1 member per attribute. */
static json_object *attributes(TPMA_OBJECT a)
{
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < keystore_attr_count; i++)
        if (add(o, keystore_attrs[i].name, json_object_new_int((a & keystore_attrs[i].bit) != 0)) != 0) {
            json_object_put(o);
            return NULL;
        }
    return o;
}

/* The TPM2B_PUBLIC of a sealed (keyed-hash, no scheme) object. */
static json_object *public_json(const TPM2B_PUBLIC *pub)
{
    const TPMT_PUBLIC *a = &pub->publicArea;
    uint8_t area[sizeof(TPMT_PUBLIC)];
    size_t len = 0;

    if (a->type != TPM2_ALG_KEYEDHASH || a->nameAlg != TPM2_ALG_SHA256 ||
        a->parameters.keyedHashDetail.scheme.scheme != TPM2_ALG_NULL ||
        Tss2_MU_TPMT_PUBLIC_Marshal(a, area, sizeof area, &len) != TSS2_RC_SUCCESS)
        return NULL;
    json_object *o = json_object_new_object(), *area_o, *params;
    int ok = add(o, "size", json_object_new_int((int)len)) == 0 &&
             (area_o = add_object(o, "publicArea")) != NULL &&
             add(area_o, "type", json_object_new_string("KEYEDHASH")) == 0 &&
             add(area_o, "nameAlg", json_object_new_string("SHA256")) == 0 &&
             add(area_o, "objectAttributes", attributes(a->objectAttributes)) == 0 &&
             add(area_o, "authPolicy", hex(a->authPolicy.buffer, a->authPolicy.size)) == 0 &&
             (params = add_object(area_o, "parameters")) != NULL &&
             add(add_object(params, "scheme"), "scheme", json_object_new_string("NULL")) == 0 &&
             add(area_o, "unique", hex(a->unique.keyedHash.buffer, a->unique.keyedHash.size)) == 0;
    if (ok)
        return o;
    json_object_put(o);
    return NULL;
}

static char *object_json(const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv, int with_auth)
{
    TPM2B_NAME name;
    json_object *o = json_object_new_object();
    char *text = NULL;

    if (o != NULL && tpm_public_name(pub, &name) == 0 &&
        add(o, "objectType", json_object_new_int(1)) == 0 &&      /* IFAPI_KEY_OBJ */
        add(o, "system", json_object_new_string("NO")) == 0 &&
        add(o, "with_auth", json_object_new_string(with_auth ? "YES" : "NO")) == 0 &&
        add(o, "persistent_handle", json_object_new_int(0)) == 0 &&
        add(o, "public", public_json(pub)) == 0 &&
        add(o, "serialization", json_object_new_string("")) == 0 &&
        add(o, "private", hex(priv->buffer, priv->size)) == 0 &&
        add(o, "policyInstance", json_object_new_string("")) == 0 &&
        add(o, "description", json_object_new_string("")) == 0 &&
        add(o, "certificate", json_object_new_string("")) == 0 &&
        add(o, "name", hex(name.name, name.size)) == 0 &&
        add(o, "delete_prohibited", json_object_new_string("NO")) == 0 &&
        add(o, "ek_profile", json_object_new_string("NO")) == 0)
        text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}

int keystore_object_write(const char *state_dir, const char *object_path,
                          const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv, int with_auth)
{
    char base[4096], dir[4096];
    int rc;

    if ((size_t)snprintf(base, sizeof base, "%s/keystore/user", state_dir) >= sizeof base ||
        (size_t)snprintf(dir, sizeof dir, "%s/" PROFILE_NAME "%s", base, object_path) >= sizeof dir)
        return SECPROV_ERR_TOO_LARGE;
    char *text = object_json(pub, priv, with_auth);
    if (text == NULL)
        return SECPROV_ERR_NOMEM;
    rc = sp_dirs_make(base, dir + strlen(base) + 1);
    if (rc == SECPROV_OK)
        rc = sp_file_write_atomic(dir, "object.json", text, strlen(text));
    free(text);
    return rc;
}

int keystore_object_remove(const char *state_dir, const char *object_path)
{
    static const char *const stores[] = {"keystore/user", "keystore/system"};
    char dir[4096];
    int removed = -1;

    for (size_t i = 0; i < 2; i++) {
        int n = snprintf(dir, sizeof dir, "%s/%s/" PROFILE_NAME "%s", state_dir, stores[i],
                         object_path);
        if (n < 0 || (size_t)n >= sizeof dir)
            continue;
        /* Not synced: if the removal is lost in a power cut, the object
         * comes back superseded, and the next write sweeps it. The folder
         * is opened without following a symlink, as for every state file. */
        int rc = sp_file_remove_unsynced(dir, "object.json");
        if (rc == SECPROV_OK)
            removed = 0;
        if (rc == SECPROV_OK || rc == SECPROV_ERR_NOT_FOUND) {
            sp_temp_sweep(dir);         /* a temp file left by a killed writer */
            (void)rmdir(dir);           /* an empty folder left by a crash is ignored by FAPI */
        }
    }
    return removed;
}

/* Read state_dir/<store>/<profile><object_path>/object.json: a regular
 * file of this user (or root), not a symlink, not world-writable (FAPI
 * itself writes its files 0660 or 0644 inside the 0700 state folder), at
 * most KEYSTORE_JSON_MAX bytes, parsed by keystore_json_parse. */
static int read_entry(const char *state_dir, const char *store, const char *object_path,
                      keystore_kind kind, keystore_entry *e, char *why, size_t why_len)
{
    char path[4096];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/%s/" PROFILE_NAME "%s/object.json", state_dir,
                     store, object_path);

    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(why, why_len, "the path of %s is too long", object_path);
        return SECPROV_ERR_TOO_LARGE;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(why, why_len, "%s: %s", path, strerror(errno));
        return errno == ENOENT || errno == ENOTDIR ? SECPROV_ERR_NOT_FOUND
               : errno == ELOOP || errno == EACCES ? SECPROV_ERR_PERMISSION
                                                   : SECPROV_ERR_IO;
    }
    char *text = NULL;
    ssize_t got = 0;
    int rc = SECPROV_OK;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & S_IWOTH)) {
        snprintf(why, why_len, "%s: not a regular file of this user, or world-writable", path);
        rc = SECPROV_ERR_PERMISSION;
    } else if (st.st_size <= 0 || st.st_size > KEYSTORE_JSON_MAX) {
        snprintf(why, why_len, "%s: empty or larger than %d bytes", path, KEYSTORE_JSON_MAX);
        rc = SECPROV_ERR_INTEGRITY;
    } else if ((text = malloc((size_t)st.st_size)) == NULL) {
        rc = SECPROV_ERR_NOMEM;
    } else {
        while (got < st.st_size) {
            ssize_t r = read(fd, text + got, (size_t)(st.st_size - got));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += r;
        }
        if (got != st.st_size) {
            snprintf(why, why_len, "%s: short read", path);
            rc = SECPROV_ERR_IO;
        }
    }
    close(fd);
    if (rc == SECPROV_OK) {
        char reason[256];
        rc = keystore_json_parse(text, (size_t)got, kind, e, reason, sizeof reason);
        if (rc != SECPROV_OK)
            snprintf(why, why_len, "%s: %s", path, reason);
    }
    free(text);                         /* public and wrapped data: nothing secret */
    return rc;
}

int keystore_object_read(const char *state_dir, const char *object_path, keystore_entry *e,
                         char *why, size_t why_len)
{
    TPM2B_NAME name;
    int rc = read_entry(state_dir, "keystore/user", object_path, KEYSTORE_SEALED, e, why,
                        why_len);

    if (rc == SECPROV_OK && (tpm_public_name(&e->pub, &name) != 0 || name.size != e->name.size ||
                             memcmp(name.name, e->name.name, name.size) != 0)) {
        snprintf(why, why_len, "the keystore object %s: its \"name\" is not the name of its "
                 "public area", object_path);
        rc = SECPROV_ERR_INTEGRITY;
    }
    return rc;
}

int keystore_ek_read(const char *state_dir, TPM2B_PUBLIC *ek, char *cert, size_t cert_len,
                     char *why, size_t why_len)
{
    keystore_entry *e = malloc(sizeof *e);
    int rc;

    if (e == NULL)
        return SECPROV_ERR_NOMEM;
    rc = read_entry(state_dir, "keystore/system", "/HE/EK", KEYSTORE_EK, e, why, why_len);
    if (rc == SECPROV_OK) {
        *ek = e->pub;
        snprintf(cert, cert_len, "%s", e->certificate);
    }
    free(e);
    return rc;
}

int keystore_srk_read(const char *state_dir, uint32_t handle, TPM2B_PUBLIC *srk, char *why,
                      size_t why_len)
{
    keystore_entry e;
    TPM2B_NAME name;
    int rc = read_entry(state_dir, "keystore/system", "/HS/SRK", KEYSTORE_SRK, &e, why, why_len);

    if (rc == SECPROV_OK && e.persistent_handle != 0 && e.persistent_handle != handle) {
        snprintf(why, why_len, "the keystore's SRK is at 0x%08x, not 0x%08x",
                 (unsigned)e.persistent_handle, (unsigned)handle);
        rc = SECPROV_ERR_KEYSTORE_MISMATCH;
    }
    if (rc == SECPROV_OK && (tpm_public_name(&e.pub, &name) != 0 || name.size != e.name.size ||
                             memcmp(name.name, e.name.name, name.size) != 0)) {
        snprintf(why, why_len, "the keystore's SRK: its \"name\" is not the name of its "
                 "public area");
        rc = SECPROV_ERR_INTEGRITY;
    }
    if (rc == SECPROV_OK)
        *srk = e.pub;
    return rc;
}
