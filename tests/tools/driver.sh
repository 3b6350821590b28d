# Source this (after tests/tools/test_lib.sh): talking to tests/tpm/fault_driver
# ($FD), a process that opens a secprov handle and answers one line per line
# it is sent ("VERB STATUS MS [VALUE]").
# A long-lived driver, one handle held open across calls (a coprocess):
#   drv_start CONF [VAR=VALUE...]  start it on config CONF, with those variables
#                          set; its stderr appended to $T/driver.err
#   drv_stop               close its stdin: it closes its handle and exits
#                          (also done on EXIT)
#   ask WORDS...           a line to it; its answer in $verb $status $ms $value
#   expect DESC STATUS [VALUE]   the last answer is STATUS [VALUE], and it came
#                          within $LIMIT_MS ms
# A driver per batch of lines:
#   drive [VAR=VALUE...]   run it on $T/c.conf with stdin's lines; its answers,
#                          without the milliseconds, in $T/got; stderr in $T/err
#   expect_got DESC WANT   $T/got is WANT (the answers, in order, one a line)
LIMIT_MS=${LIMIT_MS:-5000}

DRV_PID=
drv_start() {
  local conf=$1; shift
  coproc DRV { exec env SECPROV_CONFIG="$conf" "$@" "$FD" 2>>"$T/driver.err"; }
}
drv_stop() {
  if [ -n "${DRV_PID:-}" ]; then
    local fd=${DRV[1]:-}
    [ -n "$fd" ] && { echo close >&"$fd" || true; eval "exec $fd>&-"; }
    wait "$DRV_PID" 2>/dev/null || true
  fi
  DRV_PID=
}
on_exit drv_stop

ask() {
  echo "$*" >&"${DRV[1]}"
  local reply=""
  IFS= read -r -t 30 reply <&"${DRV[0]}" || reply="$1 NO_ANSWER 99999"
  read -r verb status ms value <<<"$reply"
  value=${value:-}
}
expect() {
  local want="$2${3:+ $3}" got="$status${value:+ $value}"
  if [ "$got" = "$want" ] && [ "$ms" -lt "$LIMIT_MS" ]; then ok "$1: $got in $ms ms"
  else fail "$1: got '$got' in $ms ms, want '$want' within $LIMIT_MS ms"; fi
}

drive() {
  : > "$T/err"
  env SECPROV_CONFIG="$T/c.conf" "$@" "$FD" 2>>"$T/err" | awk '{ $3 = ""; print }' | sed 's/  */ /g; s/ $//' > "$T/got"
}
expect_got() {
  if [ "$(cat "$T/got")" = "$2" ]; then ok "$1"; else
    fail "$1: got [$(tr '\n' '|' < "$T/got")], want [$(printf '%s' "$2" | tr '\n' '|')]"; fi
}
