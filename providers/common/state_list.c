/*
 * The names in a state folder (state_files.h): the entries "<name><suffix>"
 * whose name passes the secprov name rules, sorted.
 */
#include "state_files.h"
#include "state_files_os.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secprov_name_rules.h"
#include "secprov.h"

int sp_name_ok(const char *name)
{
    return secprov_name_rule_ok(name) ? SECPROV_OK : SECPROV_ERR_NAME;
}

void sp_names_free(char **names, size_t count)
{
    if (names == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* If entry is "<name><suffix>" with a valid name, return a copy of name. */
static char *name_of_entry(const char *entry, const char *suffix)
{
    size_t elen = strlen(entry), slen = strlen(suffix);

    if (elen <= slen || strcmp(entry + elen - slen, suffix) != 0)
        return NULL;
    char *name = strndup(entry, elen - slen);
    if (name != NULL && sp_name_ok(name) != SECPROV_OK) {
        free(name);
        name = NULL;
    }
    return name;
}

int sp_dir_list(const char *dir, const char *suffix, char ***names, size_t *count)
{
    char **list = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int dfd, rc = SECPROV_OK;
    DIR *d;

    *names = NULL;
    *count = 0;
    sp_os_error_begin(dir, NULL);
    dfd = sp_open_dir(dir);
    if (dfd < 0)
        return sp_status_from_errno(errno);
    d = fdopendir(dfd);
    if (d == NULL) {
        rc = sp_status_from_errno(errno);
        close(dfd);
        return rc;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN && de->d_type != DT_DIR)
            continue;
        char *name = name_of_entry(de->d_name, suffix);
        if (name == NULL)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **grown = realloc(list, ncap * sizeof(*list));
            if (grown == NULL) {
                free(name);
                rc = SECPROV_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        list[n++] = name;
    }
    closedir(d);
    if (rc != SECPROV_OK) {
        sp_names_free(list, n);
        return rc;
    }
    if (n > 1)
        qsort(list, n, sizeof(*list), compare_names);
    *names = list;
    *count = n;
    return SECPROV_OK;
}
