# Benchmarks (not part of make check): `make bench`.
$(OBJDIR)/bench/rt_api.o: EXTRA_CFLAGS :=
$(BUILD)/bench/rt_api: $(OBJDIR)/bench/rt_api.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -L$(LIBDIR_B) -Wl,-rpath,$(abspath $(LIBDIR_B)) -o $@ $< -lsecprov

.PHONY: bench
bench: all $(BUILD)/bench/rt_api
	@bench/run.sh "$(BUILD)"
