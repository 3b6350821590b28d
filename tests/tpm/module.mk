# TPM tests: against a private swtpm (socket or pseudo-terminal device).
$(OBJDIR)/tests/tpm/test_roundtrip.o: EXTRA_CFLAGS := $(TEST_CFLAGS)
$(TESTDIR_B)/tpm/test_roundtrip: $(OBJDIR)/tests/tpm/test_roundtrip.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov $(CMOCKA_LIBS)

CHECK_DEPS     += $(TESTDIR_B)/tpm/test_roundtrip
CHECK_PROGRAMS += tests/tpm/run_roundtrip.sh tests/tpm/test_selection.sh tests/tpm/test_valgrind.sh tests/tpm/test_wire.sh tests/tpm/test_provision.sh tests/tpm/test_interposer.sh \
                  tests/tpm/test_no_fapi.sh tests/tpm/test_salt_key.sh

# The TPM fault tests (killed, wedged, restarted, wiped TPM; EBUSY device).
$(OBJDIR)/tests/tpm/fault_driver.o: EXTRA_CFLAGS := $(TEST_CFLAGS)
$(TESTDIR_B)/tpm/fault_driver: $(OBJDIR)/tests/tpm/fault_driver.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov
CHECK_DEPS     += $(TESTDIR_B)/tpm/fault_driver
CHECK_PROGRAMS += tests/tpm/test_faults.sh tests/tpm/test_planted.sh tests/tpm/test_sweep.sh \
                  tests/tpm/test_objects.sh tests/tpm/test_one_store.sh tests/tpm/test_mutation.sh
$(TESTDIR_B)/tpm/ebusy_shim.so: tests/tpm/ebusy_shim.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O1 -Wall -Wextra -Werror -o $@ $< -ldl
CHECK_DEPS     += $(TESTDIR_B)/tpm/ebusy_shim.so

# The reference files' format (unit test, linked to the provider's object).
$(OBJDIR)/tests/tpm/test_secret_ref.o: EXTRA_CFLAGS := $(TEST_CFLAGS) -Iproviders/tpm -Iproviders/common
$(TESTDIR_B)/tpm/test_secret_ref: $(OBJDIR)/tests/tpm/test_secret_ref.o $(OBJDIR)/providers/tpm/secret_ref.o $(PROVIDER_COMMON_OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(CRYPTO_LIBS)
CHECK_DEPS     += $(TESTDIR_B)/tpm/test_secret_ref
CHECK_PROGRAMS += $(TESTDIR_B)/tpm/test_secret_ref
# The handle's one salted session and the commands per operation (issue 16).
CHECK_DEPS     += $(BUILD)/bench/rt_api
CHECK_PROGRAMS += tests/tpm/test_commands.sh tests/tpm/test_sessions.sh
# The tpm group's keys as tpm.so reads them (the core's config and env
# compiled in; no TPM).
$(OBJDIR)/tests/tpm/test_tpm_settings.o: EXTRA_CFLAGS := $(TEST_CFLAGS) $(LIBCONFIG_CFLAGS) $(TPM_FAPI_CFLAGS) -Iproviders/tpm -Iformats
$(TESTDIR_B)/tpm/test_tpm_settings: $(OBJDIR)/tests/tpm/test_tpm_settings.o $(CORE_CONFIG_OBJS) \
    $(addprefix $(OBJDIR)/core/,provider_env.o secure_mem.o status.o) \
    $(addprefix $(OBJDIR)/providers/tpm/,tpm_settings.o attest_quote.o tss_wait.o salt_key.o) $(OBJDIR)/formats/attest_common.o
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LIBCONFIG_LIBS) $(CRYPTO_LIBS) $(call pc_libs,tss2-fapi tss2-esys tss2-mu tss2-rc) -lpthread
CHECK_DEPS     += $(TESTDIR_B)/tpm/test_tpm_settings
CHECK_PROGRAMS += $(TESTDIR_B)/tpm/test_tpm_settings
# The keystore JSON parser, linked directly to its objects (no TPM).
$(OBJDIR)/tests/tpm/test_keystore_json.o: EXTRA_CFLAGS := $(TEST_CFLAGS) $(TPM_FAPI_CFLAGS) -Iproviders/tpm
$(TESTDIR_B)/tpm/test_keystore_json: $(OBJDIR)/tests/tpm/test_keystore_json.o $(call obj,$(addprefix providers/tpm/,keystore_json.c keystore_members.c keystore_public.c))
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(call pc_libs,json-c tss2-mu)
CHECK_DEPS     += $(TESTDIR_B)/tpm/test_keystore_json
CHECK_PROGRAMS += $(TESTDIR_B)/tpm/test_keystore_json

# The response codes that mean a lost session or a TPM out of slots.
$(OBJDIR)/tests/tpm/test_session_rc.o: EXTRA_CFLAGS := $(TEST_CFLAGS) $(TPM_FAPI_CFLAGS) -Iproviders/tpm
$(TESTDIR_B)/tpm/test_session_rc: $(OBJDIR)/tests/tpm/test_session_rc.o \
    $(OBJDIR)/providers/tpm/tpm_session.o $(OBJDIR)/providers/tpm/tpm_flush.o \
    $(OBJDIR)/providers/tpm/tss_wait.o $(PROVIDER_COMMON_OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(TPM_FAPI_LIBS) $(CRYPTO_LIBS)
CHECK_DEPS     += $(TESTDIR_B)/tpm/test_session_rc
CHECK_PROGRAMS += $(TESTDIR_B)/tpm/test_session_rc
