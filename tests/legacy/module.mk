# The legacy scheme: public vectors (C API and command), round-trips,
# openssl interop, bad input, and the streamed 256 MiB split/join.
$(OBJDIR)/tests/legacy/test_vectors.o: EXTRA_CFLAGS := $(TEST_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS)
$(TESTDIR_B)/legacy/test_vectors: $(OBJDIR)/tests/legacy/test_vectors.o $(LIBSECPROV_SO) $(PROVDIR_B)/legacy.so
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov $(CMOCKA_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS)
CHECK_DEPS     += $(TESTDIR_B)/legacy/test_vectors
CHECK_PROGRAMS += $(TESTDIR_B)/legacy/test_vectors tests/legacy/test_command.sh tests/legacy/test_stream.sh

# The fingerprint collector against fake /proc, /sys and lspci (linked with
# the collector's objects directly: they are internal to legacy.so).
$(OBJDIR)/tests/legacy/test_fingerprint.o: EXTRA_CFLAGS := $(TEST_CFLAGS) -Iproviders/legacy
$(TESTDIR_B)/legacy/test_fingerprint: $(OBJDIR)/tests/legacy/test_fingerprint.o $(call obj,providers/legacy/fingerprint.c providers/legacy/arm_parts.c)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)
CHECK_DEPS     += $(TESTDIR_B)/legacy/test_fingerprint
CHECK_PROGRAMS += $(TESTDIR_B)/legacy/test_fingerprint
