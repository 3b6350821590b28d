#!/usr/bin/env bash
# tpm.salt_key (issue 24): the handle's session salted to the SRK (ecc) or
# to an RSA-2048 restricted decryption key under it (rsa), kept in
# <state_dir>/salt/rsa2048.key, made on first need (also in a keystore
# provisioned before), loaded and flushed around the salt; auto by the
# TPM's manufacturer (swtpm: IBM, ecc), recorded in <state_dir>/salt/auto.
# Commands per whole `secprov unseal` process, counted at swtpm's side of
# the pseudo-terminal (as tests/tpm/test_commands.sh): rsa adds exactly the
# key's TPM2_Load and TPM2_FlushContext; ecc and auto send what they did.
# A salt key that is not this TPM's under the keystore's SRK starts no
# session, and the error names the file.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
LOG=$T/swtpm.log
source "$SECPROV_SRC/tests/tools/tpm_counts.sh"   # name_of, settle, since, process
conf() {   # NAME SALT: a config with its own state folder, tpm.salt_key = SALT
  tpm_sim_config "$T/$1/c.conf" tpm
  [ -n "$2" ] && sed -i "s|tcti = |salt_key = \"$2\"; tcti = |" "$T/$1/c.conf"
  echo "$T/$1/c.conf"
}
info_field() { "$B" info | sed -n "s/^$1: //p"; }

PTYTPM_SWTPM_LOG=$LOG tpm_sim_pty "$T/tpm"
ECC="FlushContext x2, GetRandom x1, Load x1, ReadPublic x1, StartAuthSession x1, Unseal x1, ContextSave x1"
ECC=$(tr ',' '\n' <<<"$ECC" | sed 's/^ *//' | sort | paste -sd, | sed 's/,/, /g')
RSA="ContextSave x1, FlushContext x3, GetRandom x1, Load x2, ReadPublic x1, StartAuthSession x1, Unseal x1"

# ecc, rsa: round-trips; the commands of a whole unseal process.
for salt in ecc rsa; do
  mkdir -p "$T/$salt"; export SECPROV_CONFIG=$(conf "$salt" "$salt")
  printf "value-$salt" | "$B" seal a
  check "$salt: round-trip" test "$("$B" unseal a)" = "value-$salt"
  check "$salt: secprov info says salt_key: $salt (set)" test "$(info_field salt_key)" = "$salt (set)"
  want=$ECC; [ $salt = rsa ] && want=$RSA
  process "$salt: whole process: secprov unseal" "$want" "$B" unseal a
  check "$salt: ... and it unsealed" test "$(cat "$T/out")" = "value-$salt"
done
check "rsa: the key is a file of the state folder (0600)" \
  test "$(stat -c %a "$T/rsa/tpm-state/salt/rsa2048.key")" = 600
check "ecc: no salt key was made" test ! -e "$T/ecc/tpm-state/salt/rsa2048.key"

# A keystore provisioned before (with the SRK salt), then rsa: the key is
# made on first need and its old secrets unseal.
export SECPROV_CONFIG=$T/ecc/c.conf
sed -i 's|salt_key = "ecc"|salt_key = "rsa"|' "$T/ecc/c.conf"
check "ecc keystore, now rsa: its secret unseals" test "$("$B" unseal a)" = value-ecc
check "... and the salt key was made for it" test -s "$T/ecc/tpm-state/salt/rsa2048.key"
check "... which is another key than the other keystore's" \
  test "$(cmp -s "$T/ecc/tpm-state/salt/rsa2048.key" "$T/rsa/tpm-state/salt/rsa2048.key" && echo same)" = ""

# auto on swtpm (manufacturer IBM): ecc, recorded; then no GetCapability.
mkdir -p "$T/auto"; export SECPROV_CONFIG=$(conf auto "")
printf value-auto | "$B" seal a
check "auto: recorded in salt/auto: ecc for IBM (libtpms)" \
  grep -q '^ecc 49424d00 .* (IBM: libtpms (swtpm))$' "$T/auto/tpm-state/salt/auto"
check "auto: secprov info names the choice" grep -q '^salt_key: ecc 49424d00' <("$B" info)
process "auto (recorded ecc): whole process: secprov unseal" "$ECC" "$B" unseal a
echo "rsa 4d534654 20170619.00163636 (MSFT: the firmware TPM (ms-tpm-20-ref) of the Jetson Orin)" \
  > "$T/auto/tpm-state/salt/auto"
process "auto (recorded rsa, as on an Orin): first process: the key made" \
  "ContextSave x1, Create x1, FlushContext x3, GetRandom x1, Load x2, ReadPublic x1, StartAuthSession x1, Unseal x1" \
  "$B" unseal a
check "auto (recorded rsa): unsealed" test "$(cat "$T/out")" = value-auto
process "auto (recorded rsa): whole process: secprov unseal" "$RSA" "$B" unseal a
check "auto (recorded rsa): secprov info names the choice" grep -q '^salt_key: rsa 4d534654' <("$B" info)

# A swapped key: the rsa keystore's file with the other keystore's public
# area (a genuine salt key of this TPM) before its own private part. The
# template check passes; the TPM refuses the Load; no session is started.
export SECPROV_CONFIG=$T/rsa/c.conf
key=$T/rsa/tpm-state/salt/rsa2048.key
cp "$key" "$T/rsa.key.orig"
python3 - "$T/ecc/tpm-state/salt/rsa2048.key" "$key" <<'PY'
import sys
def split(b):
    n = 2 + int.from_bytes(b[:2], "big")
    return b[:n], b[n:]
other_pub, _ = split(open(sys.argv[1], "rb").read())
_, own_priv = split(open(sys.argv[2], "rb").read())
open(sys.argv[2], "wb").write(other_pub + own_priv)
PY
settle; at=$(stat -c %s "$LOG")
"$B" unseal a > "$T/out" 2> "$T/err" && rc=0 || rc=$?
settle; got=$(since "$at")
check "swapped key: unseal fails with INTEGRITY (exit $rc)" grep -q "integrity" "$T/err"
check "swapped key: the error names the key file" \
  grep -q "refusing the salt key $key: this TPM does not load it under the keystore's SRK" "$T/err"
check "swapped key: no session was started ($got)" test "$(grep -c StartAuthSession <<<"$got" || true)" = 0
check "swapped key: nothing unsealed" test ! -s "$T/out"
# Another RSA key of this TPM under the SRK, but not a restricted one (a
# decryption oracle): refused by its template, before any command.
TSS2_LOG=all+none tpm2_create -Q -T "$TPM_TCTI" -C 0x81000001 -G rsa2048 \
  -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|decrypt' \
  -u "$T/k.pub" -r "$T/k.priv"
cat "$T/k.pub" "$T/k.priv" > "$key"
settle; at=$(stat -c %s "$LOG")
"$B" unseal a > "$T/out" 2> "$T/err" && rc=0 || rc=$?
settle; got=$(since "$at")
check "unrestricted key: unseal fails (exit $rc)" test "$rc" != 0
check "unrestricted key: refused by name and reason" \
  grep -q "refusing the salt key $T/rsa/tpm-state/salt/rsa2048.key: its attributes are not the salt key's" "$T/err"
check "unrestricted key: no Load, no session ($got)" \
  test "$(grep -cE 'Load|StartAuthSession' <<<"$got" || true)" = 0
cp "$T/rsa.key.orig" "$key"
check "the key put back: unseals again" test "$("$B" unseal a)" = value-rsa
check_done
