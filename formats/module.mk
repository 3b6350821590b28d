# formats/: what a device writes and a remote party reads, in one place that
# both sides compile in (tpm.so and libsecprov_verify.so link these objects;
# hidden, never exported). Links json-c, OpenSSL and libtss2-mu only.
FORMATS_SRCS := $(sort $(wildcard formats/*.c))
FORMATS_OBJS := $(call obj,$(FORMATS_SRCS))
FORMATS_CFLAGS := $(call pc_cflags,tss2-mu json-c) $(CRYPTO_CFLAGS) -Iformats
$(FORMATS_OBJS): EXTRA_CFLAGS := $(FORMATS_CFLAGS)
