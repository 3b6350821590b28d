# Test tools: the pseudo-terminal TPM launcher (tests/tools/tpm_sim.sh uses it).
$(TESTDIR_B)/tools/ptytpm: $(OBJDIR)/tests/tools/ptytpm.o
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^
CHECK_DEPS += $(TESTDIR_B)/tools/ptytpm
# The TPM bus interposer of tests/tpm/test_interposer.sh.
$(TESTDIR_B)/tools/mitmtpm: $(OBJDIR)/tests/tools/mitmtpm.o
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^
CHECK_DEPS += $(TESTDIR_B)/tools/mitmtpm
