/* The audit log: JSONL, one canonical JSON object a line, each carrying the
 * SHA-256 (hex) of the line before it as "prev" and a running "seq"; the
 * first line of all has prev = 64 zeros. Rotation renames PATH to PATH.1
 * (one older file kept) and the new file's first line goes on from the old
 * file's last. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attestor.h"
#include "canonical.h"

#define ZERO_HEAD "0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_READ_MAX (64L << 20)

static void sha256_hex(const void *b, size_t n, char out[65])
{
    unsigned char d[32];
    unsigned int dl = 0;

    EVP_Digest(b, n, d, &dl, EVP_sha256(), NULL);
    at_hex(d, 32, out);
}

int at_audit_line_parse(const char *line, size_t len, char hash[65], char prev[65],
                        uint64_t *seq, char *why, size_t why_len)
{
    json_tokener *tok = json_tokener_new();
    json_object *o = NULL, *v;
    char *canon = NULL;
    size_t clen = 0;
    int rc = -1;
    const char *p;

    if (tok == NULL) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    if (len == 0 || memchr(line, '\0', len) != NULL) {
        snprintf(why, why_len, "empty line or a NUL byte");
        goto out;
    }
    o = json_tokener_parse_ex(tok, line, (int)len);
    if (o == NULL || json_tokener_get_parse_end(tok) != len ||
        !json_object_is_type(o, json_type_object)) {
        snprintf(why, why_len, "not one JSON object");
        goto out;
    }
    if (!json_object_object_get_ex(o, "prev", &v) || !json_object_is_type(v, json_type_string) ||
        strlen(p = json_object_get_string(v)) != 64 || strspn(p, "0123456789abcdef") != 64) {
        snprintf(why, why_len, "no \"prev\" of 64 lower-case hex digits");
        goto out;
    }
    memcpy(prev, p, 65);
    if (!json_object_object_get_ex(o, "seq", &v) || !json_object_is_type(v, json_type_int) ||
        json_object_get_int64(v) < 1) {
        snprintf(why, why_len, "no \"seq\" (a positive integer)");
        goto out;
    }
    *seq = (uint64_t)json_object_get_int64(v);
    if (!json_object_object_get_ex(o, "event", &v) || !json_object_is_type(v, json_type_string)) {
        snprintf(why, why_len, "no \"event\"");
        goto out;
    }
    if (sp_canonical_json(o, NULL, &canon, &clen, why, why_len) != 0)
        goto out;
    if (clen != len || memcmp(canon, line, len) != 0) {
        snprintf(why, why_len, "not in canonical form (rewritten?)");
        goto out;
    }
    sha256_hex(line, len, hash);
    rc = 0;
out:
    free(canon);
    json_object_put(o);
    json_tokener_free(tok);
    return rc;
}

/* Walks the lines of buf: *good_end the offset after the last good line,
 * head/seq from it. Returns 0 when every complete line chains, else the
 * 1-based number of the first bad line (why says what); a last line with no
 * newline is reported as torn (*torn_line its number). */
static long walk(const char *buf, size_t n, const char *start_head, char head[65], uint64_t *seq,
                 size_t *good_end, long *torn_line, char *why, size_t why_len)
{
    size_t off = 0;
    long lineno = 0;
    char h[65], prev[65];
    uint64_t s;

    *good_end = 0;
    *torn_line = 0;
    if (start_head != NULL)
        memcpy(head, start_head, 65);
    while (off < n) {
        const char *nl = memchr(buf + off, '\n', n - off);
        lineno++;
        if (nl == NULL) {
            *torn_line = lineno;
            snprintf(why, why_len, "line %ld: torn (no end of line: %zu bytes)", lineno, n - off);
            return lineno;
        }
        size_t len = (size_t)(nl - (buf + off));
        char w[160];
        if (at_audit_line_parse(buf + off, len, h, prev, &s, w, sizeof w) != 0) {
            snprintf(why, why_len, "line %ld: %s", lineno, w);
            if (off + len + 1 == n)
                *torn_line = lineno;
            return lineno;
        }
        if (lineno > 1 || start_head != NULL) {
            if (strcmp(prev, head) != 0) {
                snprintf(why, why_len, "line %ld: \"prev\" is not the hash of the line before "
                         "(a line removed or rewritten)", lineno);
                return lineno;
            }
            if (lineno > 1 && s != *seq + 1) {
                snprintf(why, why_len, "line %ld: \"seq\" %llu follows %llu", lineno,
                         (unsigned long long)s, (unsigned long long)*seq);
                return lineno;
            }
        }
        memcpy(head, h, 65);
        *seq = s;
        off += len + 1;
        *good_end = off;
    }
    return 0;
}

long at_audit_verify_file(const char *path, const char *prev_head, char *why, size_t why_len)
{
    unsigned char *buf;
    size_t n, good;
    char head[65];
    uint64_t seq = 0;
    long torn, bad;

    if (at_file_read(path, AUDIT_READ_MAX, &buf, &n, why, why_len) != 0)
        return -1;
    bad = walk((const char *)buf, n, prev_head, head, &seq, &good, &torn, why, why_len);
    free(buf);
    if (bad == 0)
        snprintf(why, why_len, "%llu lines chained, head %s", (unsigned long long)seq, head);
    return bad;
}

