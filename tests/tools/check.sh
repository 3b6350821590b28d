# Source this: the assertions every shell test uses.
#   check DESC CMD...   run CMD: "ok   DESC" if it succeeds, else "FAIL DESC" (counted)
#   ok DESC | fail DESC an outcome the test worked out itself ("fail" is counted)
#   check_done          print the number of failures; the test's last line
fails=0
check() { if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check_done() { echo "$fails failure(s)"; [ "$fails" = 0 ]; }
