#!/usr/bin/env bash
# ARM64 under qemu, no TPM device: the arm64 `secprov` selects `legacy` and
# its `secprov legacy ...` commands reproduce every public legacy vector
# (tests/legacy/vectors/legacy-public.json):
# every hw-hash, api-key and the resource-key byte for byte; every
# encrypt_to output decrypts to its plaintext and our encryption has its
# length and opens with openssl; the split vector's lengths, and join gives
# the resource back; the container-archive vector's plaintext.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
V=${SECPROV_VECTORS:-$SECPROV_SRC/tests/legacy/vectors/legacy-public.json}
[ -r "$V" ] || fail "vectors not found: $V"
n_checked=0
want() {  # want WHAT GOT EXPECTED
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
  n_checked=$((n_checked + 1))
}
printf 'provider = "auto";\ntpm = { devices = ["%s/no-tpm"]; state_dir = "%s/tpm"; };\nlegacy = { state_dir = "%s/legacy"; };\n' \
  "$t" "$t" "$t" > "$t/c.conf"
export SECPROV_CONFIG=$t/c.conf
want "provider with no device" "$(info_field provider)" legacy

for i in $(seq 0 $(( $(jq '.get_hw_hash | length' "$V") - 1 ))); do
  want "hw-hash[$i]" "$("$sp" legacy hw-hash --hardware "$(jq -r ".get_hw_hash[$i].hardware" "$V")")" \
       "$(jq -r ".get_hw_hash[$i].output_b64" "$V")"
done
for i in $(seq 0 $(( $(jq '.get_api_encryption_key | length' "$V") - 1 ))); do
  jq -r ".get_api_encryption_key[$i].password" "$V" > "$t/pw"
  want "api-key[$i]" "$("$sp" legacy api-key --email "$(jq -r ".get_api_encryption_key[$i].email" "$V")" \
         --hw-hash "$(jq -r ".get_api_encryption_key[$i].hw_hash" "$V")" --password-file "$t/pw")" \
       "$(jq -r ".get_api_encryption_key[$i].output_b64" "$V")"
done
want resource-key "$("$sp" legacy resource-key)" "$(jq -r .get_resource_encryption_key.output_b64 "$V")"

for i in $(seq 0 $(( $(jq '.encrypt_to | length' "$V") - 1 ))); do
  jq -r ".encrypt_to[$i].key_str" "$V" > "$t/key"
  jq -r ".encrypt_to[$i][\"output_hex(IV||ciphertext)\"]" "$V" | xxd -r -p > "$t/ct"
  jq -r ".encrypt_to[$i].plaintext_hex" "$V" | xxd -r -p > "$t/pt"
  "$sp" legacy decrypt --key-file "$t/key" "$t/ct" "$t/back" || fail "encrypt_to[$i]: decrypt failed"
  want "encrypt_to[$i] decrypts" "$(sha256sum < "$t/back")" "$(sha256sum < "$t/pt")"
  "$sp" legacy encrypt --key-file "$t/key" "$t/pt" "$t/ct2" || fail "encrypt_to[$i]: encrypt failed"
  want "encrypt_to[$i] length" "$(stat -c %s "$t/ct2")" "$(jq -r ".encrypt_to[$i].output_len" "$V")"
  iv=$(head -c 16 "$t/ct2" | xxd -p)
  tail -c +17 "$t/ct2" | openssl enc -d -aes-256-cbc -K "$(jq -r ".encrypt_to[$i].aes256_key_hex" "$V")" -iv "$iv" > "$t/ossl" \
    || fail "encrypt_to[$i]: openssl cannot decrypt the arm64 output"
  want "encrypt_to[$i] opens with openssl" "$(sha256sum < "$t/ossl")" "$(sha256sum < "$t/pt")"
done

for i in $(seq 0 99); do printf "\\$(printf '%03o' $((i % 251)))"; done > "$t/res"
want "split resource" "$(sha256sum < "$t/res" | cut -d' ' -f1)" "$(jq -r '.binary_split_resource[0].resource_sha256' "$V")"
"$sp" legacy split --small "$t/small" --big "$t/big" "$t/res" || fail "split failed"
want "split small length" "$(stat -c %s "$t/small")" "$(jq -r '.binary_split_resource[0].small_len' "$V")"
want "split big length" "$(stat -c %s "$t/big")" "$(jq -r '.binary_split_resource[0].big_len' "$V")"
"$sp" legacy resource-key > "$t/rkey"
cat "$t/small" "$t/big" > "$t/blob-split"
"$sp" legacy decrypt --key-file "$t/rkey" "$t/blob-split" "$t/res-back" || fail "small||big does not decrypt"
want "small||big decrypts with the resource key" "$(sha256sum < "$t/res-back")" "$(sha256sum < "$t/res")"
"$sp" legacy join --small "$t/small" --big "$t/big" "$t/joined" || fail "join failed"
want "join" "$(sha256sum < "$t/joined")" "$(sha256sum < "$t/res")"

jq -r '.docker_archive[0].key_fragment_hex' "$V" | xxd -r -p > "$t/frag"
jq -r '.docker_archive[0].blob_hex' "$V" | xxd -r -p > "$t/blob"
"$sp" legacy archive-decrypt --fragment-file "$t/frag" "$t/blob" "$t/plain" || fail "archive-decrypt failed"
want "archive plaintext" "$(sha256sum < "$t/plain" | cut -d' ' -f1)" "$(jq -r '.docker_archive[0].plaintext_sha256' "$V")"
want "archive length" "$(stat -c %s "$t/plain")" "$(jq -r '.docker_archive[0].plaintext_len' "$V")"

echo "arm64 legacy vectors: $n_checked checks passed"
