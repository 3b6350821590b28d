# The Python package (python/secprov): its pytest suite, run with Debian's
# /usr/bin/python3 against this build (skipped, visibly, for arm64 and ASan
# builds), and its ctypes declarations checked against the build's ABI by a
# C program built for the target (natively here, under qemu in check-arm64).
$(TESTDIR_B)/arm64/binding_abi: tests/arm64/binding_abi.c include/secprov.h include/secprov_legacy.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(BASE_LDFLAGS) -o $@ $<
CHECK_DEPS     += $(TESTDIR_B)/arm64/binding_abi $(TESTDIR_B)/tools/ptytpm
CHECK_PROGRAMS += tests/python/run_pytest.sh tests/arm64/test_binding_abi.sh
