# Benchmarks (not part of make check): `make bench` runs bench/run.sh.
BENCH_TSS_CFLAGS := $(call pc_cflags,tss2-esys tss2-fapi tss2-rc tss2-tctildr)
BENCH_TSS_LIBS   := $(call pc_libs,tss2-esys tss2-fapi tss2-rc tss2-tctildr)
BENCH_OBJS := $(call obj,bench/bench_tpm.c bench/floor_esapi.c bench/fapi_stock.c)
$(BENCH_OBJS) $(OBJDIR)/bench/rt_api.o $(OBJDIR)/bench/floor_process.o: EXTRA_CFLAGS := $(BENCH_TSS_CFLAGS)

$(BUILD)/bench/rt_api: $(OBJDIR)/bench/rt_api.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -L$(LIBDIR_B) -Wl,-rpath,$(abspath $(LIBDIR_B)) -o $@ $< -lsecprov

$(OBJDIR)/bench/loader.o: EXTRA_CFLAGS := $(CRYPTO_CFLAGS)
$(BUILD)/bench/loader: $(OBJDIR)/bench/loader.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -L$(LIBDIR_B) -Wl,-rpath,$(abspath $(LIBDIR_B)) -o $@ $< -lsecprov $(CRYPTO_LIBS)

$(BUILD)/bench/bench_tpm: $(BENCH_OBJS) $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -L$(LIBDIR_B) -Wl,-rpath,$(abspath $(LIBDIR_B)) -o $@ $(BENCH_OBJS) \
	    -lsecprov $(BENCH_TSS_LIBS)

# The ESAPI floor as a whole process: no FAPI, no libsecprov (bench/cli_profile.sh).
FLOOR_PROCESS_OBJS := $(call obj,bench/floor_process.c bench/floor_esapi.c)
$(BUILD)/bench/floor_process: $(FLOOR_PROCESS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $(FLOOR_PROCESS_OBJS) \
	    $(call pc_libs,tss2-esys tss2-mu tss2-rc tss2-tctildr) -lcrypto

BENCH_PROGRAMS := $(BUILD)/bench/rt_api $(BUILD)/bench/bench_tpm $(BUILD)/bench/loader \
                  $(BUILD)/bench/floor_process $(TESTDIR_B)/tools/ptytpm

.PHONY: bench bench-run
bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory bench-run

bench-run: all $(BENCH_PROGRAMS)
	@bench/run.sh "$(BUILD)"

# Attestation figures (bench/attest.sh): commands per attest, modeled Orin
# latency, attest time on swtpm, verify time on the host.
$(OBJDIR)/bench/bench_attest.o: EXTRA_CFLAGS :=
$(BUILD)/bench/bench_attest: $(OBJDIR)/bench/bench_attest.o $(LIBSECPROV_SO) $(LIBVERIFY_SO)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -L$(LIBDIR_B) -Wl,-rpath,$(abspath $(LIBDIR_B)) -o $@ $< \
	    -lsecprov -lsecprov_verify

.PHONY: bench-attest
bench-attest: all $(BUILD)/bench/bench_attest $(TESTDIR_B)/tools/ptytpm
	@bench/attest.sh "$(BUILD)"

# The seal-to legs alone (bench/seal_to.sh; `make bench` runs them too):
# server seal-to with no TPM, device import, first unseal after it, unwrap.
.PHONY: bench-seal-to
bench-seal-to: all $(TESTDIR_B)/tools/ptytpm
	@bench/seal_to.sh "$(BUILD)"

# secprov-attestor under load (bench/attestor_load.sh): wrk, 64 connections,
# GET /api/v1/verify with refreshes running; requests/s, p50/p99, errors,
# RSS. Figures into bench/out/attestor.txt.
.PHONY: bench-attestor
bench-attestor:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory $(BINDIR_B)/secprov-attestor
	@bench/attestor_load.sh "$(BUILD)"
