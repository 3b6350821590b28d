#!/usr/bin/env bash
# Hosts that load libsecprov with RTLD_LOCAL (Python ctypes, most plugin
# hosts): the providers take nothing from the host's symbol table, so both
# open and round-trip a secret; no provider module imports a secprov_ symbol
# (they are linked with -z defs, so one that did would not even build).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
LIB=$SECPROV_BUILD/lib/libsecprov.so.0
for m in tpm legacy; do
  und=$(nm -D --undefined-only "$SECPROV_BUILD/lib/secprov/$m.so" | grep -c ' secprov_' || true)
  check "$m.so imports no secprov_ symbol" test "$und" = 0
done
tpm_sim_pty "$T/tpm"
tpm_sim_config "$T/secprov.conf"
export SECPROV_CONFIG=$T/secprov.conf
for p in legacy tpm; do
  check "C host, dlopen RTLD_LOCAL: $p round-trips" \
    test "$("$SECPROV_BUILD/tests/core/rtld_local_host" "$LIB" "$p")" = "ok $p"
done
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
if [ -n "${SECPROV_ARCH:-}" ] || [ "$(nm -D --undefined-only "$LIB" | grep -c __asan_ || true)" != 0 ]; then
  # A native Python cannot load an arm64 library, nor an ASan one without
  # preloading the runtime: the C host above covers both builds.
  echo "SKIP Python ctypes (${SECPROV_ARCH:-ASan} build): covered by the C host"
  check_done; exit
fi
for p in legacy tpm; do
  out=$("$PY" - "$LIB" "$p" <<'PYEOF'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])                      # RTLD_LOCAL, as ctypes does
class Opts(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("provider", ctypes.c_char_p),
                ("config_path", ctypes.c_char_p), ("provider_dir", ctypes.c_char_p),
                ("log_level", ctypes.c_int), ("log_fn", ctypes.c_void_p), ("log_user", ctypes.c_void_p)]
o = Opts(ctypes.sizeof(Opts), sys.argv[2].encode())
sp = ctypes.c_void_p()
lib.secprov_strerror.restype = ctypes.c_char_p
rc = lib.secprov_open(ctypes.byref(sp), ctypes.byref(o))
if rc: sys.exit("open: " + lib.secprov_strerror(rc).decode())
v = b"python-ctypes-secret"
assert lib.secprov_seal(sp, b"py", v, ctypes.c_size_t(len(v))) == 0
d, n = ctypes.c_void_p(), ctypes.c_size_t()
assert lib.secprov_unseal(sp, b"py", ctypes.byref(d), ctypes.byref(n)) == 0
got = ctypes.string_at(d, n.value)
lib.secprov_free(d, n); lib.secprov_delete(sp, b"py")
lib.secprov_provider_name.restype = ctypes.c_char_p
print("ok", lib.secprov_provider_name(sp).decode(), got == v)
lib.secprov_close(sp)
PYEOF
) || out="failed"
  check "Python ctypes.CDLL: $p round-trips" test "$out" = "ok $p True"
done
check_done
