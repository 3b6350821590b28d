# The TPM commands a test's code sends, counted from swtpm's log ($LOG, the
# log PTYTPM_SWTPM_LOG or tpm_sim_socket wrote). Sourced after test_lib.sh.
#   name_of CC        command code (8 hex digits) -> TPM2_CC name
#   settle            until swtpm's log stops growing (written as it answers)
#   since OFFSET      the commands logged after OFFSET: "Name xN, ..." sorted
#   sorted "A x1, ..." the same list in since's order
#   process DESC WANT CMD...  one whole process's commands must be WANT
#                     (its stdout in $T/out)
name_of() {
  case $1 in
    0000017B) echo GetRandom ;;        00000173) echo ReadPublic ;;
    00000176) echo StartAuthSession ;; 00000153) echo Create ;;
    00000157) echo Load ;;             0000015E) echo Unseal ;;
    00000165) echo FlushContext ;;     00000162) echo ContextSave ;;
    00000161) echo ContextLoad ;;      00000131) echo CreatePrimary ;;
    00000156) echo Import ;;           0000017A) echo GetCapability ;;
    *) echo "0x$1" ;;
  esac
}
settle() {
  local a b; b=$(stat -c %s "$LOG")
  while :; do sleep 0.05; a=$b; b=$(stat -c %s "$LOG"); [ "$a" = "$b" ] && break; done
}
since() {
  tail -c +"$(($1 + 1))" "$LOG" | awk '/SWTPM_IO_Read/ { getline; print $7 $8 $9 $10 }' |
    while read -r cc; do name_of "$cc"; done | sort | uniq -c | awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }'
}
sorted() { tr ',' '\n' <<<"$1" | sed 's/^ *//' | sort | paste -sd, | sed 's/,/, /g'; }
process() {
  local at got want
  settle; at=$(stat -c %s "$LOG")
  "${@:3}" > "$T/out"
  settle; got=$(since "$at"); want=$(sorted "$2")
  [ "$got" = "$want" ] && ok "$1: $got" || fail "$1: got '$got', want '$want'"
}
