# TPM tests: against a private swtpm (socket or pseudo-terminal device).
$(OBJDIR)/tests/tpm/test_roundtrip.o: EXTRA_CFLAGS := $(TEST_CFLAGS)
$(TESTDIR_B)/tpm/test_roundtrip: $(OBJDIR)/tests/tpm/test_roundtrip.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov $(CMOCKA_LIBS)

CHECK_DEPS     += $(TESTDIR_B)/tpm/test_roundtrip
CHECK_PROGRAMS += tests/tpm/run_roundtrip.sh tests/tpm/test_selection.sh tests/tpm/test_valgrind.sh
