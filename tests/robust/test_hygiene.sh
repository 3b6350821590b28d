#!/usr/bin/env bash
# Resource hygiene and secrets in the log, on both providers: open/close
# (10,000 times on legacy, 300 on tpm) without fd or memory growth; a failed
# open leaves nothing open; a sealed marker never appears in the debug log
# (the callback's lines, and stderr with TSS2_LOG at its default).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
H=$SECPROV_BUILD/tests/robust/hygiene
tpm_sim_pty "$T/tpm"
marker="S3CRET-MARKER-$RANDOM$RANDOM"
# RSS is not a measure under ASan (its quarantine) or qemu-user (its code cache)
if readelf -dW "$H" | grep -q "NEEDED.*libasan" || [ "${SECPROV_ARCH:-}" = arm64 ]; then
  export HYGIENE_NO_RSS=1
fi
for p in legacy tpm; do
  mkdir -p "$T/$p"; tpm_sim_config "$T/$p/c.conf" "$p"
  n=$([ $p = tpm ] && echo 300 || echo 10000)
  SECPROV_CONFIG=$T/$p/c.conf "$H" "$n" "$marker" 2>"$T/$p/stderr"
  ! grep -q "$marker" "$T/$p/stderr"
  echo "ok   $p: $n open/close without growth, no secret in any log"
done
