# Security tests (docs/security.md): privileged hosts, the trust rule for
# code and configuration, closed standard fds, fds inherited by children.
SEC_T := $(TESTDIR_B)/security

$(OBJDIR)/tests/security/test_trust.o: EXTRA_CFLAGS := $(TEST_CFLAGS) $(LIBCONFIG_CFLAGS)
$(SEC_T)/test_trust: $(OBJDIR)/tests/security/test_trust.o $(CORE_CONFIG_OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LIBCONFIG_LIBS) -lpthread

# The host program (absolute rpath: setuid and file-capability runs ignore $ORIGIN).
$(OBJDIR)/tests/security/sp_host.o: EXTRA_CFLAGS := $(TEST_CFLAGS)
$(SEC_T)/sp_host: $(OBJDIR)/tests/security/sp_host.o $(LIBSECPROV_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDFLAGS) -o $@ $< -lsecprov

# The attacker's module (a constructor that leaves a marker), as both names.
$(SEC_T)/evil/%.so: tests/security/evil_provider.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -shared -o $@ $<

SEC_DEPS := $(SEC_T)/test_trust $(SEC_T)/sp_host $(SEC_T)/evil/tpm.so $(SEC_T)/evil/legacy.so
CHECK_DEPS     += $(SEC_DEPS)
CHECK_PROGRAMS += $(SEC_T)/test_trust tests/security/test_trust_groups.sh tests/security/test_privileged.sh \
                  tests/security/test_closed_fds.sh
