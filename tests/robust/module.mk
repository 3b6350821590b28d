# Robustness: concurrency and crash safety (issue 6), run by make check.
$(OBJDIR)/tests/robust/stress.o: EXTRA_CFLAGS :=
$(TESTDIR_B)/robust/stress: $(OBJDIR)/tests/robust/stress.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov -lpthread
CHECK_DEPS     += $(TESTDIR_B)/robust/stress
CHECK_PROGRAMS += tests/robust/test_concurrency.sh tests/robust/test_crash.sh
