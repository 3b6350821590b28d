#!/usr/bin/env bash
# The CLI leg of issue 24, process by process: `systemd-creds encrypt`,
# `decrypt`, `secprov seal`, `unseal`, alternating in one run on one pty TPM
# (no resource manager: systemd-creds's sessions are flushed after each of
# its processes, outside the timing, as bench/run.sh does). Medians, mins
# and the ratio of the sums of medians. With OTHER_BUILD (another build
# tree, say of the commit before a change), its `secprov seal` and
# `unseal` alternate in the same run too, each build with its own keystore.
#   bench/cli_legs.sh BUILD_DIR [ROUNDS [OTHER_BUILD_DIR]]
# Needs swtpm, tpm2-tools, systemd (systemd-creds).
set -eu
export SECPROV_BUILD=$(cd "$1" && pwd)
rounds=${2:-30}
other=${3:+$(cd "$3" && pwd)}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
source "$src/tests/tools/tpm_sim.sh"
trap 'tpm_sim_stop; rm -rf "$work"' EXIT
tpm_sim_pty "$work/t"
tpm_sim_config "$work/c.conf" tpm
mkdir -p "$work/other"
tpm_sim_config "$work/other/c.conf" tpm
export SECPROV_CONFIG=$work/c.conf
SP=$SECPROV_BUILD/bin/secprov
head -c 32 /dev/urandom > "$work/secret"
flush_sessions() { tpm2_flushcontext -T "$TPM_TCTI" --loaded-session >/dev/null 2>&1 || true; }
encrypt() { rm -f "$work/cred"; systemd-creds encrypt --with-key=tpm2 --tpm2-device="$TPM_DEV" --name=bench "$work/secret" "$work/cred" 2>/dev/null; }
decrypt() { rm -f "$work/creds.out"; systemd-creds decrypt --tpm2-device="$TPM_DEV" --name=bench "$work/cred" "$work/creds.out" 2>/dev/null; }
seal() { "$SP" seal bench-cli < "$work/secret"; }
unseal() { "$SP" unseal bench-cli > "$work/cli.out"; }
seal_other() { SECPROV_CONFIG=$work/other/c.conf "$other/bin/secprov" seal bench-cli < "$work/secret"; }
unseal_other() { SECPROV_CONFIG=$work/other/c.conf "$other/bin/secprov" unseal bench-cli > "$work/other.out"; }
legs=(encrypt decrypt seal unseal)
[ -n "$other" ] && legs+=(seal_other unseal_other)
for leg in "${legs[@]}"; do "$leg"; case $leg in encrypt|decrypt) flush_sessions ;; esac; done  # warm-up, provisioning
cmp -s "$work/secret" "$work/creds.out" && cmp -s "$work/secret" "$work/cli.out" \
  && { [ -z "$other" ] || cmp -s "$work/secret" "$work/other.out"; } \
  || { echo "cli_legs: a warm-up round-trip failed" >&2; exit 1; }
for _ in $(seq 1 "$rounds"); do
  for leg in "${legs[@]}"; do
    t0=$EPOCHREALTIME; "$leg" || { echo "cli_legs: $leg failed" >&2; exit 1; }; t1=$EPOCHREALTIME
    echo "$leg $(( ${t1/./} - ${t0/./} ))" >> "$work/times"
    case $leg in encrypt|decrypt) flush_sessions ;; esac
  done
done
python3 - "$work/times" "${other:-}" <<'PY'
import collections, statistics, sys
t = collections.defaultdict(list)
for line in open(sys.argv[1]):
    leg, us = line.split()
    t[leg].append(int(us) / 1000)
m = {leg: statistics.median(v) for leg, v in t.items()}
for leg in t:
    print(f"{leg:12s} median {m[leg]:6.1f} ms  min {min(t[leg]):6.1f} ms  ({len(t[leg])} runs)")
c = m["encrypt"] + m["decrypt"]
for what, s, u in (("secprov", "seal", "unseal"), (f"secprov of {sys.argv[2]}", "seal_other", "unseal_other")):
    if s in m:
        p = m[s] + m[u]
        print(f"systemd-creds encrypt+decrypt {c:.1f} ms, {what} seal+unseal {p:.1f} ms: {p / c:.2f}x")
PY
