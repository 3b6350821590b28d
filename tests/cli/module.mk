# The `secprov` command (issue 13 items 2 and 4): the one parser, the
# standard fds, errors naming the path and errno, seal's input in secret
# memory. Shell tests against the built command (and swtpm for tpm).
CHECK_PROGRAMS += tests/cli/test_parser.sh tests/cli/test_stdfds.sh tests/cli/test_fs_errors.sh \
                  tests/cli/test_seal_memory.sh
