#!/usr/bin/env bash
# The `secprov` command: exit codes, the single error line, seal from stdin
# and FILE, byte-exact unseal of binary data, list, delete, locate, info;
# and AC-2 across separate processes on both providers (private swtpm).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
run() { rc=0; "$@" >"$T/out" 2>"$T/err" || rc=$?; }
one_error_line() { [ "$(wc -l < "$T/err")" = 1 ] && grep -q "^secprov: error: $1" "$T/err"; }

# usage errors: exit 2, one line
run "$B"; check "no command: exit 2" test $rc = 2; check "no command: one line" one_error_line "no command given"
run "$B" frobnicate; check "unknown command: exit 2" test $rc = 2; check "unknown command: names it" one_error_line "unknown command 'frobnicate'"
run "$B" --provider; check "option without value: exit 2" test $rc = 2
run "$B" --bogus info; check "unknown option: exit 2" test $rc = 2
run "$B" --log-level loud info; check "bad log level: exit 2" one_error_line "unknown log level 'loud'"
run "$B" seal; check "seal without name: exit 2" test $rc = 2
run "$B" seal 'bad/name'; check "bad name: exit 2" one_error_line "invalid name 'bad/name'"
run "$B" --help; check "--help: exit 0" test $rc = 0; check "--help: usage" grep -q '^usage: secprov' "$T/out"
run "$B" --version; check "--version" grep -qx 'secprov 0.1.0' "$T/out"

tpm_sim_pty "$T/tpm"
for p in legacy tpm; do
  mkdir -p "$T/$p"; tpm_sim_config "$T/$p/c.conf" "$p"
  export SECPROV_CONFIG=$T/$p/c.conf
  run "$B" info; check "$p: info provider" grep -qx "provider: $p" "$T/out"
  # AC-2 across processes: every size sealed by one process, unsealed by another
  for n in 1 32 128 129 4096 1048576; do
    head -c $n /dev/urandom > "$T/in.$n"
    run "$B" seal "s$n" "$T/in.$n"; check "$p: seal $n bytes from FILE" test $rc = 0
    run "$B" unseal "s$n"; check "$p: unseal $n bytes exact (other process)" cmp "$T/out" "$T/in.$n"
  done
  printf 'a\0b\nc\xff' | "$B" seal stdin-secret
  run "$B" unseal stdin-secret
  check "$p: seal from stdin, binary exact" cmp "$T/out" <(printf 'a\0b\nc\xff')
  run "$B" seal empty /dev/null; check "$p: empty secret refused" one_error_line "seal 'empty': the secret is empty"
  run "$B" seal x "$T/nonexistent"; check "$p: missing FILE: exit 1" test $rc = 1
  run "$B" list; check "$p: list sorted" diff "$T/out" <(printf '%s\n' s1 s1048576 s128 s129 s32 s4096 stdin-secret)
  run "$B" delete s1; check "$p: delete" test $rc = 0
  run "$B" unseal s1; check "$p: unseal deleted: exit 1" test $rc = 1
  check "$p: unseal deleted: one error line" one_error_line "unseal 's1': no secret of that name"
  check "$p: unseal deleted: no output" test ! -s "$T/out"
  run "$B" delete s1; check "$p: delete missing: not found" one_error_line "delete 's1': no secret of that name"
  run "$B" locate s32; check "$p: locate" grep -qE '^(fapi|file):' "$T/out"
done

check_done
