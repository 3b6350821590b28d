# The `secprov` command (issue 13 items 2 and 4): the one parser, the
# standard fds, errors naming the path and errno, seal's input in secret
# memory. Shell tests against the built command (and swtpm for tpm).
CHECK_PROGRAMS += tests/cli/test_parser.sh tests/cli/test_stdfds.sh tests/cli/test_fs_errors.sh \
                  tests/cli/test_seal_memory.sh tests/cli/test_openssl_names.sh
# The secret commands run without OpenSSL's legacy name tables (issue 24):
# a shim counts the tables' OBJ_NAME_add() calls.
$(TESTDIR_B)/cli/objname_shim.so: tests/cli/objname_shim.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O1 -Wall -Wextra -Werror -o $@ $< -ldl
CHECK_DEPS     += $(TESTDIR_B)/cli/objname_shim.so
