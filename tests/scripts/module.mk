# Tests of scripts/.
CHECK_PROGRAMS += tests/scripts/test_deps.sh
