/* Every entry of tests/legacy/vectors/legacy-public.json through the C API
 * (the JSON read with json-c), plus round-trips and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secprov_legacy.h"

static json_object *vectors;
static secprov_legacy *lg;

static const char *str(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("vector lacks '%s'", key);
    return json_object_get_string(v);
}

static json_object *arr(const char *key)
{
    json_object *v;
    assert_true(json_object_object_get_ex(vectors, key, &v));
    return v;
}

static size_t unhex(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
    return n;
}

static void sha256_hex(const void *p, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned n;
    EVP_Digest(p, len, md, &n, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

static int setup(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/legacy/vectors/legacy-public.json", getenv("SECPROV_SRC"));
    vectors = json_object_from_file(path);
    if (vectors == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    return secprov_legacy_open(&lg, NULL) == SECPROV_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    secprov_legacy_close(lg);
    json_object_put(vectors);
    return 0;
}

static void calc_hash_vectors(void **state)
{
    (void)state;
    json_object *a = arr("calc_hash");
    char out[65];
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *v = json_object_array_get_idx(a, i);
        assert_int_equal(secprov_legacy_calc_hash(lg, str(v, "input_utf8"), out), SECPROV_OK);
        assert_string_equal(out, str(v, "output_b64"));
    }
}

static void key_vectors(void **state)
{
    (void)state;
    char out[65];
    json_object *a = arr("get_hw_hash");
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *v = json_object_array_get_idx(a, i);
        assert_int_equal(secprov_legacy_hw_hash(lg, str(v, "hardware"), out), SECPROV_OK);
        assert_string_equal(out, str(v, "output_b64"));
    }
    a = arr("get_api_encryption_key");
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *v = json_object_array_get_idx(a, i);
        assert_int_equal(secprov_legacy_api_key(lg, str(v, "email"), str(v, "password"),
                                                str(v, "hw_hash"), out), SECPROV_OK);
        assert_string_equal(out, str(v, "output_b64"));
    }
    assert_int_equal(secprov_legacy_resource_key(lg, out), SECPROV_OK);
    assert_string_equal(out, str(arr("get_resource_encryption_key"), "output_b64"));
}

static void encrypt_vectors(void **state)
{
    (void)state;
    json_object *a = arr("encrypt_to");
    unsigned char iv[16], pt[256], want[512];
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *v = json_object_array_get_idx(a, i);
        const char *key = str(v, "key_str");
        unhex(str(v, "iv_hex"), iv, sizeof iv);
        size_t ptlen = unhex(str(v, "plaintext_hex"), pt, sizeof pt);
        size_t wlen = unhex(str(v, "output_hex(IV||ciphertext)"), want, sizeof want);
        void *out, *back;
        size_t out_len, back_len;
        assert_int_equal(secprov_legacy_encrypt_with_iv(lg, key, iv, pt, ptlen, &out, &out_len), SECPROV_OK);
        assert_int_equal(out_len, wlen);
        assert_memory_equal(out, want, wlen);
        assert_int_equal(secprov_legacy_decrypt(lg, key, out, out_len, &back, &back_len), SECPROV_OK);
        assert_int_equal(back_len, ptlen);
        if (ptlen > 0)
            assert_memory_equal(back, pt, ptlen);
        secprov_free(out, out_len);
        secprov_free(back, back_len);
    }
}

static int tmpfile_with(const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/vecXXXXXX", getenv("SECPROV_TEST_TMP"));
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

static size_t slurp(int fd, unsigned char *buf, size_t cap)
{
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, cap);
    assert_true(n >= 0);
    return (size_t)n;
}

static void split_and_archive_vectors(void **state)
{
    (void)state;
    json_object *v = json_object_array_get_idx(arr("binary_split_resource"), 0);
    unsigned char res[100], iv[16], buf[256], small_want[64];
    char hex[65];
    for (int i = 0; i < 100; i++)
        res[i] = (unsigned char)(i % 251);
    unhex(str(v, "iv_hex"), iv, sizeof iv);
    int in = tmpfile_with(res, sizeof res), sfd = tmpfile_with("", 0), bfd = tmpfile_with("", 0);
    assert_int_equal(secprov_legacy_split_fd(lg, iv, in, sfd, bfd), SECPROV_OK);
    size_t sl = slurp(sfd, buf, sizeof buf);
    assert_int_equal(sl, json_object_get_int(json_object_object_get(v, "small_len")));
    size_t wl = unhex(str(v, "small_hex"), small_want, sizeof small_want);
    assert_memory_equal(buf, small_want, wl);
    unsigned char small[64];
    memcpy(small, buf, sl);
    size_t bl = slurp(bfd, buf, sizeof buf);
    assert_int_equal(bl, json_object_get_int(json_object_object_get(v, "big_len")));
    sha256_hex(buf, bl, hex);
    assert_string_equal(hex, str(v, "big_sha256"));
    int out = tmpfile_with("", 0);
    lseek(bfd, 0, SEEK_SET);
    assert_int_equal(secprov_legacy_join_fd(lg, small, sl, bfd, out), SECPROV_OK);
    assert_int_equal(slurp(out, buf, sizeof buf), 100);
    assert_memory_equal(buf, res, 100);
    close(in); close(sfd); close(bfd); close(out);

    v = json_object_array_get_idx(arr("docker_archive"), 0);
    unsigned char frag[64], blob[128];
    size_t fl = unhex(str(v, "key_fragment_hex"), frag, sizeof frag);
    size_t blen = unhex(str(v, "blob_hex"), blob, sizeof blob);
    in = tmpfile_with(blob, blen);
    out = tmpfile_with("", 0);
    assert_int_equal(secprov_legacy_archive_decrypt_fd(lg, frag, fl, in, out), SECPROV_OK);
    size_t pl = slurp(out, buf, sizeof buf);
    assert_int_equal(pl, json_object_get_int(json_object_object_get(v, "plaintext_len")));
    sha256_hex(buf, pl, hex);
    assert_string_equal(hex, str(v, "plaintext_sha256"));
    close(in); close(out);
}

static void round_trips_and_utf8(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 15, 16, 17, 1024 * 1024 + 3};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *pt = malloc(sizes[i] + 1);
        for (size_t j = 0; j < sizes[i]; j++)
            pt[j] = (unsigned char)(j * 13 + i);
        void *ct, *back;
        size_t ct_len, back_len;
        assert_int_equal(secprov_legacy_encrypt(lg, "k", pt, sizes[i], &ct, &ct_len), SECPROV_OK);
        assert_int_equal(ct_len, 16 + 16 * (sizes[i] / 16 + 1));
        assert_int_equal(secprov_legacy_decrypt(lg, "k", ct, ct_len, &back, &back_len), SECPROV_OK);
        assert_int_equal(back_len, sizes[i]);
        if (sizes[i] > 0)
            assert_memory_equal(back, pt, sizes[i]);
        secprov_free(ct, ct_len);
        secprov_free(back, back_len);
        free(pt);
    }
    /* Non-ASCII is hashed as its UTF-8 bytes: the same as hashing the bytes. */
    char a[65], b[65];
    assert_int_equal(secprov_legacy_api_key(lg, "j\xc3\xbcrgen@example.de", "p\xc3\xa4ss",
                                            "hw", a), SECPROV_OK);
    assert_int_equal(secprov_legacy_calc_hash(lg, "j\xc3\xbcrgen@example.de-p\xc3\xa4ss-hw-#%@AzaionKey@%#---", b), SECPROV_OK);
    assert_string_equal(a, b);
}

