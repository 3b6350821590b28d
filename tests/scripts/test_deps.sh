#!/usr/bin/env bash
# scripts/deps.sh asks dpkg for the native architecture: a foreign copy
# alone (libcmocka-dev:arm64, as `make check-arm64` installs it) does not
# satisfy `check`, an "all" package is found by its plain name, and an
# explicit :arm64 is asked for as such. Runs deps.sh against a fake
# dpkg-query/dpkg (a package list in a file) and a fake `id` (non-root, so
# it prints the apt-get line instead of installing), all first on PATH.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
F=$T/fake; mkdir -p "$F"
cat > "$F/dpkg" <<'SH'
#!/bin/sh
case "$1" in
  --print-architecture) echo amd64 ;;
  --print-foreign-architectures) echo arm64 ;;
esac
SH
# dpkg-query -W -f=FORMAT PATTERN, from $DB lines "name arch"; like dpkg:
# NAME:ARCH matches that architecture only ("all" packages have no
# NAME:amd64), a plain NAME the first copy listed.
cat > "$F/dpkg-query" <<'SH'
#!/bin/bash
fmt=${2#-f=}; pat=$3; name=${pat%%:*}; arch=
[[ $pat == *:* ]] && arch=${pat#*:}
echo "$pat" >> "$DB.asked"
while read -r n a; do
  [ "$n" = "$name" ] || continue
  [ -z "$arch" ] || [ "$a" = "$arch" ] || continue
  out=${fmt//'${Status}'/install ok installed}; out=${out//'${Architecture}'/$a}
  printf "$out"; exit 0
done < "$DB"
echo "dpkg-query: no packages found matching $pat" >&2; exit 1
SH
printf '#!/bin/sh\n[ "$1" = -u ] && echo 1000 || exec /usr/bin/id "$@"\n' > "$F/id"
chmod +x "$F"/*
export DB=$T/db
deps() { PATH=$F:$PATH "$SECPROV_SRC/scripts/deps.sh" "$@"; }
# Every package of the check profile, native or "all".
all_of_check() {
  local line
  line=$(sed -n '/^  check) /,/;;/p' "$SECPROV_SRC/scripts/deps.sh" | tr -d '()\\;' | sed 's/check pkgs=//')
  for p in $line ${build_pkgs}; do echo "$p"; done
}
build_pkgs=$(sed -n 's/^build=(\(.*\))$/\1/p' "$SECPROV_SRC/scripts/deps.sh")
{ for p in $(all_of_check); do
    [ "$p" = '"${build[@]}"' ] && continue
    case $p in python3-pytest|mypy) echo "$p all" ;; *) echo "$p amd64" ;; esac
  done; } > "$DB"
check "the fake db lists libcmocka-dev" grep -qx 'libcmocka-dev amd64' "$DB"

rc=0; deps check > "$T/out" 2>&1 || rc=$?
check "everything native or all installed: check satisfied (exit $rc: $(head -c 200 "$T/out"))" test $rc = 0
check "... libcmocka-dev was asked for as libcmocka-dev:amd64" grep -qx 'libcmocka-dev:amd64' "$DB.asked"
check "... python3-pytest (all) asked for by its plain name too" grep -qx 'python3-pytest' "$DB.asked"

# Only the arm64 copy of libcmocka-dev: missing, and named in the apt line.
sed -i 's/^libcmocka-dev amd64$/libcmocka-dev arm64/' "$DB"
rc=0; deps check > "$T/out" 2>&1 || rc=$?
check "only libcmocka-dev:arm64 installed: check not satisfied (exit $rc)" test $rc = 1
check "... the apt-get line names libcmocka-dev ($(tr '\n' ' ' < "$T/out"))" \
  grep -qE '^  apt-get update && apt-get install -y libcmocka-dev$' "$T/out"
# ... while the arm64 profile's explicit libcmocka-dev:arm64 is satisfied by it.
rc=0; deps arm64 > "$T/out" 2>&1 || rc=$?
check "the arm64 profile does not ask for libcmocka-dev:arm64 again ($(tr '\n' ' ' < "$T/out"))" \
  test "$(grep -c 'libcmocka-dev:arm64' "$T/out")" = 0
check_done
