#!/usr/bin/env bash
# secprov-attestor against hostile clients (tests/attestor/hostile.py):
# (a) slowloris: 200 connections trickling a request's headers a byte a
#     second for 12 s, reopened whenever the daemon cuts one: GET /health
#     answers 200 within 1 s all the while and after, and the daemon cuts
#     the slow connections (the request deadline, attestor/http_guard.c);
# (b) 600 slow connections, over the 512 connection limit: /health answers
#     within the request deadline + 2 s, then within 1 s every time;
# (c) garbage: random bytes, a 20 KiB request line, a 100 KiB header, 3000
#     headers, bodies over 4096 bytes (413), bad Content-Lengths and chunked
#     encodings, wrong methods (405), HTTP/0.9, the HTTP/2 preface, no Host,
#     a NUL in the token, a percent-encoded NUL in the path, half-closed and
#     reset connections, 50 pipelined requests: each its expected answer (a
#     4xx, or closed), all at once;
# after each part the daemon is alive and /health is 200; at the end it
# stops with exit 0 (under ASan: no leak, no error) and its audit chain
# verifies.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
source "$SECPROV_SRC/tests/attestor/lib.sh"
DEADLINE=5                      # REQUEST_DEADLINE_S in attestor/http_api.c
H=$SECPROV_SRC/tests/attestor/hostile.py
at_fixtures
at_config "$T/c.conf"
check "the daemon starts" at_start "$T/c.conf"
# python's lines: "ok   ..." / "FAIL ..." become this test's, INFO lines are shown
hostile() {
  local line rc=0
  python3 "$H" "$AT_PORT" "$@" > "$T/hostile.out" 2>&1 || rc=$?
  while IFS= read -r line; do
    case $line in
      "ok   "*) echo "$line" ;;
      "FAIL "*) fail "${line#FAIL }" ;;
      "INFO "*) echo "SUMMARY test_attestor_hostile: ${line#INFO }" ;;
      *) echo "    $line" ;;
    esac
  done < "$T/hostile.out"
  [ $rc = 0 ] || fail "hostile.py $1 exited $rc"
}
alive() {
  check "$1: the daemon is alive" kill -0 "$AT_PID"
  get /health; check "$1: /health 200" test "$code" = 200
}

hostile slowloris 200 12
alive "after the slowloris"
hostile overlimit 600 "$DEADLINE"
alive "after 600 slow connections"
hostile garbage
alive "after the garbage"
check "the daemon logged no sanitizer report" test "$(grep -c -E 'Sanitizer|runtime error' "$T/daemon.err" || true)" = 0
at_stop
check "the daemon stops cleanly on SIGTERM (exit $AT_RC)" test "$AT_RC" = 0
check "the audit chain verifies" "$AD" --audit-verify "$T/audit/audit.jsonl"
check_done
