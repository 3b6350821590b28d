# ARM64: the whole test suite, cross-built, run under qemu-aarch64.
#   make check-arm64     (same as make ARCH=arm64 check-arm64)
# Installs the cross toolchain, the arm64 libraries and qemu-user-binfmt
# (scripts/deps.sh arm64, as root), registers qemu-aarch64 with binfmt_misc
# (tests/arm64/binfmt.sh) so arm64 programs run transparently, builds into
# build-arm64/ and runs this folder's explicit checks, then every test of
# `make check` (less ARM64_SKIP). tests/arm64/shims comes first on PATH (an
# ldd that reads aarch64 files). swtpm and tpm2-tools stay native (x86-64): the arm64 process
# loads the arm64 FAPI and TCTI libraries and talks to swtpm over its socket.
ARM64_CHECK_PROGRAMS := tests/arm64/test_arm64_elf.sh \
                        tests/arm64/test_arm64_legacy.sh \
                        tests/arm64/test_arm64_vectors.sh \
                        tests/arm64/test_arm64_tpm.sh

# Tests that cannot run on a foreign architecture: valgrind has no
# arm64-on-x86 mode (leaks are architecture-independent: `make check` covers
# them natively); the free() shim of test_secret_memory.sh would be preloaded
# into the x86-64 qemu binary too; a setuid or file-capability program run
# through binfmt_misc is qemu's, not the program's, privilege
# (test_privileged.sh: the rules are architecture-independent C); the
# keystore mutation test is a few thousand TPM round trips (its parser is
# architecture-independent C, and test_objects.sh runs under qemu); the
# attestor's load and hostile-client suites are heavy, native only (issue
# 25; the daemon's other suites run under qemu). Named, and printed when
# skipped. test_crash.sh and test_concurrency.sh run under qemu with fewer
# rounds (a third; 20), their own time budget there.
ARM64_SKIP := tests/tpm/test_valgrind.sh tests/robust/test_secret_memory.sh \
              tests/security/test_privileged.sh tests/tpm/test_mutation.sh \
              tests/attestor/test_attestor_load.sh tests/attestor/test_attestor_hostile.sh

.PHONY: check-arm64 check-arm64-run

check-arm64:
	@t0=$$(date +%s); scripts/deps.sh arm64 && tests/arm64/binfmt.sh || exit 1; \
	t1=$$(date +%s); echo "check-arm64: packages and binfmt: $$((t1 - t0)) s"; \
	$(MAKE) --no-print-directory ARCH=arm64 check-arm64-run

# $$(CHECK_DEPS): expanded once every fragment is read (mk/common.mk turns
# on secondary expansion), so this fragment may be read before the others.
check-arm64-run: all $$(CHECK_DEPS)
	@[ "$(ARCH)" = arm64 ] || { echo "check-arm64-run: needs ARCH=arm64" >&2; exit 2; }
	@$(if $(filter $(ARM64_SKIP),$(CHECK_PROGRAMS)),echo "check-arm64: skipped (cannot run, or too heavy, under qemu-user): $(filter $(ARM64_SKIP),$(CHECK_PROGRAMS))")
	@PATH="$(CURDIR)/tests/arm64/shims:$$PATH" SECPROV_ARCH=arm64 \
	    tests/run_tests.sh "$(BUILD)" $(ARM64_CHECK_PROGRAMS) $(filter-out $(ARM64_SKIP),$(CHECK_PROGRAMS))
