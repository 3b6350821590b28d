# Core unit tests. test_config and test_select compile the core's files in
# directly (the rules in isolation); test_api links libsecprov.so.
CORE_UNIT_OBJS := $(call obj,tests/core/test_config.c tests/core/test_select.c tests/core/test_api.c)
$(CORE_UNIT_OBJS): EXTRA_CFLAGS := $(TEST_CFLAGS) $(LIBCONFIG_CFLAGS)

$(TESTDIR_B)/core/test_config: $(OBJDIR)/tests/core/test_config.o $(OBJDIR)/core/config.o $(OBJDIR)/core/log.o
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LIBCONFIG_LIBS)
$(TESTDIR_B)/core/test_select: $(OBJDIR)/tests/core/test_select.o $(OBJDIR)/core/select.o $(OBJDIR)/core/log.o
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)
$(TESTDIR_B)/core/test_api: $(OBJDIR)/tests/core/test_api.o $(LIBSECPROV_SO) $(PROVDIR_B)/legacy.so
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov $(CMOCKA_LIBS)

CORE_TESTS := $(addprefix $(TESTDIR_B)/core/,test_config test_select test_api)
CHECK_DEPS     += $(CORE_TESTS)
CHECK_PROGRAMS += $(CORE_TESTS) tests/core/test_cli.sh tests/core/test_install.sh
