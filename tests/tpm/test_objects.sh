#!/usr/bin/env bash
# Keystore objects against a real swtpm, through the public API
# (tests/tpm/fault_driver), docs/tpm-objects.md:
#  - name binding: pp's reference copied over qq's, with pp's object folder
#    beside it, makes `unseal qq` SECPROV_ERR_INTEGRITY (the TPM refuses
#    qq's auth value for pp's object), for a direct secret and an envelope;
#    the genuine files unseal again;
#  - an object sealed before name binding (empty auth, "with_auth" NO, made
#    here by tss2_createseal) still unseals; it is unbound until its next
#    seal, which binds it;
#  - a planted DA-protected object (tss2_createseal without noDa, with an
#    auth value) is refused before it reaches the TPM: a clear error naming
#    noDA, and the TPM's lockout counter stays unchanged; so are objects with
#    a policy, without userWithAuth or fixedTPM, or of another type;
#  - planted keystore files that no reference names crash nothing; a planted
#    FAPI profile is refused at open, named; provisioning again over a
#    keystore whose SRK entry is broken crashes nothing.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
source "$SECPROV_SRC/tests/tools/driver.sh"
err_has() { grep -qF -- "$1" "$T/err"; }
gen_of() {   # NAME: the generation part of its object's folder name (docs/tpm-store.md)
  local v; v=$(od -An -tx1 -j4 -N1 "$S/$1.ref" | tr -d ' \n')
  printf '%s%s' "$([ "$v" = 02 ] && echo g)" "$(od -An -tx1 -j8 -N8 "$S/$1.ref" | tr -d ' \n')"
}
copy_ref() {   # SRC DST: SRC's reference as DST's, as an attacker who can write
  # the state folder makes it: a version 2 reference's check (an unkeyed
  # SHA-256 over the file and its name, against mix-ups) recomputed for DST,
  # so that only the TPM's name binding stands in the way.
  /usr/bin/python3 - "$S/$1.ref" "$S/$2.ref" "$2" <<'PYEOF'
import hashlib, shutil, sys
src, dst, name = sys.argv[1:]
img = open(src, "rb").read()
if img[4] == 2:
    check = hashlib.sha256(b"secprov ref v2\0" + name.encode() + b"\0" + img[:16] + img[48:]).digest()
    img = img[:16] + check + img[48:]
open(dst, "wb").write(img)
shutil.copymode(src, dst)
PYEOF
}
lockout() { TSS2_LOG=all+none tpm2_getcap -T "$TPM_TCTI" properties-variable |
              sed -n 's/^TPM2_PT_LOCKOUT_COUNTER: *//p'; }
fapi() { TSS2_LOG=all+none TSS2_FAPICONF=$T/tpm-state/fapi-config.json "$@"; }
ref_for() {   # NAME GEN16: a version-1 direct reference written by hand
  printf "SPTR\\x01\\x01\\x00\\x00$(printf '%s' "$2" | sed 's/../\\x&/g')" > "$S/$1.ref"
  chmod 600 "$S/$1.ref"
}

tpm_sim_socket "$T/s"
tpm_sim_config "$T/c.conf" tpm
S=$T/tpm-state/secrets
K=$T/tpm-state/keystore/user/P_ECCP256SHA256_secprov/HS/SRK
BIG=$(head -c 150 /dev/zero | tr '\0' 'e')
printf 'open\nseal pp value-pp\nseal qq value-qq\nseal ee %s\n' "$BIG" | drive
expect_got "secrets sealed" "open OK
seal OK
seal OK
seal OK"
grep -q '"with_auth":"YES"' "$K/sp-pp-$(gen_of pp)/object.json" &&
  ok "a new object records that it has an auth value (with_auth YES)" ||
  fail "a new object has no with_auth YES"

# --- name binding ----------------------------------------------------------
cp -p "$S/qq.ref" "$T/qq.ref.orig"
qq_obj=sp-qq-$(gen_of qq)
cp -rp "$K/$qq_obj" "$T/$qq_obj"   # the open-time orphan sweep may remove it meanwhile (issue 12 item 1)
for src in pp ee; do
  g=$(gen_of "$src")
  copy_ref "$src" qq
  cp -rp "$K/sp-$src-$g" "$K/sp-qq-$g"
  printf 'open\nunseal qq\n' | drive
  expect_got "$src's reference and object copied to qq: unseal qq is INTEGRITY" "open OK
