#!/usr/bin/env bash
# ARM64 under qemu against a native swtpm: the arm64 `secprov` selects `tpm`
# (explicitly and by `auto`), loading the arm64 FAPI and swtpm TCTI
# libraries, and seals/unseals 32 bytes and 1 MiB exactly; the secret
# survives a new arm64 process.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$t/swtpm"
sock=$t/swtpm/sock
swtpm socket --tpm2 --server "type=unixio,path=$sock" --ctrl "type=unixio,path=$sock.ctrl" \
  --tpmstate "dir=$t/swtpm" --flags not-need-init,startup-clear &
swtpm_pid=$!
trap 'kill "$swtpm_pid" 2>/dev/null; wait "$swtpm_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || fail "swtpm did not start"

write_conf() {   # write_conf PROVIDER
  orin_conf "provider = \"$1\";
fallback = false;
log_level = \"info\";" "\"$sock\"" "swtpm:path=$sock"
}
export SECPROV_CONFIG=$t/secprov.conf

write_conf tpm
# The arm64 process loads the arm64 FAPI (dlopen()ed to provision the new
# keystore: its first open) and swtpm TCTI: the guest's dynamic loader names
# every library it initialises. The next process, on the provisioned
# keystore, loads no FAPI.
LD_DEBUG=libs "$sp" info > /dev/null 2> "$t/ld.log" || fail "secprov info with LD_DEBUG failed"
for lib in libtss2-fapi.so.1 libtss2-esys.so.0 libtss2-tcti-swtpm.so.0; do
  grep -q "calling init: .*/aarch64-linux-gnu/$lib\$" "$t/ld.log" \
    || { grep 'calling init' "$t/ld.log" >&2; fail "arm64 $lib not loaded"; }
done
if grep -q 'calling init: .*x86_64.*libtss2' "$t/ld.log"; then fail "an x86-64 libtss2 was loaded"; fi
echo "ok: arm64 libtss2-fapi (provisioning), -esys and -tcti-swtpm loaded by the arm64 process"
LD_DEBUG=libs "$sp" info > /dev/null 2> "$t/ld.log" || fail "secprov info with LD_DEBUG failed"
if grep -q 'calling init: .*libtss2-fapi' "$t/ld.log"; then fail "libtss2-fapi loaded on a provisioned keystore"; fi
echo "ok: no libtss2-fapi loaded on the provisioned keystore"
[ "$(info_field provider)" = tpm ] || { "$sp" info >&2 || true; fail "explicit tpm: provider is not tpm"; }
[ "$(info_field fallback)" = no ] || fail "explicit tpm: fallback is not no"
echo "ok: provider tpm (explicit), fapi_config: $(info_field fapi_config)"

roundtrip tpm32 32
roundtrip tpm1m 1048576

# auto: the configured device node exists, so auto picks tpm.
write_conf auto
[ "$(info_field provider)" = tpm ] || { "$sp" info >&2 || true; fail "auto with device present: provider is not tpm"; }
[ "$(info_field fallback)" = no ] || fail "auto: fallback is not no"
"$sp" unseal tpm32 | cmp - "$t/tpm32.in" || fail "tpm32 unsealed by a new process (auto) differs"
"$sp" unseal tpm1m | cmp - "$t/tpm1m.in" || fail "tpm1m unsealed by a new process (auto) differs"
echo "ok: auto selects tpm; secrets read back by new processes"

list=$("$sp" list | tr '\n' ' ')
[ "$list" = "tpm1m tpm1m-stdin tpm32 tpm32-stdin " ] || fail "list is '$list'"
"$sp" delete tpm32
if "$sp" unseal tpm32 > /dev/null 2> "$t/err"; then fail "unseal after delete succeeded"; fi
grep -q '^secprov: error: ' "$t/err" || fail "unseal after delete: no 'secprov: error:' line"
echo "ok: list, delete, not-found error"
echo "arm64 tpm checks passed"
