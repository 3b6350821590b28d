# Cross-build for ARM64 (aarch64: NVIDIA Jetson Orin Nano and the like).
#
#   make ARCH=arm64              build everything into build-arm64/
#   make ARCH=arm64 check-arm64  run the tests under qemu-aarch64 (tests/arm64/)
#
# Uses Debian's cross toolchain (gcc-aarch64-linux-gnu) and the arm64
# multiarch libraries (libtss2-dev:arm64, libssl-dev:arm64, ...) installed
# next to the native ones: `scripts/deps.sh arm64` installs them all.
# The binaries target generic ARMv8-A; nothing here is specific to one SoC.
# To tune for a device, add e.g. ARM64_CFLAGS=-mcpu=cortex-a78ae (Orin).

CROSS_COMPILE ?= aarch64-linux-gnu-
ARM64_TRIPLET := aarch64-linux-gnu

# A CC given on the command line or in the environment wins; make's
# built-in default (cc) does not.
ifneq ($(filter default undefined,$(origin CC)),)
CC := $(CROSS_COMPILE)gcc
endif

# pkg-config reads only the arm64 .pc files, never the host's. Set inline:
# make 4.3 does not export variables to $(shell ...).
ARM64_PKG_CONFIG_LIBDIR ?= /usr/lib/$(ARM64_TRIPLET)/pkgconfig:/usr/share/pkgconfig
PKG_CONFIG := PKG_CONFIG_LIBDIR=$(ARM64_PKG_CONFIG_LIBDIR) PKG_CONFIG_PATH= pkg-config

ARM64_CFLAGS ?=
OPT_FLAGS ?= -O2 -g $(ARM64_CFLAGS)

# Runs an arm64 program on this (x86) host. Empty when the kernel already
# runs aarch64 ELF files through binfmt_misc (qemu-user-binfmt); tests and
# check-arm64 use it where they start a target binary themselves.
ARM64_QEMU ?= qemu-aarch64
