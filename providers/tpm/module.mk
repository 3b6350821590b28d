# tpm.so: the only object linked against libtss2.
TPM_SRCS := $(sort $(wildcard providers/tpm/*.c))
TPM_OBJS := $(call obj,$(TPM_SRCS))
$(TPM_OBJS): EXTRA_CFLAGS := $(FAPI_CFLAGS) $(CRYPTO_CFLAGS) -Iproviders/common -Iproviders/tpm

$(PROVDIR_B)/tpm.so: $(TPM_OBJS) $(PROVIDER_COMMON_OBJS) providers/provider.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,--version-script=providers/provider.map $(BASE_LDFLAGS) -o $@ \
	    $(TPM_OBJS) $(PROVIDER_COMMON_OBJS) $(FAPI_LIBS) $(CRYPTO_LIBS) -lpthread

ALL_TARGETS += $(PROVDIR_B)/tpm.so
