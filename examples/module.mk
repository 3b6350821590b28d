# The README's example, built and run by `make check` (tests/core/test_example.sh).
$(OBJDIR)/examples/seal_unseal.o: EXTRA_CFLAGS :=
$(BUILD)/examples/seal_unseal: $(OBJDIR)/examples/seal_unseal.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov
CHECK_DEPS += $(BUILD)/examples/seal_unseal
CHECK_PROGRAMS += tests/core/test_example.sh
