/* The tpm provider's reference files (providers/tpm/secret_ref.h): version
 * 2 images verify, and every flipped byte, truncation, extension or other
 * name is SECPROV_ERR_INTEGRITY (the sweep never acts on such a file);
 * version 1 images of earlier versions still parse, with their layout; the
 * order of generations; object folder names of both forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "secprov.h"
#include "secret_ref.h"
#include "tools/unit.h"

static size_t make_v2(uint8_t *img, int kind, size_t ct_len, uint64_t gen, const char *name)
{
    size_t len = ref2_len(kind, ct_len);
    memset(img, 0, len);
    ref2_header(img, kind, gen);
    for (size_t i = REF2_HEADER; i < len; i++)
        img[i] = (uint8_t)(i * 7);
    assert_int_equal(ref2_finish(img, len, name), SECPROV_OK);
    return len;
}

static void v2_direct_and_envelope_parse(void **state)
{
    (void)state;
    uint8_t img[REF2_ENV_HEADER + 40];
    secret_ref ref;
    size_t len = make_v2(img, REF_DIRECT, 0, 0x0102030405060708u, "db_key");

    assert_int_equal(len, 48);
    assert_int_equal(ref_parse(img, len, "db_key", &ref), SECPROV_OK);
    assert_int_equal(ref.version, 2);
    assert_int_equal(ref.kind, REF_DIRECT);
    assert_true(ref.gen.ordered);
    assert_true(ref.gen.value == 0x0102030405060708u);

    len = make_v2(img, REF_ENVELOPE, 40, 7, "big");
    assert_int_equal(len, REF2_ENV_HEADER + 40);
    assert_int_equal(ref_parse(img, len, "big", &ref), SECPROV_OK);
    assert_ptr_equal(ref.nonce, img + 48);
    assert_ptr_equal(ref.tag, img + 60);
    assert_ptr_equal(ref.ct, img + 76);
    assert_int_equal(ref.ct_len, 40);
}

static void v2_every_flip_truncation_and_name_refused(void **state)
{
    (void)state;
    uint8_t img[REF2_ENV_HEADER + 40], copy[REF2_ENV_HEADER + 41];
    secret_ref ref;
    size_t len = make_v2(img, REF_ENVELOPE, 40, 99, "a");

    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, img, len);
            copy[i] ^= (uint8_t)(1u << bit);
            assert_int_equal(ref_parse(copy, len, "a", &ref), SECPROV_ERR_INTEGRITY);
        }
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(ref_parse(img, cut, "a", &ref), SECPROV_ERR_INTEGRITY);
    memcpy(copy, img, len);
    copy[len] = 0;
    assert_int_equal(ref_parse(copy, len + 1, "a", &ref), SECPROV_ERR_INTEGRITY);
    /* another secret's reference (swapped or copied files) */
    assert_int_equal(ref_parse(img, len, "b", &ref), SECPROV_ERR_INTEGRITY);
    assert_int_equal(ref_parse(img, len, "a-", &ref), SECPROV_ERR_INTEGRITY);
    len = make_v2(img, REF_DIRECT, 0, 99, "a");
    assert_int_equal(ref_parse(img, len, "aa", &ref), SECPROV_ERR_INTEGRITY);
}

static void v1_images_still_parse(void **state)
{
    (void)state;
    uint8_t img[44 + 5] = {'S', 'P', 'T', 'R', 1, REF_DIRECT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xa1};
    secret_ref ref;

    assert_int_equal(ref_parse(img, 16, "any", &ref), SECPROV_OK);
    assert_int_equal(ref.version, 1);
    assert_false(ref.gen.ordered);
    assert_true(ref.gen.value == 0xa1);
    assert_int_equal(ref_parse(img, 17, "any", &ref), SECPROV_ERR_INTEGRITY);
    img[5] = REF_ENVELOPE;
    assert_int_equal(ref_parse(img, 44, "any", &ref), SECPROV_ERR_INTEGRITY);   /* no ciphertext */
    assert_int_equal(ref_parse(img, sizeof img, "any", &ref), SECPROV_OK);
    assert_ptr_equal(ref.nonce, img + 16);
    assert_ptr_equal(ref.tag, img + 28);
    assert_ptr_equal(ref.ct, img + 44);
    assert_int_equal(ref.ct_len, 5);
    img[4] = 3;
    assert_int_equal(ref_parse(img, sizeof img, "any", &ref), SECPROV_ERR_INTEGRITY);
}

static void generations_order(void **state)
{
    (void)state;
    ref_gen r1 = {5, 0}, r2 = {1, 0}, o1 = {1, 1}, o2 = {2, 1};

    assert_true(ref_gen_older(o1, o2));
    assert_false(ref_gen_older(o2, o1));
    assert_false(ref_gen_older(o1, o1));
    assert_true(ref_gen_older(r1, o1));       /* every random one is older than an ordered one */
    assert_false(ref_gen_older(o1, r1));
    assert_false(ref_gen_older(r1, r2));      /* two random ones: no order */
    assert_false(ref_gen_older(r2, r1));
    assert_true(ref_gen_same(o1, o1));
    assert_false(ref_gen_same(r2, o1));       /* same value, other kind */
}

static void object_names(void **state)
{
    (void)state;
    char name[SECPROV_NAME_MAX + 1], path[256];
    ref_gen g;

    assert_int_equal(ref_parse_object_entry("sp-my-key_1-g00000000000000ff", name, sizeof name, &g), 0);
    assert_string_equal(name, "my-key_1");
    assert_true(g.ordered && g.value == 0xff);
    assert_int_equal(ref_object_path(path, sizeof path, name, g), SECPROV_OK);
    assert_string_equal(path, "/HS/SRK/sp-my-key_1-g00000000000000ff");
    assert_int_equal(ref_parse_object_entry("sp-x-00000000000000a1", name, sizeof name, &g), 0);
    assert_string_equal(name, "x");
    assert_true(!g.ordered && g.value == 0xa1);
    assert_int_equal(ref_object_path(path, sizeof path, name, g), SECPROV_OK);
    assert_string_equal(path, "/HS/SRK/sp-x-00000000000000a1");
    static const char *const bad[] = {
        "sp-x-g000000000000001", "sp-x-g0000000000000001a", "sp-x-G0000000000000001",
        "sp-x-g000000000000000A", "sp--g0000000000000001", "sp-x", "xp-x-g0000000000000001",
        "sp-x.y-g0000000000000001", "sp-x-0000000000000001g", ""};
    /* "sp-x-g-0000000000000001" is the name "x-g" at a random generation */
    assert_int_equal(ref_parse_object_entry("sp-x-g-0000000000000001", name, sizeof name, &g), 0);
    assert_string_equal(name, "x-g");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ref_parse_object_entry(bad[i], name, sizeof name, &g), -1);
}

UNIT_MAIN(cmocka_unit_test(v2_direct_and_envelope_parse),
          cmocka_unit_test(v2_every_flip_truncation_and_name_refused),
          cmocka_unit_test(v1_images_still_parse),
          cmocka_unit_test(generations_order),
          cmocka_unit_test(object_names))
