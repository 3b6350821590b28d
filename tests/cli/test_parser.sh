#!/usr/bin/env bash
# The one parser: global options reach every subcommand (legacy too, and
# also after the subcommand's name); `--` ends options and is never a NAME;
# a NAME beginning with '-' needs `--`; every usage error exits 2 with one
# line naming the problem; options of a subcommand before or after its
# arguments.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
unset SECPROV_CONFIG SECURITY_PROVIDER SECPROV_LOG_LEVEL
run() { rc=0; "$@" >"$T/out" 2>"$T/err" || rc=$?; }
usage_error() {  # usage_error EXPECTED_LINE_PREFIX: exit 2, exactly one line, naming it
  [ "$rc" = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -qF -- "secprov: error: $1" "$T/err" &&
    [ ! -s "$T/out" ] || { echo "     rc=$rc err: $(cat "$T/err")"; return 1; }
}
hw1="CPU: one. GPU: none. Memory: 1. DriveSerial: a"
hw2="CPU: two. GPU: none. Memory: 2. DriveSerial: b"
conf() { printf 'provider = "legacy";\ntpm = { devices = ["%s/none"]; };\nlegacy = { state_dir = "%s"; hardware = "%s"; };\n' "$T" "$2" "$3" > "$1"; }
conf "$T/one.conf" "$T/one-state" "$hw1"
conf "$T/two.conf" "$T/two-state" "$hw2"
want1=$("$B" legacy hw-hash --hardware "$hw1")
want2=$("$B" legacy hw-hash --hardware "$hw2")

# --config reaches `legacy`: its legacy.hardware is this device's fingerprint
run "$B" --config "$T/one.conf" legacy hw-hash
check "--config F legacy hw-hash: F's legacy.hardware" test "$(cat "$T/out")" = "$want1"
run "$B" --config "$T/two.conf" legacy hw-hash
check "--config G legacy hw-hash: G's legacy.hardware" test "$(cat "$T/out")" = "$want2"
run "$B" legacy hw-hash --config "$T/two.conf"
check "legacy hw-hash --config G (after the command) too" test "$(cat "$T/out")" = "$want2"
SECPROV_CONFIG=$T/one.conf run "$B" --config "$T/two.conf" legacy hw-hash
check "--config overrides \$SECPROV_CONFIG for legacy" test "$(cat "$T/out")" = "$want2"
run "$B" --config "$T/nonexistent" legacy hw-hash
check "--config /nonexistent legacy: exit 1" test $rc = 1
check "--config /nonexistent legacy: the line names the path" \
  grep -qx "secprov: error: $T/nonexistent: cannot read config file: No such file or directory" "$T/err"
run "$B" --config "$T/nonexistent" legacy hw-hash --hardware x
check "--config /nonexistent legacy hw-hash --hardware: still refused (exit 1)" test $rc = 1
run "$B" --config "$T/nonexistent" info
check "--config /nonexistent info: exit 1" test $rc = 1
# --log-level and --provider reach the subcommands
run "$B" --log-level loud legacy hw-hash --hardware x
check "--log-level loud legacy: usage error" usage_error "unknown log level 'loud'"
run "$B" legacy hw-hash --log-level loud --hardware x
check "legacy hw-hash --log-level loud: usage error" usage_error "unknown log level 'loud'"
run "$B" --provider ../tpm info
check "--provider ../tpm: usage error" usage_error "unknown provider '../tpm' (auto, tpm, legacy or the name of an installed provider module: [a-z][a-z0-9_]{0,31})"
printf 'provider = "tpm";\ntpm = { devices = ["%s/none"]; };\nlegacy = { state_dir = "%s/p-state"; hardware = "x"; };\n' "$T" "$T" > "$T/tpm.conf"
run "$B" --config "$T/tpm.conf" info
check "config says tpm (absent): info fails" test $rc = 1
run "$B" --config "$T/tpm.conf" --provider legacy info
check "--provider legacy overrides the config's tpm" grep -qx 'provider: legacy' "$T/out"
run "$B" info --provider legacy --config "$T/tpm.conf"
check "global options after the subcommand's name" grep -qx 'provider: legacy' "$T/out"

# -- and names beginning with '-'
export SECPROV_CONFIG=$T/one.conf
printf 'dash-secret' > "$T/s"
run "$B" unseal --; check "unseal --: too few arguments" usage_error "unseal: too few arguments (usage: secprov unseal NAME)"
run "$B" seal -- ; check "seal --: too few arguments" usage_error "seal: too few arguments"
run "$B" delete --; check "delete --: too few arguments" usage_error "delete: too few arguments"
run "$B" locate --; check "locate --: too few arguments" usage_error "locate: too few arguments"
run "$B" list; check "no secret named '--' was made" test ! -s "$T/out"
run "$B" seal -dash "$T/s"; check "seal -dash: an unknown option" usage_error "seal: unknown option '-d'"
run "$B" seal - "$T/s"; check "seal - FILE: needs --" usage_error "seal: the name '-' begins with '-': put -- before it (secprov seal -- -)"
run "$B" seal -- -dash "$T/s"; check "seal -- -dash FILE: ok" test $rc = 0
run "$B" unseal -- -dash; check "unseal -- -dash: the secret" test "$(cat "$T/out")" = dash-secret
run "$B" unseal -x; check "unseal -x: unknown option" usage_error "unseal: unknown option '-x'"
run "$B" list; check "list shows -dash" test "$(cat "$T/out")" = -dash
run "$B" seal plain -- "$T/s"; check "seal NAME -- FILE: ok" test $rc = 0
run "$B" delete -- -dash; check "delete -- -dash" test $rc = 0

# usage errors: exit 2, one line naming the problem
run "$B" seal a b c; check "too many arguments" usage_error "seal: too many arguments (usage: secprov seal NAME [FILE])"
run "$B" info extra; check "info extra: too many arguments" usage_error "info: too many arguments"
run "$B" seal --bogus x; check "unknown subcommand option" usage_error "seal: unknown option '--bogus' (see secprov seal --help)"
run "$B" --config; check "--config without a value" usage_error "option '--config' needs a value"
run "$B" --config '' info; check "--config ''" usage_error "--config needs a file name"
run "$B" --help=x; check "--help=x: takes no value" usage_error "option '--help=x' takes no value"
run "$B" legacy; check "legacy without a command" usage_error "legacy: no command given (see secprov legacy --help)"
run "$B" legacy frob; check "unknown legacy command" usage_error "unknown legacy command 'frob'"
run "$B" legacy hw-hash --hardware; check "legacy option without a value" usage_error "legacy hw-hash: option '--hardware' needs a value"
run "$B" legacy hw-hash --key-file k; check "another command's option" usage_error "legacy hw-hash: unknown option '--key-file'"
run "$B" legacy encrypt a b c; check "legacy encrypt: too many arguments" usage_error "legacy encrypt: too many arguments"
run "$B" seal 'bad/name'; check "invalid name" usage_error "invalid name 'bad/name'"
# help and version at every level
run "$B" seal --help; check "seal --help: exit 0" test $rc = 0
check "seal --help: its usage" grep -q '^usage: secprov \[GLOBAL OPTIONS\] seal NAME \[FILE\]' "$T/out"
run "$B" legacy --help; check "legacy --help: the legacy commands" grep -q '^  hw-hash \[--hardware STRING\]' "$T/out"
run "$B" legacy decrypt --help; check "legacy decrypt --help" grep -q 'legacy decrypt --key-file F' "$T/out"
run "$B" help; check "help: usage" grep -q '^usage: secprov' "$T/out"
run "$B" info --version; check "info --version" grep -qx 'secprov 0.1.0' "$T/out"

# a subcommand's options before or after its arguments
echo k1 > "$T/k"
"$B" legacy encrypt --key-file "$T/k" "$T/s" "$T/enc"
run "$B" legacy decrypt "$T/enc" "$T/back" --key-file "$T/k"
check "legacy decrypt IN OUT --key-file K" cmp "$T/back" "$T/s"
check_done