/* The head and seq after the last line of an older file (PATH.1). */
static int head_of_older(const char *path, char head[65], uint64_t *seq)
{
    char older[4096], why[160];
    unsigned char *buf;
    size_t n, good;
    long torn;

    snprintf(older, sizeof older, "%s.1", path);
    if (at_file_read(older, AUDIT_READ_MAX, &buf, &n, why, sizeof why) != 0)
        return -1;
    walk((const char *)buf, n, NULL, head, seq, &good, &torn, why, sizeof why);
    free(buf);
    return good > 0 ? 0 : -1;
}

static int open_log(at_audit *a, char *why, size_t why_len)
{
    struct stat st;

    a->fd = open(a->path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
                 0640);
    if (a->fd < 0 && errno == ENOENT) {
        /* the log's own folder (the default /var/lib/secprov/attestor)
         * made on first start, 0700, one level only: a missing parent
         * above it is a configuration error, named */
        char *dir = strdup(a->path), *slash = dir != NULL ? strrchr(dir, '/') : NULL;
        if (slash != NULL && slash != dir) {
            *slash = '\0';
            if (mkdir(dir, 0700) == 0 || errno == EEXIST)
                a->fd = open(a->path,
                             O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
                             0640);
        }
        free(dir);
    }
    if (a->fd < 0) {
        snprintf(why, why_len, "audit log %s: %s", a->path, strerror(errno));
        return -1;
    }
    if (fstat(a->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "audit log %s: not a regular file", a->path);
        close(a->fd);
        a->fd = -1;
        return -1;
    }
    a->size = (long)st.st_size;
    return 0;
}

int at_audit_open(at_audit *a, const char *path, long max_bytes, long *torn, char *why,
                  size_t why_len)
{
    unsigned char *buf = NULL;
    size_t n = 0, good;
    long torn_line, bad;
    char w[200];

    memset(a, 0, sizeof *a);
    *torn = 0;
    a->fd = -1;
    a->max_bytes = max_bytes;
    memcpy(a->head, ZERO_HEAD, 65);
    if ((a->path = strdup(path)) == NULL) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    if (open_log(a, why, why_len) != 0)
        return -1;
    if (at_file_read(path, AUDIT_READ_MAX, &buf, &n, why, why_len) != 0)
        return -1;
    if (n == 0) {
        free(buf);
        head_of_older(path, a->head, &a->seq);
        return 0;
    }
    bad = walk((const char *)buf, n, NULL, a->head, &a->seq, &good, &torn_line, w, sizeof w);
    free(buf);
    if (bad != 0 && bad != torn_line) {
        snprintf(why, why_len, "audit log %s: %s", path, w);
        return -1;
    }
    if (bad != 0) {                 /* a torn last line: cut off, reported */
        *torn = (long)(n - good);
        if (ftruncate(a->fd, (off_t)good) != 0) {
            snprintf(why, why_len, "audit log %s: cutting the torn line: %s", path,
                     strerror(errno));
            return -1;
        }
        a->size = (long)good;
        snprintf(why, why_len, "%s", w);
    }
    return 0;
}

static int rotate(at_audit *a, char *why, size_t why_len)
{
    char older[4096];

    snprintf(older, sizeof older, "%s.1", a->path);
    close(a->fd);
    a->fd = -1;
    if (rename(a->path, older) != 0) {
        snprintf(why, why_len, "audit log %s: rotating: %s", a->path, strerror(errno));
        open_log(a, why, why_len);
        return -1;
    }
    return open_log(a, why, why_len);
}

int at_audit_append(at_audit *a, const char *event, json_object *fields, char *why,
                    size_t why_len)
{
    json_object *o = fields != NULL ? fields : json_object_new_object();
    char *line = NULL;
    size_t len = 0;
    int rc = -1;

    if (o == NULL || a->fd < 0) {
        snprintf(why, why_len, "audit log %s: not open", a->path ? a->path : "?");
        json_object_put(o);
        return -1;
    }
    json_object_object_add(o, "event", json_object_new_string(event));
    json_object_object_add(o, "prev", json_object_new_string(a->head));
    json_object_object_add(o, "seq", json_object_new_int64((int64_t)(a->seq + 1)));
    json_object_object_add(o, "time", json_object_new_int64((int64_t)time(NULL)));
    if (sp_canonical_json(o, NULL, &line, &len, why, why_len) != 0)
        goto out;
    if (a->size > 0 && a->size + (long)len + 1 > a->max_bytes && rotate(a, why, why_len) != 0)
        goto out;
    line[len] = '\n';
    size_t done = 0;
    while (done < len + 1) {
        ssize_t w = write(a->fd, line + done, len + 1 - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(why, why_len, "audit log %s: write: %s", a->path,
                     w < 0 ? strerror(errno) : "no progress");
            if (ftruncate(a->fd, (off_t)a->size) != 0) { /* leave no torn line */
            }
            goto out;
        }
        done += (size_t)w;
    }
    if (fdatasync(a->fd) != 0) {
        snprintf(why, why_len, "audit log %s: fdatasync: %s", a->path, strerror(errno));
        if (ftruncate(a->fd, (off_t)a->size) != 0) {
        }
        goto out;
    }
    sha256_hex(line, len, a->head);
    a->seq++;
    a->size += (long)len + 1;
    rc = 0;
out:
    free(line);
    json_object_put(o);
    return rc;
}

void at_audit_close(at_audit *a)
{
    if (a->fd >= 0)
        close(a->fd);
    free(a->path);
    memset(a, 0, sizeof *a);
    a->fd = -1;
}
