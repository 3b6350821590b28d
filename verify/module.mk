# libsecprov_verify.so: secprov_verify_report(), offline checks of an
# attestation report (include/secprov_verify.h). Links OpenSSL, json-c and
# libtss2-mu only (no TPM access, no ESYS/FAPI); libsecprov does not link it.
VERIFY_SRCS := $(sort $(wildcard verify/*.c))
VERIFY_OBJS := $(call obj,$(VERIFY_SRCS)) $(OBJDIR)/verify/attest_common.o
VERIFY_LINK_OBJS := $(VERIFY_OBJS) $(FORMATS_OBJS)
VERIFY_CFLAGS := $(call pc_cflags,tss2-mu json-c) $(CRYPTO_CFLAGS) -Iverify -Iproviders/tpm -Iformats
VERIFY_LIBS := $(call pc_libs,tss2-mu json-c) $(CRYPTO_LIBS)
$(VERIFY_OBJS): EXTRA_CFLAGS := $(VERIFY_CFLAGS)

# The encoding the device uses, compiled here too (one source for both).
$(OBJDIR)/verify/attest_common.o: providers/tpm/attest_common.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(VERIFY_CFLAGS) -MMD -MP -c $< -o $@

# LIBVERIFY_REAL, LIBVERIFY_SO, LIBVERIFY_SONAME: mk/common.mk.
$(LIBVERIFY_REAL): $(VERIFY_LINK_OBJS) verify/libsecprov_verify.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,$(LIBVERIFY_SONAME) -Wl,--version-script=verify/libsecprov_verify.map \
	    -Wl,-z,defs $(BASE_LDFLAGS) -o $@ $(VERIFY_LINK_OBJS) $(VERIFY_LIBS)

$(LIBVERIFY_SO): $(LIBVERIFY_REAL)
	ln -sf libsecprov_verify.so.$(VERSION) $(LIBDIR_B)/$(LIBVERIFY_SONAME)
	ln -sf $(LIBVERIFY_SONAME) $@

ALL_TARGETS += $(LIBVERIFY_SO)
