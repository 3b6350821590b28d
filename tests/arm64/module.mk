# ARM64: the whole test suite, cross-built, run under qemu-aarch64.
#   make check-arm64     (same as make ARCH=arm64 check-arm64)
# Installs the cross toolchain, the arm64 libraries and qemu-user-binfmt
# (scripts/deps.sh arm64, as root), registers qemu-aarch64 with binfmt_misc
# (tests/arm64/binfmt.sh) so arm64 programs run transparently, builds into
# build-arm64/ and runs this folder's explicit checks, then every test of
# `make check`. swtpm and tpm2-tools stay native (x86-64): the arm64 process
# loads the arm64 FAPI and TCTI libraries and talks to swtpm over its socket.
ARM64_CHECK_PROGRAMS := tests/arm64/test_arm64_elf.sh \
                        tests/arm64/test_arm64_legacy.sh \
                        tests/arm64/test_arm64_tpm.sh

.PHONY: check-arm64 check-arm64-run

check-arm64:
	@scripts/deps.sh arm64
	@tests/arm64/binfmt.sh
	@$(MAKE) --no-print-directory ARCH=arm64 check-arm64-run

check-arm64-run: all $(CHECK_DEPS)
	@[ "$(ARCH)" = arm64 ] || { echo "check-arm64-run: needs ARCH=arm64" >&2; exit 2; }
	@tests/run_tests.sh "$(BUILD)" $(ARM64_CHECK_PROGRAMS) $(CHECK_PROGRAMS)
