#!/usr/bin/env bash
# `secprov legacy ...`: every public vector through the command, openssl
# interop both ways, and bad input (each its error, no output, no OUT file).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
V=$SECPROV_SRC/tests/legacy/vectors/legacy-public.json
eq() { [ "$1" = "$2" ] || { echo "     got:  $1"; echo "     want: $2"; return 1; }; }
printf 'tpm = { devices = ["%s/none"]; };\nlegacy = { state_dir = "%s/legacy"; };\n' "$T" "$T" > "$T/c.conf"
export SECPROV_CONFIG=$T/c.conf

n=$(jq '.get_hw_hash | length' "$V")
for i in $(seq 0 $((n - 1))); do
  hw=$(jq -r ".get_hw_hash[$i].hardware" "$V")
  check "hw-hash vector $i" eq "$("$B" legacy hw-hash --hardware "$hw")" "$(jq -r ".get_hw_hash[$i].output_b64" "$V")"
done
n=$(jq '.get_api_encryption_key | length' "$V")
for i in $(seq 0 $((n - 1))); do
  jq -r ".get_api_encryption_key[$i].password" "$V" > "$T/pw"
  got=$("$B" legacy api-key --email "$(jq -r ".get_api_encryption_key[$i].email" "$V")" \
        --hw-hash "$(jq -r ".get_api_encryption_key[$i].hw_hash" "$V")" --password-file "$T/pw")
  check "api-key vector $i" eq "$got" "$(jq -r ".get_api_encryption_key[$i].output_b64" "$V")"
done
check "resource-key vector" eq "$("$B" legacy resource-key)" "$(jq -r '.get_resource_encryption_key.output_b64' "$V")"

# encrypt_to vectors: the command draws a random IV, so check that each
# vector's output decrypts to its plaintext, and that our output does too.
n=$(jq '.encrypt_to | length' "$V")
for i in $(seq 0 $((n - 1))); do
  jq -r ".encrypt_to[$i].key_str" "$V" > "$T/key"
  jq -r ".encrypt_to[$i][\"output_hex(IV||ciphertext)\"]" "$V" | xxd -r -p > "$T/ct"
  jq -r ".encrypt_to[$i].plaintext_hex" "$V" | xxd -r -p > "$T/pt"
  "$B" legacy decrypt --key-file "$T/key" "$T/ct" "$T/back"
  check "encrypt_to vector $i decrypts" cmp "$T/back" "$T/pt"
  "$B" legacy encrypt --key-file "$T/key" "$T/pt" "$T/ct2"
  check "encrypt_to vector $i: length $(jq ".encrypt_to[$i].output_len" "$V")" \
    eq "$(stat -c %s "$T/ct2")" "$(jq ".encrypt_to[$i].output_len" "$V")"
done

# docker_archive vector
jq -r '.docker_archive[0].key_fragment_hex' "$V" | xxd -r -p > "$T/frag"
jq -r '.docker_archive[0].blob_hex' "$V" | xxd -r -p > "$T/blob"
"$B" legacy archive-decrypt --fragment-file "$T/frag" "$T/blob" "$T/plain"
check "archive vector" eq "$(sha256sum < "$T/plain" | cut -d' ' -f1)" "$(jq -r '.docker_archive[0].plaintext_sha256' "$V")"

# binary_split_resource vector: split (random IV) then join gives the resource back
python_free_resource() { local i; for i in $(seq 0 99); do printf "\\$(printf '%03o' $((i % 251)))"; done; }
python_free_resource > "$T/res"
check "split vector resource" eq "$(sha256sum < "$T/res" | cut -d' ' -f1)" "$(jq -r '.binary_split_resource[0].resource_sha256' "$V")"
"$B" legacy split --small "$T/small" --big "$T/big" "$T/res"
check "split: small length" eq "$(stat -c %s "$T/small")" "$(jq '.binary_split_resource[0].small_len' "$V")"
check "split: big length" eq "$(stat -c %s "$T/big")" "$(jq '.binary_split_resource[0].big_len' "$V")"
"$B" legacy join --small "$T/small" --big "$T/big" "$T/joined"
check "join gives the resource" cmp "$T/joined" "$T/res"

