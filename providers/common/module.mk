# Code both providers link in statically (hidden): files, AEAD, randomness.
PROVIDER_COMMON_SRCS := $(sort $(wildcard providers/common/*.c))
PROVIDER_COMMON_OBJS := $(call obj,$(PROVIDER_COMMON_SRCS))
$(PROVIDER_COMMON_OBJS): EXTRA_CFLAGS := $(CRYPTO_CFLAGS) -Iproviders/common
