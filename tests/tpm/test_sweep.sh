#!/usr/bin/env bash
# The tpm store's sweep and gc (docs/tpm-store.md), against swtpm, through
# the command and the API (tests/tpm/fault_driver):
#  B. references damaged at once: bytes flipped (b: the generation, e: the
#     envelope's ciphertext), rolled back (a: to an older copy whose object
#     is gone; r: to an older copy whose object is back), swapped (c, d).
#     Every command runs (info, list, locate, unseal, seal of another name,
#     delete of another name, gc --dry-run): no object is removed, and each
#     command gives the exact expected answer;
#  C. the good references put back: each secret unseals to its value; the
#     read-only commands and calls leave even a superseded object in place;
#  D. leftovers planted (superseded, unreferenced, newer, a folder without
#     object file): gc --dry-run lists exactly them and removes nothing;
#     gc removes exactly them;
#  E. a reference that does not verify keeps its objects, also under gc;
#     a later seal of that name commits past a newer leftover and sweeps it;
#  F. a store written by an earlier version (random generations, version 1
#     reference): kept and unsealed; the next seal of that name sweeps them;
#  G. the command's usage; legacy has no leftovers.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
tpm_sim_socket "$T/s"
tpm_sim_config "$T/c.conf" tpm
export SECPROV_CONFIG=$T/c.conf
S=$T/tpm-state/secrets
KS=$T/tpm-state/keystore/user/P_ECCP256SHA256_secprov/HS/SRK

