# Core unit tests. test_config and test_select compile the core's files in
# directly (the rules in isolation); test_api links libsecprov.so.
CORE_UNIT_OBJS := $(call obj,tests/core/test_config.c tests/core/test_select.c tests/core/test_api.c)
$(CORE_UNIT_OBJS): EXTRA_CFLAGS := $(TEST_CFLAGS) $(LIBCONFIG_CFLAGS)

$(TESTDIR_B)/core/test_config: $(OBJDIR)/tests/core/test_config.o $(CORE_CONFIG_OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LIBCONFIG_LIBS)
$(TESTDIR_B)/core/test_select: $(OBJDIR)/tests/core/test_select.o $(OBJDIR)/core/select.o $(OBJDIR)/core/log.o $(OBJDIR)/core/fork_gate.o
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)
$(TESTDIR_B)/core/test_api: $(OBJDIR)/tests/core/test_api.o $(LIBSECPROV_SO) $(PROVDIR_B)/legacy.so
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov $(CMOCKA_LIBS)

CORE_TESTS := $(addprefix $(TESTDIR_B)/core/,test_config test_select test_api)
CHECK_DEPS     += $(CORE_TESTS)
CHECK_PROGRAMS += $(CORE_TESTS) tests/core/test_cli.sh tests/core/test_install.sh \
                  tests/core/test_config_check.sh

# The provider loader against modules each wrong in one way.
FAKE_DIR := $(TESTDIR_B)/core/fake-providers
FAKE_MODULES := $(addprefix $(FAKE_DIR)/,good.so badabi.so abiv1.so small.so noopen.so othername.so noentry.so notelf.so)
FAKE_V1 := -DFAKE_ABI=SECPROV_PROVIDER_ABI_VERSION -DFAKE_SIZE='sizeof(secprov_provider_class)'
$(FAKE_DIR)/%.so: tests/core/fake_provider.c include/secprov_provider.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -shared $(FAKE_FLAGS) -o $@ $<
$(FAKE_DIR)/good.so:      FAKE_FLAGS = $(FAKE_V1) -DFAKE_NAME='"good"'
$(FAKE_DIR)/badabi.so:    FAKE_FLAGS = -DFAKE_ABI=99 -DFAKE_SIZE='sizeof(secprov_provider_class)' -DFAKE_NAME='"badabi"'
$(FAKE_DIR)/abiv1.so:     FAKE_FLAGS = -DFAKE_ABI=1 -DFAKE_SIZE='sizeof(secprov_provider_class)' -DFAKE_NAME='"abiv1"'
$(FAKE_DIR)/small.so:     FAKE_FLAGS = -DFAKE_ABI=SECPROV_PROVIDER_ABI_VERSION -DFAKE_SIZE=16 -DFAKE_NAME='"small"'
$(FAKE_DIR)/noopen.so:    FAKE_FLAGS = $(FAKE_V1) -DFAKE_NAME='"noopen"' -DFAKE_NO_OPEN
$(FAKE_DIR)/othername.so: FAKE_FLAGS = $(FAKE_V1) -DFAKE_NAME='"tpm"'
$(FAKE_DIR)/noentry.so:   FAKE_FLAGS = $(FAKE_V1) -DFAKE_NAME='"noentry"' -DFAKE_NO_ENTRY
$(FAKE_DIR)/notelf.so:
	@mkdir -p $(@D)
	printf 'not an ELF file\n' > $@

$(OBJDIR)/tests/core/test_loader.o: EXTRA_CFLAGS := $(TEST_CFLAGS)
$(TESTDIR_B)/core/test_loader: $(OBJDIR)/tests/core/test_loader.o $(OBJDIR)/core/loader.o $(OBJDIR)/core/host_env.o | $(FAKE_MODULES)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $(OBJDIR)/tests/core/test_loader.o $(OBJDIR)/core/loader.o $(OBJDIR)/core/host_env.o $(CMOCKA_LIBS) -ldl -lpthread
CHECK_DEPS     += $(TESTDIR_B)/core/test_loader $(FAKE_MODULES)
CHECK_PROGRAMS += $(TESTDIR_B)/core/test_loader

# A host that dlopens libsecprov with RTLD_LOCAL (as Python's ctypes does).
$(TESTDIR_B)/core/rtld_local_host: tests/core/rtld_local_host.c include/secprov.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(BASE_LDFLAGS) -o $@ $< -ldl
CHECK_DEPS     += $(TESTDIR_B)/core/rtld_local_host
CHECK_PROGRAMS += tests/core/test_rtld_local.sh

# The provider SDK: an out-of-tree provider built against the installed SDK.
CHECK_PROGRAMS += tests/core/test_provider_sdk.sh
CHECK_DEPS     += $(TESTDIR_B)/tpm/test_roundtrip