unseal INTEGRITY"
  err_has "is bound to another name" && ok "$src copied to qq: the log says bound to another name" ||
    fail "$src copied to qq: log: $(cat "$T/err")"
  rm -rf "$K/sp-qq-$g"
done
cp -p "$T/qq.ref.orig" "$S/qq.ref"
[ -d "$K/$qq_obj" ] || cp -rp "$T/$qq_obj" "$K/$qq_obj"
printf 'open\nunseal qq\nunseal pp\nunseal ee\n' | drive
expect_got "genuine references restored: each unseals to its value" "open OK
unseal OK value-qq
unseal OK value-pp
unseal OK $BIG"

# --- objects sealed before name binding (empty auth) -----------------------
printf 'old-value' > "$T/old"
fapi tss2_createseal --path /HS/SRK/sp-old-00000000000000a1 --type noDa --data "$T/old" --authValue ""
ref_for old 00000000000000a1
printf 'open\nunseal old\n' | drive
expect_got "an object with empty auth (earlier versions) unseals" "open OK
unseal OK old-value"
cp -rp "$K/sp-old-00000000000000a1" "$K/sp-qq-00000000000000a1"
cp -p "$S/old.ref" "$S/qq.ref"
printf 'open\nunseal qq\n' | drive
expect_got "documented: an empty-auth object is unbound until resealed (copied, it unseals as qq)" "open OK
unseal OK old-value"
rm -rf "$K/sp-qq-00000000000000a1"; cp -p "$T/qq.ref.orig" "$S/qq.ref"
printf 'open\nseal old old-value\nunseal old\n' | drive
expect_got "resealed: the old secret keeps its value" "open OK
seal OK
unseal OK old-value"
g=$(gen_of old)
grep -q '"with_auth":"YES"' "$K/sp-old-$g/object.json" && ok "resealed: now bound (with_auth YES)" ||
  fail "resealed object not bound"
cp -rp "$K/sp-old-$g" "$K/sp-qq-$g"; copy_ref old qq
printf 'open\nunseal qq\n' | drive
expect_got "resealed: copied to qq it is INTEGRITY" "open OK
unseal INTEGRITY"
rm -rf "$K/sp-qq-$g"; cp -p "$T/qq.ref.orig" "$S/qq.ref"

# --- a planted DA-protected object never reaches the TPM -------------------
printf 'planted' > "$T/da"
fapi tss2_createseal --path /HS/SRK/sp-da-00000000000000b1 --type "" --data "$T/da" --authValue "pw"
grep -q '"noDA":0' "$K/sp-da-00000000000000b1/object.json" && ok "planted object is DA-protected" ||
  fail "tss2_createseal made a noDA object"
ref_for da 00000000000000b1
before=$(lockout)
printf 'open\nunseal da\nunseal da\nunseal da\n' | drive
expect_got "planted DA-protected object: refused each time" "open OK
unseal INTEGRITY
unseal INTEGRITY
unseal INTEGRITY"
err_has "sp-da-00000000000000b1/object.json: its public area lacks noDA" &&
  ok "the error names the file and noDA" || fail "log: $(cat "$T/err")"
after=$(lockout)
check "the TPM's lockout counter is unchanged ($before -> $after)" test "$before" = "$after" -a -n "$after"

