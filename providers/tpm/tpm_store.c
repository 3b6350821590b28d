/* The tpm provider's store: see tpm_store.h and docs/tpm-store.md. */
#include "tpm_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fapi_setup.h"
#include "keystore_object.h"
#include "state_files.h"

/* One keystore object folder /HS/SRK/sp-NAME-GEN (user or system store). */
typedef struct store_object {
    char name[SECPROV_NAME_MAX + 1];
    ref_gen gen;
    int complete;               /* it holds object.json; 0: a killed seal's folder */
} store_object;

/* What the rules make of one object. */
enum verdict {
    V_LIVE,             /* the object its reference commits */
    V_KEPT,             /* its name's reference cannot be read or verified */
    V_SUPERSEDED,       /* older than the committed generation, whose object exists */
    V_NEWER,            /* newer than the committed generation */
    V_MISSING,          /* its reference commits a generation whose object is missing */
    V_UNORDERED,        /* random (earlier versions), not the committed one */
    V_UNREFERENCED,     /* its name has no reference */
    V_INCOMPLETE        /* a folder without object.json */
};

static const char *const why_text[] = {
    [V_SUPERSEDED] = "superseded: older than the generation its reference commits",
    [V_NEWER] = "newer than the generation its reference commits (a seal that did not "
                "commit, or the live object behind a rolled-back reference)",
    [V_MISSING] = "its reference commits a generation whose object is missing",
    [V_UNORDERED] = "written by an earlier version and not the generation its reference "
                    "commits",
    [V_UNREFERENCED] = "no reference of that name (a first seal or a delete that was "
                       "interrupted, or a deleted reference)",
    [V_INCOMPLETE] = "an object folder without its object file (a seal killed while "
                     "writing it)",
};

/* Read, parse and verify NAME's reference, logging nothing. */
static int ref_read(const tpm_store *s, const char *name, uint8_t **image, size_t *len,
                    secret_ref *ref)
{
    char file[SECPROV_NAME_MAX + sizeof REF_SUFFIX];
    int rc = SECPROV_OK;

    *image = NULL;
    if ((size_t)snprintf(file, sizeof file, "%s" REF_SUFFIX, name) >= sizeof file)
        return SECPROV_ERR_NAME;
    rc = sp_file_read(s->secrets_dir, file, SECPROV_SECRET_MAX + REF2_ENV_HEADER,
                      (void **)image, len);
    if (rc == SECPROV_ERR_TOO_LARGE)
        rc = SECPROV_ERR_INTEGRITY;
    if (rc == SECPROV_OK)
        rc = ref_parse(*image, *len, name, ref);
    if (rc != SECPROV_OK) {
        free(*image);
        *image = NULL;
    }
    return rc;
}

int store_ref_load(const tpm_store *s, const char *name, uint8_t **image, size_t *len,
                   secret_ref *ref)
{
    int rc = ref_read(s, name, image, len, ref);

    if (rc == SECPROV_ERR_PERMISSION)
        s->env->log(s->env, SECPROV_LOG_ERROR, "tpm: refusing %s/%s" REF_SUFFIX ": not a "
                    "private regular file of this user", s->secrets_dir, name);
    else if (rc == SECPROV_ERR_INTEGRITY)
        s->env->log(s->env, SECPROV_LOG_ERROR, "tpm: %s/%s" REF_SUFFIX " is malformed, "
                    "altered or another secret's", s->secrets_dir, name);
    return rc;
}

static int compare_objects(const void *pa, const void *pb)
{
    const store_object *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);

    if (c != 0)
        return c;
    if (a->gen.ordered != b->gen.ordered)
        return a->gen.ordered - b->gen.ordered;
    return a->gen.value < b->gen.value ? -1 : a->gen.value > b->gen.value;
}

/* Open rel (a/b/c) under state_dir, one folder at a time, never following
 * a symlink: an fd, or a negative status (SECPROV_ERR_NOT_FOUND if absent). */
static int open_folder(const char *state_dir, const char *rel)
{
    char path[512], *save = NULL;
    int fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    snprintf(path, sizeof path, "%s", rel);
    for (char *p = strtok_r(path, "/", &save); p != NULL && fd >= 0; p = strtok_r(NULL, "/", &save)) {
        int sub = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int err = errno;
        close(fd);
        fd = sub;
        errno = err;
    }
    if (fd >= 0)
        return fd;
    return errno == ENOENT ? SECPROV_ERR_NOT_FOUND
         : errno == ELOOP || errno == ENOTDIR ? SECPROV_ERR_PERMISSION : SECPROV_ERR_IO;
}