static void bad_input(void **state)
{
    (void)state;
    void *out = (void *)1, *ct;
    size_t len = 5, ct_len;
    unsigned char zeros[48] = {0};
    assert_int_equal(secprov_legacy_decrypt(lg, "k", zeros, 0, &out, &len), SECPROV_ERR_FORMAT);
    assert_null(out);
    assert_int_equal(secprov_legacy_decrypt(lg, "k", zeros, 16, &out, &len), SECPROV_ERR_FORMAT);
    assert_int_equal(secprov_legacy_decrypt(lg, "k", zeros, 31, &out, &len), SECPROV_ERR_FORMAT);
    assert_int_equal(secprov_legacy_decrypt(lg, "k", zeros, 40, &out, &len), SECPROV_ERR_FORMAT);
    /* A fixed IV: with a random one, the padding a wrong key leaves is
     * random, valid 1 time in ~256. */
    static const unsigned char iv[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    assert_int_equal(secprov_legacy_encrypt_with_iv(lg, "right", iv, "hello world", 11, &ct, &ct_len),
                     SECPROV_OK);
    assert_int_equal(secprov_legacy_decrypt(lg, "wrong", ct, ct_len, &out, &len), SECPROV_ERR_PADDING);
    assert_null(out);
    assert_int_equal(len, 0);
    /* The block before the last (here the IV), its last byte changed: in CBC
     * that changes the padding byte (0x05 -> 0x5f), always bad padding. */
    ((unsigned char *)ct)[ct_len - 17] ^= 0x5a;
    assert_int_equal(secprov_legacy_decrypt(lg, "right", ct, ct_len, &out, &len), SECPROV_ERR_PADDING);
    assert_int_equal(secprov_legacy_decrypt(lg, "right", ct, ct_len - 16, &out, &len),
                     SECPROV_ERR_FORMAT);                 /* only the IV left */
    assert_int_equal(secprov_legacy_decrypt(lg, "", ct, ct_len, &out, &len), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_legacy_decrypt(lg, NULL, ct, ct_len, &out, &len), SECPROV_ERR_INVALID_ARG);
    assert_int_equal(secprov_legacy_hw_hash(NULL, "x", (char *)zeros), SECPROV_ERR_INVALID_ARG);
    secprov_free(ct, ct_len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calc_hash_vectors),
        cmocka_unit_test(key_vectors),
        cmocka_unit_test(encrypt_vectors),
        cmocka_unit_test(split_and_archive_vectors),
        cmocka_unit_test(round_trips_and_utf8),
        cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
