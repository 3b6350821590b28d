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

# --- robust engineer: secrets-in-memory shim, make check-stress ---
$(TESTDIR_B)/robust/free_shim.so: tests/robust/free_shim.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl
$(TESTDIR_B)/robust/wedge_shim.so: tests/robust/wedge_shim.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl
$(OBJDIR)/tests/robust/legacy_mem.o: EXTRA_CFLAGS :=
$(TESTDIR_B)/robust/legacy_mem: $(OBJDIR)/tests/robust/legacy_mem.o $(LIBSECPROV_SO) $(PROVDIR_B)/legacy.so
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov
CHECK_DEPS     += $(TESTDIR_B)/robust/free_shim.so $(TESTDIR_B)/robust/wedge_shim.so $(TESTDIR_B)/robust/legacy_mem
CHECK_PROGRAMS += tests/robust/test_secret_memory.sh
# make check-stress: only the robustness tests (all of them are in make check).
.PHONY: check-stress
check-stress: $(CHECK_DEPS) all
	@tests/run_tests.sh "$(abspath $(BUILD))" tests/robust/test_concurrency.sh tests/robust/test_crash.sh tests/robust/test_hygiene.sh tests/robust/test_secret_memory.sh

# State folders: modes, read-only, shared volumes (issue 12 item 5).
$(TESTDIR_B)/robust/pause_shim.so: tests/robust/pause_shim.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl
CHECK_DEPS     += $(TESTDIR_B)/robust/pause_shim.so
CHECK_PROGRAMS += tests/robust/test_state_folder.sh
