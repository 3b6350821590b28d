# legacy.so: the software provider and the legacy scheme.
LEGACY_SRCS := $(sort $(wildcard providers/legacy/*.c))
LEGACY_OBJS := $(call obj,$(LEGACY_SRCS))
$(LEGACY_OBJS): EXTRA_CFLAGS := $(CRYPTO_CFLAGS) -Iproviders/common -Iproviders/legacy

$(PROVDIR_B)/legacy.so: $(LEGACY_OBJS) $(PROVIDER_COMMON_OBJS) providers/provider.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,--version-script=providers/provider.map -Wl,-z,defs $(BASE_LDFLAGS) -o $@ \
	    $(LEGACY_OBJS) $(PROVIDER_COMMON_OBJS) $(CRYPTO_LIBS) -lpthread

ALL_TARGETS += $(PROVDIR_B)/legacy.so
