# Source this first, from every shell test:
#   source "$SECPROV_SRC/tests/tools/test_lib.sh"
# It turns on bash's strict mode and sets
#   T    the test's private scratch folder ($SECPROV_TEST_TMP, removed after)
#   B    the build's secprov command
#   FD   the build's tests/tpm/fault_driver (tests/tools/driver.sh talks to it)
# brings in the assertions (tests/tools/check.sh: check, ok, fail, check_done)
# and the private swtpm (tests/tools/tpm_sim.sh), and on EXIT runs what the
# test gave on_exit, in that order, then stops any swtpm it started.
#   on_exit CMD            CMD (a shell line) to run when the test exits
#   install_to DEST PREFIX `make install` of this build, PREFIX under DEST
#                          (DEST "" installs into PREFIX itself)
# Needs SECPROV_BUILD, SECPROV_SRC and SECPROV_TEST_TMP (tests/run_tests.sh sets them).
set -euo pipefail
T=${SECPROV_TEST_TMP:?run the test with tests/run_tests.sh}
B=$SECPROV_BUILD/bin/secprov
FD=$SECPROV_BUILD/tests/tpm/fault_driver
source "$SECPROV_SRC/tests/tools/check.sh"
source "$SECPROV_SRC/tests/tools/tpm_sim.sh"

TEST_ON_EXIT=()
on_exit() { TEST_ON_EXIT+=("$*"); }
test_exit() {   # the EXIT trap: never changes the test's exit status
  local h
  for h in "${TEST_ON_EXIT[@]}"; do eval "$h" || true; done
  tpm_sim_stop
}
trap test_exit EXIT

install_to() {
  make -s -C "$SECPROV_SRC" BUILD="$SECPROV_BUILD" install PREFIX="$2" ${1:+DESTDIR="$1"} >/dev/null
}
