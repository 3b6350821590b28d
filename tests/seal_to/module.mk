# Seal-to (docs/seal-to.md): server-side seal-to, device-side import and
# unwrap against a pty swtpm, misuse, interop with tpm2-tools, command counts;
# the wire: no secret on the TPM bus, exact commands per import and unwrap.
CHECK_DEPS     += $(LIBVERIFY_SO) $(TESTDIR_B)/tools/ptytpm
CHECK_PROGRAMS += tests/seal_to/test_seal_to.sh tests/seal_to/test_seal_to_wire.sh
