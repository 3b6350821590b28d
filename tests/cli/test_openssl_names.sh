#!/usr/bin/env bash
# The secret commands run without OpenSSL's legacy name tables (issue 24,
# cli/openssl_names.c): tpm2-tss copies those tables into each of the many
# OpenSSL library contexts of a session, about half of a `secprov unseal`
# process. A shim counts OBJ_NAME_add(), by which OpenSSL fills the tables:
#   - info, seal, unseal, list, locate, gc, delete, import and unwrap, on the
#     pty TPM and on legacy, make no such call and give their exact results;
#   - the commands that may need the tables (X.509, PEM: seal-to, attest,
#     the legacy scheme's commands) still load them: the shim counts there,
#     so a zero above means the tables were never loaded.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
export TSS2_LOG=all+none
SHIM=$SECPROV_BUILD/tests/cli/objname_shim.so
if readelf -dW "$B" | grep -q 'NEEDED.*libasan'; then
  echo "SKIP the legacy-name counts: ASan build (the shim cannot precede the ASan runtime; the plain build runs them)"
  check_done; exit 0
fi
if [ "${SECPROV_ARCH:-}" = arm64 ]; then   # for the guest only, not for qemu-user itself
  shim_env() { env QEMU_SET_ENV="OBJNAME_SHIM_OUT=$T/count,LD_PRELOAD=$SHIM" "$@"; }
else
  shim_env() { env OBJNAME_SHIM_OUT="$T/count" LD_PRELOAD="$SHIM" "$@"; }
fi
counted() {   # WANT(zero|some) DESC CMD...: CMD succeeds; its OBJ_NAME_add calls
  local want=$1 desc=$2 rc=0 n; shift 2
  rm -f "$T/count"
  shim_env "$@" > "$T/out" 2> "$T/err" || rc=$?
  n=$(cat "$T/count" 2>/dev/null || echo none)
  if [ $rc != 0 ]; then fail "$desc: rc $rc: $(tr '\n' ' ' < "$T/err")"
  elif [ "$want" = zero ] && [ "$n" = 0 ]; then ok "$desc: no legacy OpenSSL names loaded"
  elif [ "$want" = some ] && [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 100 ]; then ok "$desc: the legacy names loaded ($n)"
  else fail "$desc: $n OBJ_NAME_add calls, want $want"; fi
}

tpm_sim_pty "$T/tpm"
tpm_sim_config "$T/tpm.conf" tpm
tpm_sim_config "$T/legacy.conf" legacy
printf 'provisioned' | SECPROV_CONFIG=$T/tpm.conf "$B" seal first   # the keystore, made once
head -c 48 /dev/urandom > "$T/secret"
for p in tpm legacy; do
  export SECPROV_CONFIG=$T/$p.conf
  counted zero "$p: info" "$B" info
  grep -qx "provider: $p" "$T/out" || fail "$p: info: $(head -n1 "$T/out")"
  counted zero "$p: seal" "$B" seal k "$T/secret"
  counted zero "$p: unseal" "$B" unseal k
  cmp -s "$T/out" "$T/secret" && ok "$p: unseal gives the secret byte for byte" || fail "$p: unseal: other bytes"
  counted zero "$p: list" "$B" list
  grep -qx k "$T/out" && ok "$p: list names k" || fail "$p: list: $(tr '\n' ' ' < "$T/out")"
  counted zero "$p: locate" "$B" locate k
  counted zero "$p: gc --dry-run" "$B" gc --dry-run
  counted zero "$p: delete" "$B" delete k
  rc=0; "$B" unseal k > /dev/null 2>&1 || rc=$?
  [ $rc = 1 ] && ok "$p: k is gone after delete" || fail "$p: unseal after delete: rc $rc"
done

# seal-to's device side: import and unwrap (the server's seal-to reads the
# enrollment's certificates: it keeps the tables).
export SECPROV_CONFIG=$T/tpm.conf
"$B" attest enroll > "$T/enroll.json"
counted some "seal-to (server, reads X.509)" env -u SECPROV_CONFIG "$B" --config /dev/null seal-to --enrollment "$T/enroll.json" kb "$T/secret"
cp "$T/out" "$T/blob"
counted zero "tpm: import" "$B" import kb "$T/blob"
"$B" unseal kb | cmp -s - "$T/secret" && ok "tpm: the imported secret unseals byte for byte" || fail "tpm: import: other bytes"
counted zero "tpm: unwrap" "$B" unwrap "$T/blob"
cmp -s "$T/out" "$T/secret" && ok "tpm: unwrap gives the secret byte for byte" || fail "tpm: unwrap: other bytes"
counted some "legacy hw-hash (keeps the tables)" "$B" legacy hw-hash --hardware x
check_done
