#!/usr/bin/env bash
# Planted files in the tpm provider's state folder, through the public API
# (tests/tpm/fault_driver) against a real swtpm: a secret's reference that is
# group- or world-writable, owned by another user, a symlink to a genuine
# reference, or a fifo is refused with SECPROV_ERR_PERMISSION (an attacker
# must not be able to plant or redirect a secret); the genuine one still
# unseals, and nothing planted is followed or deleted.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
source "$SECPROV_SRC/tests/tools/driver.sh"

tpm_sim_socket "$T/s"
tpm_sim_config "$T/c.conf" tpm
S=$T/tpm-state/secrets
printf 'open\nseal good value-good\nseal victim value-victim\n' | drive
expect_got "genuine secrets sealed" "open OK
seal OK
seal OK"
cp -p "$S/victim.ref" "$T/victim.ref.orig"

# group-writable, world-writable
chmod 0620 "$S/victim.ref"; printf 'open\nunseal victim\n' | drive
expect_got "group-writable reference refused" "open OK
unseal PERMISSION"
chmod 0602 "$S/victim.ref"; printf 'open\nunseal victim\n' | drive
expect_got "world-writable reference refused" "open OK
unseal PERMISSION"
chmod 0600 "$S/victim.ref"

# owned by another user (giving a file away needs root)
if [ "$(id -u)" = 0 ]; then
  chown nobody "$S/victim.ref"; printf 'open\nunseal victim\n' | drive
  expect_got "reference owned by another user refused" "open OK
unseal PERMISSION"
  chown "$(id -u)" "$S/victim.ref"
else
  echo "SKIP a reference owned by another user: chown needs root"
fi
printf 'open\nunseal victim\n' | drive
expect_got "restored: the genuine reference unseals" "open OK
unseal OK value-victim"

# a symlink named like a secret, pointing at a genuine reference
ln -s "$S/good.ref" "$S/planted.ref"; printf 'open\nunseal planted\nunseal good\n' | drive
expect_got "symlinked reference refused, its target still unseals" "open OK
unseal PERMISSION
unseal OK value-good"
[ -L "$S/planted.ref" ] && [ -f "$S/good.ref" ] && ok "the symlink and its target are left alone" ||
  fail "the symlink or its target was touched"
rm -f "$S/planted.ref"

# a fifo named like a secret (a read would block for ever)
mkfifo -m 0600 "$S/fifo.ref"; printf 'open\nunseal fifo\n' | timeout 20 bash -c "$(declare -f drive); T=$T FD=$FD drive"
expect_got "fifo reference refused without blocking" "open OK
unseal PERMISSION"
rm -f "$S/fifo.ref"

check_done
