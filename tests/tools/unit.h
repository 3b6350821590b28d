/* What the cmocka test programs share. Include after <cmocka.h>.
 *   UNIT_MAIN(test, ...)  main(): the tests (cmocka_unit_test(f),
 *                         fixture_test(f), ...) run as one group
 *   fixture_test(f)       test f with the file's setup() and teardown()
 *   unit_write_file(out, out_len, name, text)
 *                         text into $SECPROV_TEST_TMP/name (out: its path) */
#ifndef SECPROV_TESTS_UNIT_H
#define SECPROV_TESTS_UNIT_H

#define fixture_test(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#define UNIT_MAIN(...)                                     \
    int main(void)                                         \
    {                                                      \
        const struct CMUnitTest tests[] = {__VA_ARGS__};   \
        return cmocka_run_group_tests(tests, NULL, NULL);  \
    }

#include <stdio.h>
#include <stdlib.h>

static inline const char *unit_write_file(char *out, size_t out_len, const char *name,
                                          const char *text)
{
    const char *dir = getenv("SECPROV_TEST_TMP");
    snprintf(out, out_len, "%s/%s", dir ? dir : "/tmp", name);
    FILE *f = fopen(out, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return out;
}

#endif
