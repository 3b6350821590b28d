# Everything the module.mk fragments use: read before any of them, so no
# fragment depends on the order in which the others are read.
#   Variables a fragment appends to: ALL_TARGETS, CHECK_PROGRAMS, CHECK_DEPS,
#   CLEAN_EXTRA. A fragment that needs the complete CHECK_DEPS as a
#   prerequisite writes it as $$(CHECK_DEPS) (secondary expansion, below).

PREFIX   ?= /usr/local
DESTDIR  ?=
SANITIZE ?=
ARCH     ?=

# The release's version: the file VERSION, its one place (make dist, the
# library's file name, secprov_version() and `secprov --version`, the .pc
# files, debian/changelog, the Python wheel's metadata). The literals a
# language needs in source (include/secprov.h's SECPROV_VERSION_*, the Python
# package's __version__) are checked against it here: a release that bumps
# VERSION alone stops the build, naming them.
VERSION   := $(shell cat $(dir $(lastword $(MAKEFILE_LIST)))../VERSION)
hdr_version := $(shell sed -n 's/^\#define SECPROV_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$$/\2/p' \
                 $(dir $(lastword $(MAKEFILE_LIST)))../include/secprov.h | paste -sd.)
py_version  := $(shell sed -n 's/^__version__ = "\(.*\)"$$/\1/p' \
                 $(dir $(lastword $(MAKEFILE_LIST)))../python/secprov/__init__.py)
ifneq ($(VERSION),$(hdr_version))
$(error VERSION says $(VERSION) but include/secprov.h's SECPROV_VERSION_* say $(hdr_version))
endif
ifneq ($(VERSION),$(py_version))
$(error VERSION says $(VERSION) but python/secprov/__init__.py's __version__ says $(py_version))
endif
# The library's own build of the FHS install paths: LIBDIR may be a
# multiarch folder (/usr/lib/x86_64-linux-gnu, as debian/rules sets it).
LIBDIR    ?= $(PREFIX)/lib
SOVERSION := 0

ifneq ($(ARCH),)
include mk/arch-$(ARCH).mk
endif

ifeq ($(SANITIZE),asan)
BUILD ?= build-asan$(if $(ARCH),-$(ARCH))
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD ?= build$(if $(ARCH),-$(ARCH))
SAN_FLAGS :=
endif

PKG_CONFIG ?= pkg-config

OPT_FLAGS ?= -O2 -g
WARN_FLAGS := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
HARDEN_FLAGS := -fstack-protector-strong -D_FORTIFY_SOURCE=2
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT_FLAGS) $(WARN_FLAGS) $(HARDEN_FLAGS) \
               -fPIC -fvisibility=hidden -Iinclude $(SAN_FLAGS)
BASE_LDFLAGS := $(SAN_FLAGS) -Wl,-z,relro,-z,now -Wl,--as-needed

# Libraries the field uses, found with pkg-config (empty until installed).
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)
FAPI_CFLAGS     := $(call pc_cflags,tss2-fapi tss2-rc)
FAPI_LIBS       := $(call pc_libs,tss2-fapi tss2-rc)
CRYPTO_CFLAGS   := $(call pc_cflags,libcrypto)
CRYPTO_LIBS     := $(call pc_libs,libcrypto)
LIBCONFIG_CFLAGS:= $(call pc_cflags,libconfig)
LIBCONFIG_LIBS  := $(call pc_libs,libconfig)
CMOCKA_CFLAGS   := $(call pc_cflags,cmocka)
CMOCKA_LIBS     := $(call pc_libs,cmocka)
JSONC_CFLAGS    := $(call pc_cflags,json-c)
JSONC_LIBS      := $(call pc_libs,json-c)

# Output layout mirrors the install layout, so the build tree runs as is:
# the library finds its providers in "<its folder>/secprov".
LIBDIR_B  := $(BUILD)/lib
PROVDIR_B := $(BUILD)/lib/secprov
BINDIR_B  := $(BUILD)/bin
TESTDIR_B := $(BUILD)/tests
OBJDIR    := $(BUILD)/obj

LIBSECPROV_REAL := $(LIBDIR_B)/libsecprov.so.$(VERSION)
LIBSECPROV_SO   := $(LIBDIR_B)/libsecprov.so
LIBSECPROV_SONAME := libsecprov.so.$(SOVERSION)
LIBVERIFY_REAL  := $(LIBDIR_B)/libsecprov_verify.so.$(VERSION)
LIBVERIFY_SO    := $(LIBDIR_B)/libsecprov_verify.so
LIBVERIFY_SONAME := libsecprov_verify.so.$(SOVERSION)

# Filled in by module.mk fragments.
ALL_TARGETS    :=
CHECK_PROGRAMS :=   # tests run by `make check`, in order
CHECK_DEPS     :=   # extra things `make check` builds first
CLEAN_EXTRA    :=
INSTALL_EXTRA  :=   # more install targets (python/module.mk: install-python)
UNINSTALL_EXTRA :=

obj = $(patsubst %.c,$(OBJDIR)/%.o,$(1))
# The core's config reader, for the tests that compile it in (tests/core,
# tests/tpm, tests/security).
CORE_CONFIG_OBJS = $(addprefix $(OBJDIR)/core/,config.o config_file.o config_groups.o log.o fork_gate.o host_env.o)

# Test programs (every suite under tests/ uses these).
TEST_CFLAGS  := $(CMOCKA_CFLAGS) -Itests -Icore
TEST_LDFLAGS := $(BASE_LDFLAGS) -L$(LIBDIR_B) -Wl,-rpath,$(abspath $(LIBDIR_B))

.SECONDEXPANSION:
