# Attestation: the AK, reports and their offline verification, against swtpm.
CHECK_DEPS     += $(LIBVERIFY_SO)
CHECK_PROGRAMS += tests/attest/test_attest.sh
