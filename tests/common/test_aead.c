/* AES-256-GCM wrapper: known answers from the GCM specification (McGrew &
 * Viega, test cases 13 and 14), round-trips, and every way a check fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aead.h"
#include "secprov.h"
#include "tools/unit.h"

static const uint8_t zero_key[32];
static const uint8_t zero_iv[12];

static void known_answer_empty(void **state)
{
    (void)state;
    static const uint8_t want_tag[16] = {0x53, 0x0f, 0x8a, 0xfb, 0xc7, 0x45, 0x36, 0xb9,
                                         0xa9, 0x63, 0xb4, 0xf1, 0xc4, 0xcb, 0x73, 0x8b};
    uint8_t tag[16];
    assert_int_equal(sp_gcm_encrypt(zero_key, zero_iv, NULL, 0, NULL, 0, NULL, tag), SECPROV_OK);
    assert_memory_equal(tag, want_tag, 16);
}

static void known_answer_one_block(void **state)
{
    (void)state;
    static const uint8_t want_ct[16] = {0xce, 0xa7, 0x40, 0x3d, 0x4d, 0x60, 0x6b, 0x6e,
                                        0x07, 0x4e, 0xc5, 0xd3, 0xba, 0xf3, 0x9d, 0x18};
    static const uint8_t want_tag[16] = {0xd0, 0xd1, 0xc8, 0xa7, 0x99, 0x99, 0x6b, 0xf0,
                                         0x26, 0x5b, 0x98, 0xb5, 0xd4, 0x8a, 0xb9, 0x19};
    uint8_t pt[16] = {0}, ct[16], tag[16], back[16];
    assert_int_equal(sp_gcm_encrypt(zero_key, zero_iv, NULL, 0, pt, 16, ct, tag), SECPROV_OK);
    assert_memory_equal(ct, want_ct, 16);
    assert_memory_equal(tag, want_tag, 16);
    assert_int_equal(sp_gcm_decrypt(zero_key, zero_iv, NULL, 0, ct, 16, tag, back), SECPROV_OK);
    assert_memory_equal(back, pt, 16);
}

static void round_trip_with_aad_and_every_failure(void **state)
{
    (void)state;
    uint8_t key[32], iv[12], pt[1000], ct[1000], back[1000], tag[16];
    assert_int_equal(sp_random(key, sizeof key), SECPROV_OK);
    assert_int_equal(sp_random(iv, sizeof iv), SECPROV_OK);
    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)(i * 7);
    assert_int_equal(sp_gcm_encrypt(key, iv, "name", 4, pt, sizeof pt, ct, tag), SECPROV_OK);
    assert_memory_not_equal(ct, pt, sizeof pt);
    assert_int_equal(sp_gcm_decrypt(key, iv, "name", 4, ct, sizeof ct, tag, back), SECPROV_OK);
    assert_memory_equal(back, pt, sizeof pt);

    /* Another associated data (a secret moved to another name). */
    memset(back, 0xAA, sizeof back);
    assert_int_equal(sp_gcm_decrypt(key, iv, "nameX", 5, ct, sizeof ct, tag, back),
                     SECPROV_ERR_INTEGRITY);
    for (size_t i = 0; i < sizeof back; i++)
        assert_int_equal(back[i], 0);               /* no garbage handed out */

    ct[500] ^= 1;                                    /* tampered ciphertext */
    assert_int_equal(sp_gcm_decrypt(key, iv, "name", 4, ct, sizeof ct, tag, back),
                     SECPROV_ERR_INTEGRITY);
    ct[500] ^= 1;
    tag[0] ^= 0x80;                                  /* tampered tag */
    assert_int_equal(sp_gcm_decrypt(key, iv, "name", 4, ct, sizeof ct, tag, back),
                     SECPROV_ERR_INTEGRITY);
    tag[0] ^= 0x80;
    key[31] ^= 1;                                    /* wrong key */
    assert_int_equal(sp_gcm_decrypt(key, iv, "name", 4, ct, sizeof ct, tag, back),
                     SECPROV_ERR_INTEGRITY);
}

static void random_is_not_constant(void **state)
{
    (void)state;
    uint8_t a[32] = {0}, b[32] = {0};
    assert_int_equal(sp_random(a, sizeof a), SECPROV_OK);
    assert_int_equal(sp_random(b, sizeof b), SECPROV_OK);
    assert_memory_not_equal(a, b, sizeof a);
}

static void cleanse_zeroes(void **state)
{
    (void)state;
    uint8_t buf[64];
    memset(buf, 0x5A, sizeof buf);
    sp_cleanse(buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0);
    sp_cleanse(NULL, 10);                            /* harmless */
}

UNIT_MAIN(cmocka_unit_test(known_answer_empty),
          cmocka_unit_test(known_answer_one_block),
          cmocka_unit_test(round_trip_with_aad_and_every_failure),
          cmocka_unit_test(random_is_not_constant),
          cmocka_unit_test(cleanse_zeroes))
