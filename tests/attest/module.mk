# Attestation: the AK, reports and their offline verification, against swtpm.
$(OBJDIR)/tests/attest/test_attest_api.o: EXTRA_CFLAGS := $(TEST_CFLAGS)
$(TESTDIR_B)/attest/test_attest_api: $(OBJDIR)/tests/attest/test_attest_api.o $(LIBSECPROV_SO) $(LIBVERIFY_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov -lsecprov_verify $(CMOCKA_LIBS)

CHECK_DEPS     += $(LIBVERIFY_SO) $(TESTDIR_B)/attest/test_attest_api $(TESTDIR_B)/tools/mitmtpm
CHECK_PROGRAMS += tests/attest/test_attest.sh tests/attest/run_attest_api.sh tests/attest/test_verify_install.sh tests/attest/test_attest_retry.sh
CHECK_PROGRAMS += tests/attest/test_attest_enrollment.sh
CHECK_PROGRAMS += tests/attest/test_attest_v2.sh
CHECK_PROGRAMS += tests/attest/test_attest_recipe.sh
CHECK_PROGRAMS += tests/attest/test_attest_activate.sh
CHECK_PROGRAMS += tests/attest/test_attest_block.sh
