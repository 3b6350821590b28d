# The `secprov` command. Links only libsecprov.so (rpath $ORIGIN/../lib, so
# it runs from the build tree and from an install alike); `secprov verify`
# loads libsecprov_verify.so beside it with dlopen (cli/cmd_attest.c).
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI_OBJS := $(call obj,$(CLI_SRCS))
$(CLI_OBJS): EXTRA_CFLAGS := -Icli

$(BINDIR_B)/secprov: $(CLI_OBJS) $(LIBSECPROV_SO) $(LIBVERIFY_SO)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $(CLI_OBJS) -L$(LIBDIR_B) -lsecprov -ldl '-Wl,-rpath,$$ORIGIN/../lib'

ALL_TARGETS += $(BINDIR_B)/secprov
