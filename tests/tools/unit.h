/* What the cmocka test programs share. Include after <cmocka.h>.
 *   UNIT_MAIN(test, ...)  main(): the tests (cmocka_unit_test(f),
 *                         fixture_test(f), ...) run as one group
 *   fixture_test(f)       test f with the file's setup() and teardown() */
#ifndef SECPROV_TESTS_UNIT_H
#define SECPROV_TESTS_UNIT_H

#define fixture_test(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#define UNIT_MAIN(...)                                     \
    int main(void)                                         \
    {                                                      \
        const struct CMUnitTest tests[] = {__VA_ARGS__};   \
        return cmocka_run_group_tests(tests, NULL, NULL);  \
    }

#endif
