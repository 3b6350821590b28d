#!/usr/bin/env bash
# Streaming: split then join for 1 B, 100 B, 10,000 B, 1 MiB and 256 MiB; the
# 256 MiB join and decrypt are streamed with peak memory (max RSS of the whole
# secprov process, GNU time) under 16 MiB.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
printf 'tpm = { devices = ["%s/none"]; };\nlegacy = { state_dir = "%s/legacy"; };\n' "$T" "$T" > "$T/c.conf"
export SECPROV_CONFIG=$T/c.conf
for n in 1 100 10000 1048576 268435456; do
  head -c "$n" /dev/urandom > "$T/res"
  "$B" legacy split --small "$T/small" --big "$T/big" "$T/res"
  blob=$(( 16 + 16 * (n / 16 + 1) )); want=$(( blob * 3 / 10 )); [ $want -gt 3072 ] && want=3072
  check "$n B: small is min(3072, floor(0.3*$blob)) = $want" test "$(stat -c %s "$T/small")" = $want
  check "$n B: small+big is the whole blob" test $(( $(stat -c %s "$T/small") + $(stat -c %s "$T/big") )) = $blob
  /usr/bin/time -f %M -o "$T/rss" "$B" legacy join --small "$T/small" --big "$T/big" "$T/joined"
  check "$n B: join gives the resource back" cmp "$T/joined" "$T/res"
  if [ "$n" = 268435456 ]; then
    rss=$(cat "$T/rss")
    if readelf -dW "$B" | grep -q "NEEDED.*libasan"; then
      echo "info 256 MiB join: max RSS ${rss} KiB (sanitizer build: not held to the bound)"
    else
      base=0
      if [ "${SECPROV_ARCH:-}" = arm64 ]; then  # under qemu-user the emulator's own memory is in the RSS
        /usr/bin/time -f %M -o "$T/rss0" "$B" --version >/dev/null; base=$(cat "$T/rss0")
      fi
      echo "info 256 MiB join: max RSS ${rss} KiB (baseline ${base} KiB)"
      check "256 MiB join: peak memory under 16 MiB" test $((rss - base)) -lt 16384
    fi
  fi
  rm -f "$T/joined" "$T/small" "$T/big"
done
check_done
