# tpm.so: the only object linked against libtss2 (libtss2-fapi: dlopen()ed). -z nodelete: a lock waiter
# thread (tpm_lock.c) may outlive the handle, so the module is never unmapped.
TPM_SRCS := $(sort $(wildcard providers/tpm/*.c))
TPM_OBJS := $(call obj,$(TPM_SRCS)) $(OBJDIR)/providers/tpm/profile_blob.o
TPM_FAPI_CFLAGS := $(call pc_cflags,tss2-fapi tss2-esys tss2-mu tss2-rc tss2-tctildr tss2-sys json-c)
# libtss2-fapi: its header only; the library is dlopen()ed for provisioning
# (fapi_lib.h), so it is not in tpm.so's DT_NEEDED.
TPM_FAPI_LIBS   := $(call pc_libs,tss2-esys tss2-mu tss2-rc tss2-tctildr tss2-sys json-c) -ldl
$(TPM_OBJS): EXTRA_CFLAGS := $(TPM_FAPI_CFLAGS) $(CRYPTO_CFLAGS) -Iproviders/common -Iproviders/tpm -Iformats

# The shipped FAPI profile (persistent, noDA SRK), embedded as a C string.
$(BUILD)/gen/profile_blob.c: providers/tpm/profile_secprov.json providers/tpm/embed.sh
	@mkdir -p $(@D)
	providers/tpm/embed.sh tpm_profile_json $< > $@
$(OBJDIR)/providers/tpm/profile_blob.o: $(BUILD)/gen/profile_blob.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -c $< -o $@

$(PROVDIR_B)/tpm.so: $(TPM_OBJS) $(PROVIDER_COMMON_OBJS) $(FORMATS_OBJS) providers/provider.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,--version-script=providers/provider.map -Wl,-z,defs -Wl,-z,nodelete $(BASE_LDFLAGS) -o $@ \
	    $(TPM_OBJS) $(PROVIDER_COMMON_OBJS) $(FORMATS_OBJS) $(TPM_FAPI_LIBS) $(CRYPTO_LIBS) -lpthread

ALL_TARGETS += $(PROVDIR_B)/tpm.so
