# Test tools: the pseudo-terminal TPM launcher (tests/tools/tpm_sim.sh uses it);
# both it and the interposer below make their device with pty_pair.c.
$(TESTDIR_B)/tools/ptytpm: $(OBJDIR)/tests/tools/ptytpm.o $(OBJDIR)/tests/tools/pty_pair.o
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^
CHECK_DEPS += $(TESTDIR_B)/tools/ptytpm
# The TPM bus interposer of tests/tpm/test_interposer.sh.
$(TESTDIR_B)/tools/mitmtpm: $(OBJDIR)/tests/tools/mitmtpm.o $(OBJDIR)/tests/tools/pty_pair.o
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^
CHECK_DEPS += $(TESTDIR_B)/tools/mitmtpm
