#!/usr/bin/env bash
# The systemd unit of secprov-attestor (attestor/secprov-attestor.service.in)
# and the loaders' drop-in (attestor/secprov-attestor-gate.conf.in), as
# `make install` generates them: `systemd-analyze verify` (offline: PID 1
# need not be systemd) says nothing about them, the hardening keys are
# there with their values, @BINDIR@ is the install's bin folder, the
# drop-in verifies on a loader unit, and `systemd-analyze security` rates
# the unit below 3.0 ("OK"). SKIP without systemd-analyze (package systemd).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP test_attestor_unit: no systemd-analyze (install the package systemd)"
  exit 0
fi

# Installed with a PREFIX of its own, so ExecStart= names a program that
# exists (verify checks it).
P=$T/prefix
install_to "" "$P"
U=$P/lib/systemd/system/secprov-attestor.service
G=$P/share/secprov/systemd/secprov-attestor-gate.conf
check "make install puts the unit in PREFIX/lib/systemd/system" test -f "$U"
check "... mode 0644" test "$(stat -c %a "$U")" = 644
check "make install puts the loaders' drop-in in PREFIX/share/secprov/systemd" test -f "$G"
check "ExecStart= is PREFIX/bin/secprov-attestor" grep -qx "ExecStart=$P/bin/secprov-attestor" "$U"
check "ExecStartPre= of the drop-in is PREFIX/bin/secprov attestor verify" \
  grep -qx "ExecStartPre=$P/bin/secprov attestor verify" "$G"
check "no @...@ left" test "$(grep -c '@[A-Z]*@' "$U" "$G" | awk -F: '{n += $2} END {print n}')" = 0

# Lines of `systemd-analyze verify` about our units (it may load others,
# e.g. the default targets, whose complaints are not ours).
ours() { grep -E 'secprov-attestor|demo-loader|'"$T" "$1" || true; }
rc=0; systemd-analyze verify "$U" > "$T/verify.out" 2>&1 || rc=$?
check "systemd-analyze verify: exit 0" test "$rc" = 0
check "systemd-analyze verify: no line about the unit" test -z "$(ours "$T/verify.out")"
[ -s "$T/verify.out" ] && sed "s/^/    (verify said) /" "$T/verify.out"

# The keys, exactly.
for kv in Type=notify "ExecStart=$P/bin/secprov-attestor" Restart=on-failure \
          User=secprov Group=secprov SupplementaryGroups=tss \
          ProtectSystem=strict ReadWritePaths=/var/lib/secprov StateDirectory=secprov/attestor \
          StateDirectoryMode=0700 NoNewPrivileges=yes PrivateTmp=yes CapabilityBoundingSet= \
          DevicePolicy=closed "DeviceAllow=/dev/tpmrm0 rw" "DeviceAllow=/dev/tpm0 rw" \
          MemoryDenyWriteExecute=yes LimitCORE=0 ProtectHome=yes ProtectKernelTunables=yes \
          ProtectKernelModules=yes ProtectKernelLogs=yes ProtectControlGroups=yes \
          "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" RestrictNamespaces=yes \
          LockPersonality=yes SystemCallArchitectures=native SystemCallFilter=@system-service \
          "SystemCallFilter=~@privileged @resources" RestrictSUIDSGID=yes ProtectProc=invisible \
          IPAddressDeny=any IPAddressAllow=localhost UMask=0077; do
  check "unit has $kv" grep -qxF -- "$kv" "$U"
done
# What it must not have (it would hide the TPM or /proc/cmdline, or run as root).
for k in PrivateDevices ProcSubset DynamicUser PrivateNetwork PrivateUsers; do
  check "unit has no $k=" test "$(grep -c "^$k=" "$U" || true)" = 0
done
check "the TPM nodes are the only devices" \
  test "$(grep '^DeviceAllow=' "$U" | tr '\n' ' ')" = "DeviceAllow=/dev/tpmrm0 rw DeviceAllow=/dev/tpm0 rw "

# verify does complain, here: a copy with a missing program and a bad key.
sed -e "s|^ExecStart=.*|ExecStart=$T/nothing|" -e 's|^LimitCORE=0|LimitCORE=zero|' "$U" \
  > "$T/secprov-attestor.service"
rc=0; systemd-analyze verify "$T/secprov-attestor.service" > "$T/bad.out" 2>&1 || rc=$?
check "verify of a broken copy: exit != 0" test "$rc" != 0
check "... names the missing program" grep -q "Command $T/nothing is not executable" "$T/bad.out"
# (the wording differs between systemd 252 and 257: file, line and value)
check "... names the bad value" grep -q "secprov-attestor.service:[0-9]*: .*zero" "$T/bad.out"

# The drop-in on a loader unit, beside the attestor's unit.
mkdir -p "$T/units/demo-loader.service.d"
cp "$U" "$T/units/"
cp "$G" "$T/units/demo-loader.service.d/secprov-attestor.conf"
printf '[Unit]\nDescription=a loader\n[Service]\nExecStart=%s info\n' "$P/bin/secprov" \
  > "$T/units/demo-loader.service"
rc=0; (cd "$T/units" && SYSTEMD_UNIT_PATH=$T/units: systemd-analyze verify demo-loader.service) \
  > "$T/gate.out" 2>&1 || rc=$?
check "the drop-in on a loader unit: verify exit 0" test "$rc" = 0
check "... no line about the loader or the attestor" test -z "$(ours "$T/gate.out")"
rm "$T/units/secprov-attestor.service"
rc=0; (cd "$T/units" && SYSTEMD_UNIT_PATH=$T/units: systemd-analyze verify demo-loader.service) \
  > "$T/gate.out" 2>&1 || rc=$?
check "... the drop-in is read: without the attestor's unit, Requires= fails" \
  grep -q "Unit secprov-attestor.service not found" "$T/gate.out"

# Exposure, as systemd rates it (offline).
if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
  systemd-analyze security --offline=yes "$U" > "$T/sec.out" 2>&1 || true
  level=$(sed -n 's/.*Overall exposure level for secprov-attestor.service: \([0-9.]*\).*/\1/p' "$T/sec.out")
  echo "SUMMARY systemd-analyze security --offline=yes: exposure ${level:-?} ($(systemd-analyze --version | head -n1))"
  check "systemd-analyze security: exposure below 3.0 (got ${level:-none})" \
    awk -v l="${level:-99}" 'BEGIN { exit !(l < 3.0) }'
else
  echo "SKIP exposure level: this systemd-analyze has no security --offline"
fi

# A Debian-like install: PREFIX=/usr in a DESTDIR.
install_to "$T/dest" /usr
check "PREFIX=/usr: ExecStart=/usr/bin/secprov-attestor" \
  grep -qx "ExecStart=/usr/bin/secprov-attestor" "$T/dest/usr/lib/systemd/system/secprov-attestor.service"
check_done
