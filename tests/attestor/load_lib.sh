# Source after test_lib.sh and lib.sh: load against the daemon at_start
# started ($AT_PID, $URL). Used by test_attestor_load.sh and
# bench/attestor_load.sh.
#   rss_kb                  the daemon's VmRSS (kB, /proc/PID/status)
#   refresher_start         POST /api/v1/refresh with the token every ~50 ms
#                           in the background; each answer's "CODE SECONDS"
#                           goes to $T/refresh.codes
#   refresher_stop          stops it (waits for the POST under way)
#   load_run SECS CONNS OUT wrk, 2 threads, GET /api/v1/verify for SECS over
#                           CONNS connections; its figures as key=value lines
#                           into OUT (tests/attestor/wrk_summary.lua), the
#                           daemon's RSS every 0.2 s meanwhile into OUT.rss
#   kv FILE KEY             a value of such a file
#   load_errors OUT         socket errors + non-2xx answers of a load_run
#   refresh_summary         "N refreshes, M not 200, slowest S s"
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$AT_PID/status"; }
kv() { awk -F= -v k="$2" '$1 == k { print $2 }' "$1"; }

REFRESH_PID=
refresher_start() {
  : > "$T/refresh.codes"
  ( trap 'exit 0' TERM
    while :; do
      curl -s -m 10 -o /dev/null -w '%{http_code} %{time_total}\n' -X POST \
        -H 'Authorization: Bearer s3cret-token' "$URL/api/v1/refresh" >> "$T/refresh.codes" || true
      sleep 0.05
    done ) &
  REFRESH_PID=$!
}
refresher_stop() {
  [ -n "$REFRESH_PID" ] || return 0
  kill -TERM "$REFRESH_PID" 2>/dev/null || true
  wait "$REFRESH_PID" 2>/dev/null || true
  REFRESH_PID=
}
on_exit 'refresher_stop'

refresh_summary() {
  awk '{ n++; if ($1 != "200") bad++; if ($2 > max) max = $2 }
       END { printf "%d refreshes, %d not 200, slowest %.3f s\n", n, bad, max }' "$T/refresh.codes"
}

load_run() {
  local secs=$1 conns=$2 out=$3 sampler
  ( trap 'exit 0' TERM
    while :; do rss_kb || true; sleep 0.2; done ) > "$out.rss" &
  sampler=$!
  wrk -t2 -c"$conns" -d"${secs}s" --timeout 5s \
    -s "$SECPROV_SRC/tests/attestor/wrk_summary.lua" "$URL/api/v1/verify" > "$out.wrk" 2>&1 || true
  kill -TERM "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  grep -E '^[a-z_0-9]+=[0-9.]+$' "$out.wrk" > "$out" || true
}

load_errors() {
  echo $(( $(kv "$1" err_connect) + $(kv "$1" err_read) + $(kv "$1" err_write) +
           $(kv "$1" err_timeout) + $(kv "$1" err_status) ))
}
