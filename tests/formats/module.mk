# Unit tests of formats/ (what both sides compute alike), linked to its objects.
FORMATS_TEST_NAMES := test_canonical
FORMATS_TEST_BINS  := $(addprefix $(TESTDIR_B)/formats/,$(FORMATS_TEST_NAMES))
FORMATS_TEST_OBJS  := $(call obj,$(addprefix tests/formats/,$(addsuffix .c,$(FORMATS_TEST_NAMES))))
$(FORMATS_TEST_OBJS): EXTRA_CFLAGS := $(TEST_CFLAGS) $(FORMATS_CFLAGS)

$(TESTDIR_B)/formats/%: $(OBJDIR)/tests/formats/%.o $(FORMATS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS) $(call pc_libs,tss2-mu)

CHECK_DEPS     += $(FORMATS_TEST_BINS)
CHECK_PROGRAMS += $(FORMATS_TEST_BINS)
