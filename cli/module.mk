# The `secprov` command. Links libsecprov.so (rpath $ORIGIN/../lib, so it
# runs from the build tree and from an install alike) and libcrypto (only
# for cli/openssl_names.c); `secprov verify` loads libsecprov_verify.so
# beside it with dlopen (cli/cmd_attest.c).
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI_OBJS := $(call obj,$(CLI_SRCS))
$(CLI_OBJS): EXTRA_CFLAGS := -Icli $(CRYPTO_CFLAGS)

$(BINDIR_B)/secprov: $(CLI_OBJS) $(LIBSECPROV_SO) $(LIBVERIFY_SO)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $(CLI_OBJS) -L$(LIBDIR_B) -lsecprov $(CRYPTO_LIBS) -ldl '-Wl,-rpath,$$ORIGIN/../lib'

ALL_TARGETS += $(BINDIR_B)/secprov
