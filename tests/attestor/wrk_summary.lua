-- wrk script (tests/attestor/load_lib.sh): at the end, the figures as
-- key=value lines, latencies in microseconds; status = non-2xx/3xx answers.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests=%d\nduration_us=%d\n", summary.requests, summary.duration))
  io.write(string.format("err_connect=%d\nerr_read=%d\nerr_write=%d\nerr_status=%d\nerr_timeout=%d\n",
                         e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("p50_us=%d\np99_us=%d\nmax_us=%d\n",
                         latency:percentile(50), latency:percentile(99), latency.max))
end
