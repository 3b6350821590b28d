# Test programs shared by all suites (helpers for the tests themselves).
# Each suite under tests/<suite>/module.mk appends to CHECK_PROGRAMS.
TEST_CFLAGS := $(CMOCKA_CFLAGS) -Itests
TEST_LDFLAGS = $(BASE_LDFLAGS) -L$(LIBDIR_B) -Wl,-rpath,$(abspath $(LIBDIR_B))
