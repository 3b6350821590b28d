# secprov-attestor: the runtime attestor daemon (docs/attestor.md). Links
# libmicrohttpd, json-c, OpenSSL, libconfig and the core's config reader
# (core/config*.o, host_env.o, log.o: compiled in, nothing exported),
# formats/ (the canonical form, the bundle), and libsecprov (the TPM, through
# the public API: secprov_attest) and libsecprov_verify (the quote's
# self-check), rpath $ORIGIN/../lib like the command. Never libtss2.
ATTESTOR_SRCS := $(sort $(wildcard attestor/*.c))
ATTESTOR_OBJS := $(call obj,$(ATTESTOR_SRCS))
ATTESTOR_CORE_OBJS := $(call obj,core/config.c core/config_file.c core/config_groups.c \
                        core/host_env.c core/log.c)
ATTESTOR_FORMATS_OBJS := $(call obj,formats/canonical.c formats/bundle.c)
MHD_CFLAGS := $(call pc_cflags,libmicrohttpd)
MHD_LIBS := $(call pc_libs,libmicrohttpd)
$(ATTESTOR_OBJS): EXTRA_CFLAGS := -Iattestor -Icore -Iformats $(MHD_CFLAGS) $(JSONC_CFLAGS) \
                                  $(CRYPTO_CFLAGS) $(LIBCONFIG_CFLAGS)

$(BINDIR_B)/secprov-attestor: $(ATTESTOR_OBJS) $(ATTESTOR_CORE_OBJS) $(ATTESTOR_FORMATS_OBJS) \
                               $(LIBSECPROV_SO) $(LIBVERIFY_SO)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $(ATTESTOR_OBJS) $(ATTESTOR_CORE_OBJS) $(ATTESTOR_FORMATS_OBJS) \
	    -L$(LIBDIR_B) -lsecprov -lsecprov_verify $(MHD_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS) \
	    $(LIBCONFIG_LIBS) -lpthread '-Wl,-rpath,$$ORIGIN/../lib'

ALL_TARGETS += $(BINDIR_B)/secprov-attestor

INSTALL_EXTRA += install-attestor
UNINSTALL_EXTRA += uninstall-attestor
.PHONY: install-attestor uninstall-attestor
install-attestor: $(BINDIR_B)/secprov-attestor
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BINDIR_B)/secprov-attestor $(DESTDIR)$(PREFIX)/bin/
uninstall-attestor:
	rm -f $(DESTDIR)$(PREFIX)/bin/secprov-attestor