# openssl interop, both ways
echo 'interop-key-string' > "$T/k"
head -c 100003 /dev/urandom > "$T/data"
"$B" legacy encrypt --key-file "$T/k" "$T/data" "$T/enc"
K=$(printf '%s' interop-key-string | sha256sum | cut -d' ' -f1)
IV=$(head -c 16 "$T/enc" | xxd -p)
tail -c +17 "$T/enc" | openssl enc -d -aes-256-cbc -K "$K" -iv "$IV" > "$T/dec-openssl"
check "openssl decrypts secprov's output" cmp "$T/dec-openssl" "$T/data"
IV2=000102030405060708090a0b0c0d0e0f
{ echo "$IV2" | xxd -r -p; openssl enc -aes-256-cbc -K "$K" -iv "$IV2" < "$T/data"; } > "$T/enc-openssl"
"$B" legacy decrypt --key-file "$T/k" "$T/enc-openssl" "$T/dec-secprov"
check "secprov decrypts openssl's output" cmp "$T/dec-secprov" "$T/data"

# an OUT that is a fifo (as /dev/null is a device) is written in place, never replaced
mkfifo "$T/fifo"
cat "$T/fifo" > "$T/from-fifo" &
"$B" legacy decrypt --key-file "$T/k" "$T/enc" "$T/fifo"
wait
check "fifo OUT stays a fifo" test -p "$T/fifo"
check "fifo OUT got the plaintext" cmp "$T/from-fifo" "$T/data"

# bad input: each its error, nothing on stdout, no OUT file left
bad() {  # bad NAME INPUTFILE EXPECTED_MESSAGE
  local rc=0
  "$B" legacy decrypt --key-file "$T/k" "$2" "$T/out-$1" 2>"$T/err" >"$T/stdout" || rc=$?
  check "$1: exit 1" eq "$rc" 1
  check "$1: one error line" grep -qx "secprov: error: legacy decrypt: $3" "$T/err"
  check "$1: no OUT file" test ! -e "$T/out-$1"
  check "$1: no temp file" test -z "$(ls -A "$T" | grep "^\.out-$1")"
  check "$1: nothing on stdout" test ! -s "$T/stdout"
}
: > "$T/empty"; bad empty "$T/empty" "malformed input"
head -c 20 "$T/enc" > "$T/short"; bad short "$T/short" "malformed input"
head -c 1000 "$T/enc" > "$T/ragged"; bad not-whole-blocks "$T/ragged" "malformed input"
head -c 16 "$T/enc" > "$T/ivonly"; bad iv-only "$T/ivonly" "malformed input"
# Wrong key and truncation on fixed bytes (fixed data, key and IV): with a
# random IV or data the padding they leave is random, valid 1 time in ~256.
seq 1 20000 > "$T/fixed"
{ echo "$IV2" | xxd -r -p; openssl enc -aes-256-cbc -K "$K" -iv "$IV2" < "$T/fixed"; } > "$T/enc-fixed"
echo wrong-key > "$T/k2"; cp "$T/k" "$T/k.save"; cp "$T/k2" "$T/k"
bad wrong-key "$T/enc-fixed" "bad padding: wrong key or corrupted data"
cp "$T/k.save" "$T/k"
# The last byte of the next-to-last block, inverted: in CBC that inverts the
# padding byte of the last block, so the padding is always bad (a change in
# the last block itself would give random padding, valid 1 time in ~256).
cp "$T/enc" "$T/corrupt"
off=$(( $(stat -c %s "$T/enc") - 17 ))
byte=$(od -An -tu1 -j "$off" -N1 "$T/enc" | tr -d ' ')
printf "\\$(printf '%03o' $(( byte ^ 255 )))" | dd of="$T/corrupt" bs=1 seek="$off" conv=notrunc status=none
bad corrupted "$T/corrupt" "bad padding: wrong key or corrupted data"
size=$(stat -c %s "$T/enc-fixed"); head -c $((size - 16)) "$T/enc-fixed" > "$T/trunc"
bad truncated "$T/trunc" "bad padding: wrong key or corrupted data"
rc=0; "$B" legacy decrypt --key-file "$T/nokey" "$T/enc" 2>"$T/err" || rc=$?
check "missing key file: exit 1" eq "$rc" 1
rc=0; "$B" legacy frob 2>"$T/err" || rc=$?
check "unknown legacy command: exit 2" eq "$rc" 2

check_done
