# Robustness: concurrency and crash safety (issue 6), run by make check.
$(OBJDIR)/tests/robust/stress.o: EXTRA_CFLAGS :=
$(TESTDIR_B)/robust/stress: $(OBJDIR)/tests/robust/stress.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov -lpthread
$(OBJDIR)/tests/robust/hygiene.o: EXTRA_CFLAGS :=
$(TESTDIR_B)/robust/hygiene: $(OBJDIR)/tests/robust/hygiene.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov
CHECK_DEPS     += $(TESTDIR_B)/robust/stress $(TESTDIR_B)/robust/hygiene
CHECK_PROGRAMS += tests/robust/test_concurrency.sh tests/robust/test_crash.sh tests/robust/test_hygiene.sh
