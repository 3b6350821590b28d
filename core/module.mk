# libsecprov.so: the core. Links libconfig and libdl only: never libtss2,
# never a cipher library.
LIBSECPROV_SRCS := $(sort $(wildcard core/*.c))
LIBSECPROV_OBJS := $(call obj,$(LIBSECPROV_SRCS))
$(LIBSECPROV_OBJS): EXTRA_CFLAGS := $(LIBCONFIG_CFLAGS) -Icore

$(LIBSECPROV_REAL): $(LIBSECPROV_OBJS) core/libsecprov.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,$(LIBSECPROV_SONAME) -Wl,--version-script=core/libsecprov.map \
	    $(BASE_LDFLAGS) -o $@ $(LIBSECPROV_OBJS) $(LIBCONFIG_LIBS) -ldl -lpthread

$(LIBSECPROV_SO): $(LIBSECPROV_REAL)
	ln -sf libsecprov.so.$(VERSION) $(LIBDIR_B)/$(LIBSECPROV_SONAME)
	ln -sf $(LIBSECPROV_SONAME) $@

ALL_TARGETS += $(LIBSECPROV_SO)