# Other public areas secprov refuses (edited copies of a genuine object).
g=$(gen_of pp)
plant() {   # DESC SED-EXPR WANT-LOG
  rm -rf "$K/sp-bad-$g"; cp -rp "$K/sp-pp-$g" "$K/sp-bad-$g"
  sed -i -E "$2" "$K/sp-bad-$g/object.json"
  copy_ref pp bad
  printf 'open\nunseal bad\n' | drive
  if [ "$(cat "$T/got")" = "open OK
unseal INTEGRITY" ] && err_has "$3"; then ok "$1: INTEGRITY, log names it"; else
    fail "$1: got [$(tr '\n' '|' < "$T/got")], log: $(cat "$T/err")"; fi
}
plant "an authPolicy" 's/"authPolicy":""/"authPolicy":"00112233"/; s/"size":46/"size":50/' "has an authPolicy"
plant "no userWithAuth" 's/"userWithAuth":1/"userWithAuth":0/' "lacks userWithAuth"
plant "no fixedTPM" 's/"fixedTPM":1/"fixedTPM":0/' "lacks fixedTPM"
plant "no fixedParent" 's/"fixedParent":1/"fixedParent":0/' "lacks fixedParent"
plant "a decrypt key" 's/"decrypt":0/"decrypt":1/' "has decrypt"
plant "a persistent handle" 's/"persistent_handle":0/"persistent_handle":2164260866/' "persistent_handle"
plant "another type" 's/"type":"KEYEDHASH"/"type":"RSA"/' "\"public.publicArea.type\""
plant "objectType 6" 's/"objectType":1/"objectType":6/' "\"objectType\" is out of range"
check "no refused object raised the lockout counter" test "$(lockout)" = "$before"
# The object file world-writable, or a symlink to a genuine one: refused.
rm -rf "$K/sp-bad-$g"; cp -rp "$K/sp-pp-$g" "$K/sp-bad-$g"; chmod 0666 "$K/sp-bad-$g/object.json"
printf 'open\nunseal bad\n' | drive
expect_got "a world-writable object file: PERMISSION" "open OK
unseal PERMISSION"
rm -f "$K/sp-bad-$g/object.json"; ln -s "$K/sp-pp-$g/object.json" "$K/sp-bad-$g/object.json"
printf 'open\nunseal bad\n' | drive
expect_got "an object file that is a symlink: PERMISSION" "open OK
unseal PERMISSION"
[ -f "$K/sp-pp-$g/object.json" ] && ok "the symlink's target is left alone" || fail "target touched"
rm -rf "$K/sp-bad-$g" "$S/bad.ref"

# Files no reference names, where FAPI lists or reads: an object.json with
# objectType 6 in a folder of its own (the open-time sweep lists it), one
# outside /HS/SRK. Nothing parses them into a crash; the genuine secret
# unseals.
mkdir -p "$K/sp-zz-0000000000000001" "$K/../weird"
sed 's/"objectType":1/"objectType":6/' "$K/sp-pp-$g/object.json" > "$K/sp-zz-0000000000000001/object.json"
echo '{"objectType":6}' > "$K/../weird/object.json"
printf 'open\nunseal pp\nclose\nopen\nunseal pp\n' | drive
expect_got "planted keystore files no reference names: open and unseal work" "open OK
unseal OK value-pp
close OK
open OK
unseal OK value-pp"
rm -rf "$K/sp-zz-0000000000000001" "$K/../weird"
# Another profile beside secprov's: FAPI reads every file there at
# initialisation, and this one made Fapi_Initialize fail without a name.
# Refused before FAPI starts, naming the file; removed, the TPM works again.
echo '{"type": 99, "nameAlg": 7' > "$T/tpm-state/profiles/P_evil.json"
printf 'open\n' | drive
expect_got "a planted profile: open refused (explicit tpm: UNAVAILABLE, reason INTEGRITY)" "open UNAVAILABLE"
err_has "profiles/P_evil.json is not secprov's FAPI profile" && ok "the error names the planted profile" ||
  fail "log: $(cat "$T/err")"
rm -f "$T/tpm-state/profiles/P_evil.json"
# The "provisioned" marker gone (so Fapi_Provision runs again, over the
# existing keystore) and the SRK's entry and a hierarchy's with objectType 6.
SYS=$T/tpm-state/keystore/system/P_ECCP256SHA256_secprov
cp -p "$SYS/HS/SRK/object.json" "$T/srk.orig"; cp -p "$SYS/HS/object.json" "$T/hs.orig"
sed -i 's/"objectType":1/"objectType":6/' "$SYS/HS/SRK/object.json" "$SYS/HS/object.json"
rm -f "$T/tpm-state/provisioned"
printf 'open\nunseal pp\n' | drive
expect_got "marker gone, SRK and HS entries with objectType 6: INTEGRITY, no crash" "open OK
unseal INTEGRITY"
err_has 'HS/SRK/object.json: member "objectType" is out of range' && ok "the error names the SRK entry" ||
  fail "log: $(cat "$T/err")"
cp -p "$T/srk.orig" "$SYS/HS/SRK/object.json"; cp -p "$T/hs.orig" "$SYS/HS/object.json"
printf 'open\nunseal pp\n' | drive
expect_got "the genuine object still unseals" "open OK
unseal OK value-pp"

check_done
