# A handle used across fork() (issue 22, docs/fork.md): tpm on a pty TPM and
# on swtpm's socket, legacy, auto.
$(OBJDIR)/tests/fork/forker.o: EXTRA_CFLAGS :=
$(TESTDIR_B)/fork/forker: $(OBJDIR)/tests/fork/forker.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov -lpthread
CHECK_DEPS     += $(TESTDIR_B)/fork/forker
CHECK_PROGRAMS += tests/fork/test_fork.sh