run() { set +e; "$@" > "$T/out" 2> "$T/err"; rc=$?; set -e; }
objects() { ls "$KS" | sort; }
obj() { "$B" locate "$1" | sed 's|^fapi:/HS/SRK/||; s| .*||'; }
flip() { local b; b=$(od -An -tu1 -j "$2" -N1 "$1"); printf "\\$(printf %o $(( (b ^ 0x5a) & 255 )))" |
         dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
drive() {   # the driver's answers to stdin's lines, without the milliseconds
  "$FD" 2>>"$T/driver.err" | awk '{ $3 = ""; print }' | sed 's/  */ /g; s/ $//' > "$T/got"
}
expect() {  # DESC FILE WANT
  if [ "$(cat "$2")" = "$3" ]; then ok "$1"; else
    fail "$1: got [$(tr '\n' '|' < "$2")], want [$(printf '%s' "$3" | tr '\n' '|')]"; fi
}
unseals_all() {   # DESC: every secret unseals to its value, command and API
  local n bad=0
  for n in a b c d r x n; do
    run "$B" unseal $n; [ "$rc" = 0 ] && [ "$(cat "$T/out")" = "value-$n" ] || { bad=1; echo "$n: rc $rc $(cat "$T/err")"; }
  done
  run "$B" unseal e; [ "$rc" = 0 ] && cmp -s "$T/out" "$T/big" || { bad=1; echo "e: rc $rc"; }
  check "$1 (command)" test $bad = 0
  printf 'open\nunseal a\nunseal b\nunseal c\nunseal d\nunseal r\nunseal x\nunseal n\n' | drive
  expect "$1 (API)" "$T/got" "open OK
unseal OK value-a
unseal OK value-b
unseal OK value-c
unseal OK value-d
unseal OK value-r
unseal OK value-x
unseal OK value-n"
}

# A. the secrets; older copies of a's and r's references (and r's object)
echo -n old-a | "$B" seal a; cp -p "$S/a.ref" "$T/a.ref.old"
echo -n value-a | "$B" seal a
echo -n old-r | "$B" seal r; cp -p "$S/r.ref" "$T/r.ref.old"; r_old=$(obj r); cp -a "$KS/$r_old" "$T/"
echo -n value-r | "$B" seal r
head -c 3000 /dev/urandom > "$T/big"; "$B" seal e "$T/big"
for n in b c d n y; do echo -n value-$n | "$B" seal $n; done
check "A: one object per secret" test "$(objects | wc -l)" = 8
mkdir "$T/good"; cp -p "$S"/*.ref "$T/good/"
objects > "$T/objects.A"

# B. damage: flip, roll back, swap; then every command
cp -p "$T/a.ref.old" "$S/a.ref"
cp -p "$T/r.ref.old" "$S/r.ref"; cp -a "$T/$r_old" "$KS/"
flip "$S/b.ref" 12
flip "$S/e.ref" 1000
mv "$S/c.ref" "$T/c.tmp"; mv "$S/d.ref" "$S/c.ref"; mv "$T/c.tmp" "$S/d.ref"
objects > "$T/objects.B"
a_live=$(ls "$KS" | grep '^sp-a-')
: > "$T/answers"
for cmd in info list "locate a" "locate b" "locate c" "locate d" "locate e" "locate r" \
           "unseal a" "unseal b" "unseal c" "unseal d" "unseal e" "unseal r"; do
  run "$B" $cmd; echo "$cmd: $rc $(head -c 60 "$T/out" | tr '\n' ' ')" | sed 's/ *$//' >> "$T/answers"
done
sed -i 's/^info: 0 .*/info: 0/; s|fapi:/HS/SRK/\(sp-[a-z]*-g\)[0-9a-f]*|\1*|' "$T/answers"
expect "B: the commands' answers (command)" "$T/answers" "info: 0
list: 0 a b c d e n r y
locate a: 0 sp-a-g*
locate b: 1
locate c: 1
locate d: 1
locate e: 1
locate r: 0 sp-r-g*
unseal a: 1
unseal b: 1
unseal c: 1
unseal d: 1
unseal e: 1
unseal r: 0 old-r"
check "B: a's rolled-back reference names an older, missing object" test "$(obj a)" != "$a_live"
run "$B" unseal b; check "B: a flipped byte is an integrity error" grep -q "integrity" "$T/err"
echo -n value-x | "$B" seal x; check "B: seal of another name" test $? = 0
"$B" delete y; check "B: delete of another name" test $? = 0
run "$B" gc --dry-run
sed 's/ fapi:\/HS\/SRK\/sp-\([a-z]*\)-g[0-9a-f]*: \(.\{12\}\).*/ \1 \2/' "$T/out" > "$T/gc"
expect "B: gc --dry-run lists a's live object (its reference commits a missing one) and r's newer one" "$T/gc" "would remove a a its referenc
would remove r r newer than t
2 leftover(s), none removed (dry run)"
printf 'open\ninfo\nlist\nlocate b\nunseal c\nunseal r\nseal x2 value-x2\ndelete x2\ngc-dry-run\nclose\n' | drive
sed -i 's|fapi:/HS/SRK/\(sp-[a-z]*-g\)[0-9a-f]*|\1*|g' "$T/got"
expect "B: the calls' answers (API)" "$T/got" "open OK
info OK tpm
list OK a,b,c,d,e,n,r,x
locate INTEGRITY
unseal INTEGRITY
unseal OK old-r
seal OK
delete OK
gc-dry-run OK sp-a-g*,sp-r-g*
close OK"
objects | grep -v '^sp-x-' > "$T/objects.B2"
grep -v '^sp-y-' "$T/objects.B" > "$T/objects.B1"
check "B: no object removed but y's (deleted), none added but x's" cmp "$T/objects.B1" "$T/objects.B2"

# C. the good references back: each secret unseals to its value
cp -p "$T/good/"{a,b,c,d,e,r}.ref "$S/"
objects > "$T/objects.C"
unseals_all "C: restored, each secret unseals to its value"
for cmd in info list "locate r" "gc --dry-run"; do "$B" $cmd > /dev/null; done
printf 'open\ninfo\nlist\nlocate r\nunseal r\ngc-dry-run\nclose\n' | drive
objects > "$T/objects.C2"
check "C: read-only commands and calls remove nothing (r's superseded object stays)" \
  cmp "$T/objects.C" "$T/objects.C2"
check "C: r's older object is there, superseded" grep -qx "$r_old" "$T/objects.C2"

# D. leftovers: r's old object (superseded), an unreferenced object, a newer
# object, a folder a killed seal left without its object file
cp -a "$KS/$(obj c)" "$KS/sp-ghost-g0000000000000001"
cp -a "$KS/$(obj n)" "$KS/sp-n-g7000000000000000"
mkdir -m 700 "$KS/sp-half-g0000000000000001"; echo '{' > "$KS/sp-half-g0000000000000001/.tmp.2147483647.0.object.json"
objects > "$T/objects.D"
run "$B" gc --dry-run
sed 's/: \(.\{14\}\).*/: \1/' "$T/out" > "$T/gc"
expect "D: gc --dry-run lists exactly the leftovers" "$T/gc" "would remove ghost fapi:/HS/SRK/sp-ghost-g0000000000000001: no reference o
would remove half fapi:/HS/SRK/sp-half-g0000000000000001: an object fold
would remove n fapi:/HS/SRK/sp-n-g7000000000000000: newer than the
would remove r fapi:/HS/SRK/$r_old: superseded: ol
4 leftover(s), none removed (dry run)"
objects > "$T/objects.D2"; check "D: gc --dry-run removed nothing" cmp "$T/objects.D" "$T/objects.D2"
printf 'open\ngc-dry-run\n' | drive
expect "D: the same through the API" "$T/got" "open OK
gc-dry-run OK fapi:/HS/SRK/sp-ghost-g0000000000000001,fapi:/HS/SRK/sp-half-g0000000000000001,fapi:/HS/SRK/sp-n-g7000000000000000,fapi:/HS/SRK/$r_old"
run "$B" gc
check "D: gc removes 4" grep -qx "4 leftover(s) removed" "$T/out"
grep -v -e '^sp-ghost-' -e '^sp-half-' -e '^sp-n-g7000000000000000$' -e "^$r_old\$" "$T/objects.D" > "$T/objects.D3"
objects > "$T/objects.D4"; check "D: gc removed exactly the leftovers" cmp "$T/objects.D3" "$T/objects.D4"
run "$B" gc --dry-run; check "D: nothing left" grep -qx "0 leftover(s), none removed (dry run)" "$T/out"
unseals_all "D: after gc, each secret unseals to its value"

# E. a reference that does not verify keeps its objects, also under gc
cp -a "$KS/$(obj b)" "$KS/sp-b-g7000000000000000"
flip "$S/b.ref" 20
objects > "$T/objects.E"
run "$B" gc
check "E: gc with b's reference damaged: nothing removed" grep -qx "0 leftover(s) removed" "$T/out"
check "E: a warning names b's reference" grep -q "the reference of 'b' cannot be used" "$T/err"
objects > "$T/objects.E2"; check "E: b's objects kept" cmp "$T/objects.E" "$T/objects.E2"
echo -n value-z | "$B" seal z; "$B" delete z
objects > "$T/objects.E3"; check "E: nor by a seal and a delete" cmp "$T/objects.E" "$T/objects.E3"
cp -p "$T/good/b.ref" "$S/"
echo -n value-b | "$B" seal b
check "E: a later seal of b commits past the newer leftover and sweeps it" \
  test "$(ls "$KS" | grep -c '^sp-b-')" = 1 -a "$(obj b)" = "sp-b-g7000000000000001"
unseals_all "E: each secret unseals to its value"

# F. a store of an earlier version: a FAPI-made object at a random
# generation under a version 1 reference, and a second random one
conf=$("$B" info | sed -n 's/^fapi_config: //p')
printf 'value-o' > "$T/o"
TSS2_LOG=all+none TSS2_FAPICONF=$conf tss2_createseal --path /HS/SRK/sp-o-00000000000000a1 \
  --type noDa --data "$T/o" --authValue ""
cp -a "$KS/sp-o-00000000000000a1" "$KS/sp-o-f0000000000000b2"
printf 'SPTR\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa1' > "$S/o.ref"; chmod 600 "$S/o.ref"
run "$B" unseal o; check "F: an earlier version's secret unseals" test "$rc:$(cat "$T/out")" = "0:value-o"
echo -n value-x | "$B" seal x
check "F: its random generations are kept by a seal of another name" \
  test "$(ls "$KS" | grep -c '^sp-o-')" = 2
run "$B" gc --dry-run
check "F: gc --dry-run names the other random one" \
  grep -qx "would remove o fapi:/HS/SRK/sp-o-f0000000000000b2: written by an earlier version and not the generation its reference commits" "$T/out"
echo -n value-o2 | "$B" seal o
run "$B" unseal o
check "F: sealed again: the new value, one ordered object" \
  test "$rc:$(cat "$T/out"):$(ls "$KS" | grep '^sp-o-' | sed 's/-g[0-9a-f]*$/-g/')" = "0:value-o2:sp-o-g"

# G. the command's usage; legacy has no leftovers
run "$B" gc --now; check "G: gc with an unknown argument: usage error" test "$rc" = 2
run env SECURITY_PROVIDER=legacy "$B" gc --dry-run
check "G: legacy: gc --dry-run finds nothing" test "$rc:$(cat "$T/out")" = "0:0 leftover(s), none removed (dry run)"
check_done
