# The runtime attestor (issue 25): the daemon's state machine, endpoints,
# tokens, HMAC, audit chain and watched files, against the built daemon.
CHECK_PROGRAMS += tests/attestor/test_attestor.sh tests/attestor/test_attestor_audit.sh \
                  tests/attestor/test_attestor_tpm.sh tests/attestor/test_attestor_load.sh \
                  tests/attestor/test_attestor_hostile.sh \
                  tests/attestor/test_attestor_notify.sh tests/attestor/test_attestor_unit.sh
CHECK_DEPS += $(BINDIR_B)/secprov-attestor