/* Add the objects of one keystore folder to *objs. */
static int list_folder(const tpm_store *s, const char *rel, store_object **objs, size_t *n,
                       size_t *cap)
{
    int fd = open_folder(s->env->state_dir, rel), rc = SECPROV_OK;
    struct dirent *de;
    struct stat st;
    DIR *d;

    if (fd == SECPROV_ERR_NOT_FOUND)
        return SECPROV_OK;
    if (fd < 0 || (d = fdopendir(fd)) == NULL) {
        if (fd >= 0)
            close(fd);
        s->env->log(s->env, SECPROV_LOG_ERROR, "tpm: cannot read the keystore folder %s/%s%s",
                    s->env->state_dir, rel, fd == SECPROV_ERR_PERMISSION
                    ? ": a symlink or a file where a folder belongs (refused)" : "");
        return fd < 0 ? fd : SECPROV_ERR_IO;
    }
    while (rc == SECPROV_OK && (de = readdir(d)) != NULL) {
        store_object o;
        if (ref_parse_object_entry(de->d_name, o.name, sizeof o.name, &o.gen) != 0 ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
            continue;                           /* not ours, or a symlink: never touched */
        int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            continue;
        int found = fstatat(sub, "object.json", &st, AT_SYMLINK_NOFOLLOW) == 0;
        int err = errno;
        close(sub);
        if (found && !S_ISREG(st.st_mode))
            continue;                           /* something planted: never touched */
        if (!found && err != ENOENT)
            continue;
        o.complete = found;
        if (*n == *cap) {
            size_t ncap = *cap ? *cap * 2 : 16;
            store_object *grown = realloc(*objs, ncap * sizeof *grown);
            if (grown == NULL) {
                rc = SECPROV_ERR_NOMEM;
                break;
            }
            *objs = grown;
            *cap = ncap;
        }
        (*objs)[(*n)++] = o;
    }
    closedir(d);
    return rc;
}

/* Every object of the keystore, sorted by name then generation (random
 * ones first); one found in both stores is listed once. */
static int list_objects(const tpm_store *s, store_object **objs, size_t *count)
{
    static const char *const stores[] = {"keystore/user/" PROFILE_NAME "/HS/SRK",
                                         "keystore/system/" PROFILE_NAME "/HS/SRK"};
    size_t n = 0, cap = 0, kept = 0;
    int rc = SECPROV_OK;

    *objs = NULL;
    for (size_t i = 0; i < 2 && rc == SECPROV_OK; i++)
        rc = list_folder(s, stores[i], objs, &n, &cap);
    if (rc != SECPROV_OK) {
        free(*objs);
        *objs = NULL;
        return rc;
    }
    if (n > 1)
        qsort(*objs, n, sizeof **objs, compare_objects);
    for (size_t i = 0; i < n; i++) {
        store_object *o = *objs;
        if (kept > 0 && compare_objects(&o[kept - 1], &o[i]) == 0)
            o[kept - 1].complete |= o[i].complete;
        else
            o[kept++] = o[i];
    }
    *count = kept;
    return SECPROV_OK;
}

int store_next_gen(const tpm_store *s, const char *name, ref_gen *gen)
{
    store_object *objs;
    size_t n;
    struct timespec now;
    uint8_t *image;
    size_t len;
    secret_ref ref;
    uint64_t max = 0;
    int rc = list_objects(s, &objs, &n);

    if (rc != SECPROV_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (strcmp(objs[i].name, name) == 0 && objs[i].gen.ordered && objs[i].gen.value > max)
            max = objs[i].gen.value;
    free(objs);
    if (ref_read(s, name, &image, &len, &ref) == SECPROV_OK && ref.gen.ordered &&
        ref.gen.value > max)
        max = ref.gen.value;
    free(image);
    if (max == UINT64_MAX) {
        s->env->log(s->env, SECPROV_LOG_ERROR, "tpm: '%s' has an object or reference at the "
                    "last generation (planted?): see secprov gc", name);
        return SECPROV_ERR_INTEGRITY;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
    gen->ordered = 1;
    gen->value = us > max ? us : max + 1;
    return SECPROV_OK;
}

void store_remove_object(const tpm_store *s, const char *name, ref_gen gen)
{
    char path[256];

    if (ref_object_path(path, sizeof path, name, gen) == SECPROV_OK)
        (void)keystore_object_remove(s->env->state_dir, path);
}

/* The verdicts for the objects o[0..n) of one name (v[0..n)); need_ref 0:
 * only the folders without object file are judged, the rest V_LIVE. Returns
 * the reference's status. */
static int judge(const tpm_store *s, const store_object *o, size_t n, int need_ref,
                 enum verdict *v)
{
    uint8_t *image = NULL;
    size_t len;
    secret_ref ref;
    int st = need_ref ? ref_read(s, o[0].name, &image, &len, &ref) : SECPROV_OK, exists = 0;

    free(image);
    for (size_t i = 0; i < n && st == SECPROV_OK && need_ref; i++)
        exists |= o[i].complete && ref_gen_same(o[i].gen, ref.gen);
    for (size_t i = 0; i < n; i++) {
        if (!o[i].complete)
            v[i] = V_INCOMPLETE;
        else if (!need_ref)
            v[i] = V_LIVE;
        else if (st == SECPROV_ERR_NOT_FOUND)
            v[i] = V_UNREFERENCED;
        else if (st != SECPROV_OK)
            v[i] = V_KEPT;          /* never remove because of a bad reference */
        else if (ref_gen_same(o[i].gen, ref.gen))
            v[i] = V_LIVE;
        else if (!exists)
            v[i] = V_MISSING;
        else if (ref_gen_older(o[i].gen, ref.gen))
            v[i] = V_SUPERSEDED;
        else if (ref_gen_older(ref.gen, o[i].gen))
            v[i] = V_NEWER;
        else
            v[i] = V_UNORDERED;
    }
    return st;
}

/* Judge every name's objects, and remove (remove: 1 what the sweep may
 * remove, 2 every leftover) or emit them. */
static int apply(const tpm_store *s, int remove, int gc, secprov_gc_fn emit, void *user)
{
    store_object *o;
    size_t n;
    int rc = list_objects(s, &o, &n), first_error = SECPROV_OK;

    if (rc != SECPROV_OK)
        return rc;
    enum verdict *v = calloc(n ? n : 1, sizeof *v);
    if (v == NULL) {
        free(o);
        return SECPROV_ERR_NOMEM;
    }
    for (size_t i = 0, j; i < n; i = j) {
        size_t complete = 0;
        for (j = i; j < n && strcmp(o[j].name, o[i].name) == 0; j++)
            complete += o[j].complete;
        /* Only a name with two objects can have a superseded one. */
        int st = judge(s, o + i, j - i, gc || complete > 1, v + i);
        if (gc && st != SECPROV_OK && st != SECPROV_ERR_NOT_FOUND)
            s->env->log(s->env, SECPROV_LOG_WARNING, "tpm: gc: the reference of '%s' cannot "
                        "be used (%s): its %zu object(s) are kept; restore %s/%s" REF_SUFFIX
                        ", or delete '%s' to make them leftovers", o[i].name,
                        s->env->status_text(st), j - i, s->secrets_dir, o[i].name, o[i].name);
        for (size_t k = i; k < j; k++) {
            char path[256], where[300];
            if (v[k] == V_LIVE || v[k] == V_KEPT ||
                (!gc && v[k] != V_SUPERSEDED && v[k] != V_INCOMPLETE))
                continue;
            if (ref_object_path(path, sizeof path, o[k].name, o[k].gen) != SECPROV_OK)
                continue;
            if (remove) {
                s->env->log(s->env, SECPROV_LOG_DEBUG, "tpm: removing %s: %s", path, why_text[v[k]]);
                if (keystore_object_remove(s->env->state_dir, path) != 0 && o[k].complete) {
                    s->env->log(s->env, SECPROV_LOG_ERROR, "tpm: cannot remove the keystore "
                                "object %s", path);
                    if (first_error == SECPROV_OK)
                        first_error = SECPROV_ERR_IO;
                    continue;
                }
            }
            snprintf(where, sizeof where, "fapi:%s", path);
            if (emit != NULL)
                emit(o[k].name, where, why_text[v[k]], user);
        }
    }
    free(v);
    free(o);
    return first_error;
}

void store_sweep(const tpm_store *s)
{
    (void)apply(s, 1, 0, NULL, NULL);
}

int store_gc(const tpm_store *s, int dry_run, secprov_gc_fn emit, void *user)
{
    return apply(s, !dry_run, 1, emit, user);
}

void store_forget(const tpm_store *s, const char *name, ref_gen gen)
{
    store_object *o;
    size_t n;

    store_remove_object(s, name, gen);
    if (list_objects(s, &o, &n) != SECPROV_OK)
        return;
    for (size_t i = 0; i < n; i++)
        if (strcmp(o[i].name, name) == 0 && ref_gen_older(o[i].gen, gen))
            store_remove_object(s, name, o[i].gen);
    free(o);
}
