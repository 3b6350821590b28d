# Unit tests of providers/common (files, AEAD), linked directly to its objects.
COMMON_TEST_NAMES := test_state_files test_aead
COMMON_TEST_BINS  := $(addprefix $(TESTDIR_B)/common/,$(COMMON_TEST_NAMES))
COMMON_TEST_OBJS  := $(call obj,$(addprefix tests/common/,$(addsuffix .c,$(COMMON_TEST_NAMES))))
$(COMMON_TEST_OBJS): EXTRA_CFLAGS := $(TEST_CFLAGS) $(CRYPTO_CFLAGS) -Iproviders/common

$(TESTDIR_B)/common/%: $(OBJDIR)/tests/common/%.o $(PROVIDER_COMMON_OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(CRYPTO_LIBS)

CHECK_DEPS     += $(COMMON_TEST_BINS)
CHECK_PROGRAMS += $(COMMON_TEST_BINS)
