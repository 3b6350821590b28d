"""The C ABI the binding is written for: constants, the options struct and
every function's prototype, from include/secprov.h and
include/secprov_legacy.h.

A status code added to the header: add it to STATUS_NAMES here and its
class to errors.STATUS_CLASSES (tests/python/test_constants.py fails until
both are there; tests/arm64/binding_abi.c may list it too).

This module imports nothing from the package and loads no library, so a
test can read it on its own (tests/python/test_constants.py checks it
against the headers; tests/arm64/test_arm64_binding.sh against an arm64
build).
"""
from __future__ import annotations

import ctypes
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_uint8, c_void_p
TYPE_CHECKING = False                   # typing is not imported at run time
if TYPE_CHECKING:
    from typing import Dict, List, Tuple

# The library version this binding was written for: the library must have
# the same major and at least this minor.
VERSION_MAJOR = 0
VERSION_MINOR = 1

# enum secprov_status: code -> C name. New codes are only ever appended;
# a code not in this table still raises SecprovError with the library's text.
STATUS_NAMES: Dict[int, str] = {
    0: "SECPROV_OK",
    -1: "SECPROV_ERR_INVALID_ARG",
    -2: "SECPROV_ERR_NAME",
    -3: "SECPROV_ERR_NOT_FOUND",
    -4: "SECPROV_ERR_INTEGRITY",
    -5: "SECPROV_ERR_CONFIG",
    -6: "SECPROV_ERR_UNAVAILABLE",
    -7: "SECPROV_ERR_NOT_INSTALLED",
    -8: "SECPROV_ERR_IO",
    -9: "SECPROV_ERR_NOMEM",
    -10: "SECPROV_ERR_TPM",
    -11: "SECPROV_ERR_UNSUPPORTED",
    -12: "SECPROV_ERR_KEYSTORE_MISMATCH",
    -13: "SECPROV_ERR_PERMISSION",
    -14: "SECPROV_ERR_BUSY",
    -15: "SECPROV_ERR_TOO_LARGE",
    -16: "SECPROV_ERR_FORMAT",
    -17: "SECPROV_ERR_PADDING",
    -18: "SECPROV_ERR_TIMEOUT",
    -19: "SECPROV_ERR_INTERNAL",
    -20: "SECPROV_ERR_WRONG_DEVICE",
    -21: "SECPROV_ERR_WRONG_NAME",
    -22: "SECPROV_ERR_ROLLBACK",
}

STATUS_CODES: Dict[str, int] = {v: k for k, v in STATUS_NAMES.items()}

# enum secprov_log_level
LOG_LEVELS: Dict[str, int] = {
    "SECPROV_LOG_UNSET": 0,
    "SECPROV_LOG_DEBUG": 1,
    "SECPROV_LOG_INFO": 2,
    "SECPROV_LOG_WARNING": 3,
    "SECPROV_LOG_ERROR": 4,
    "SECPROV_LOG_NONE": 5,
}

# #define values the binding relies on.
DEFINES: Dict[str, int] = {
    "SECPROV_NAME_MAX": 64,
    "SECPROV_SECRET_MAX": 16 * 1024 * 1024,
    "SECPROV_LEGACY_KEY_LEN": 64,
    "SECPROV_LEGACY_IV_LEN": 16,
    "SECPROV_ATTEST_NONCE_MAX": 64,
    "SECPROV_ATTEST_REQUIRE_TPM": 1,
    "SECPROV_ATTEST_PAYLOAD_ID_MAX": 4096,
    "SECPROV_ATTEST_EPHEMERAL_AIK": 2,
    "SECPROV_ATTEST_CHALLENGE_MAX": 4096,
    "SECPROV_ATTEST_ANSWER_MAX": 64,
}

NAME_MAX = DEFINES["SECPROV_NAME_MAX"]
SECRET_MAX = DEFINES["SECPROV_SECRET_MAX"]
KEY_LEN = DEFINES["SECPROV_LEGACY_KEY_LEN"]
IV_LEN = DEFINES["SECPROV_LEGACY_IV_LEN"]

# typedef void (*secprov_log_fn)(int level, const char *message, void *user);
LOG_FN = ctypes.CFUNCTYPE(None, c_int, c_char_p, c_void_p)
# typedef void (*secprov_info_fn)(const char *key, const char *value, void *user);
INFO_FN = ctypes.CFUNCTYPE(None, c_char_p, c_char_p, c_void_p)
# typedef void (*secprov_gc_fn)(const char *name, const char *location, const char *reason,
#                               void *user);
GC_FN = ctypes.CFUNCTYPE(None, c_char_p, c_char_p, c_char_p, c_void_p)
# typedef void (*secprov_check_fn)(const char *part, int status, const char *message,
#                                  void *user);
CHECK_FN = ctypes.CFUNCTYPE(None, c_char_p, c_int, c_char_p, c_void_p)


class Options(ctypes.Structure):
    """struct secprov_options (fields only ever appended)."""

    _fields_ = [
        ("size", c_size_t),
        ("provider", c_char_p),
        ("config_path", c_char_p),
        ("provider_dir", c_char_p),
        ("log_level", c_int),
        ("log_fn", LOG_FN),
        ("log_user", c_void_p),
        ("config_text", c_char_p),      # libconfig text from the program (no file)
        ("flags", ctypes.c_uint),       # SECPROV_OPT_* (the package sets none: _lib.py filters)
    ]


_pp = POINTER(c_void_p)
_iv = POINTER(c_uint8)
_sp = c_void_p          # secprov *
_lg = c_void_p          # secprov_legacy *
_buf = c_char_p         # char *out (a ctypes string buffer is passed)

# name -> (restype, argtypes). Status-returning functions have restype c_int
# and get the package's errcheck.
PROTOTYPES: Dict[str, Tuple[object, Tuple[object, ...]]] = {
    "secprov_version": (c_char_p, ()),
    "secprov_strerror": (c_char_p, (c_int,)),
    "secprov_last_error": (c_char_p, ()),
    "secprov_open": (c_int, (_pp, POINTER(Options))),
    "secprov_close": (None, (_sp,)),
    "secprov_provider_name": (c_char_p, (_sp,)),
    "secprov_fell_back": (c_int, (_sp,)),
    "secprov_fallback_reason": (c_char_p, (_sp,)),
    "secprov_seal": (c_int, (_sp, c_char_p, c_void_p, c_size_t)),
    "secprov_unseal": (c_int, (_sp, c_char_p, _pp, POINTER(c_size_t))),
    "secprov_free": (None, (c_void_p, c_size_t)),
    "secprov_delete": (c_int, (_sp, c_char_p)),
    "secprov_list": (c_int, (_sp, POINTER(POINTER(c_char_p)), POINTER(c_size_t))),
    "secprov_list_free": (None, (POINTER(c_char_p), c_size_t)),
    "secprov_locate": (c_int, (_sp, c_char_p, _buf, c_size_t)),
    "secprov_name_check": (c_int, (c_char_p,)),
    "secprov_info": (c_int, (_sp, INFO_FN, c_void_p)),
    "secprov_secret_alloc": (c_void_p, (c_size_t,)),
    "secprov_gc": (c_int, (_sp, c_int, GC_FN, c_void_p)),
    "secprov_config_check": (c_int, (POINTER(Options), CHECK_FN, c_void_p)),
    "secprov_attest": (c_int, (_sp, c_void_p, c_size_t, c_int, _pp)),
    "secprov_attest_enroll": (c_int, (_sp, c_int, _pp)),
    "secprov_attest_free": (None, (c_void_p,)),
    "secprov_attest_block": (c_int, (_sp, c_void_p, c_size_t, c_int, _pp)),
    "secprov_attest_activate": (c_int, (_sp, c_void_p, c_size_t, c_void_p, c_size_t,
                                        POINTER(c_size_t))),
    "secprov_import": (c_int, (_sp, c_char_p, c_void_p, c_size_t)),
    "secprov_unwrap": (c_int, (_sp, c_void_p, c_size_t, _pp, POINTER(c_size_t))),
    "secprov_legacy_open": (c_int, (_pp, POINTER(Options))),
    "secprov_legacy_close": (None, (_lg,)),
    "secprov_legacy_calc_hash": (c_int, (_lg, c_char_p, _buf)),
    "secprov_legacy_fingerprint": (c_int, (_lg, _buf, c_size_t)),
    "secprov_legacy_collect_fingerprint": (c_int, (_lg, _buf, c_size_t)),
    "secprov_legacy_hw_hash": (c_int, (_lg, c_char_p, _buf)),
    "secprov_legacy_api_key": (c_int, (_lg, c_char_p, c_char_p, c_char_p, _buf)),
    "secprov_legacy_resource_key": (c_int, (_lg, _buf)),
    "secprov_legacy_encrypt": (c_int, (_lg, c_char_p, c_void_p, c_size_t, _pp, POINTER(c_size_t))),
    "secprov_legacy_encrypt_with_iv": (c_int, (_lg, c_char_p, _iv, c_void_p, c_size_t, _pp,
                                               POINTER(c_size_t))),
    "secprov_legacy_decrypt": (c_int, (_lg, c_char_p, c_void_p, c_size_t, _pp, POINTER(c_size_t))),
    "secprov_legacy_encrypt_fd": (c_int, (_lg, c_char_p, _iv, c_int, c_int)),
    "secprov_legacy_decrypt_fd": (c_int, (_lg, c_char_p, c_int, c_int)),
    "secprov_legacy_split_fd": (c_int, (_lg, _iv, c_int, c_int, c_int)),
    "secprov_legacy_join_fd": (c_int, (_lg, c_void_p, c_size_t, c_int, c_int)),
    "secprov_legacy_archive_decrypt_fd": (c_int, (_lg, c_void_p, c_size_t, c_int, c_int)),
}


# libsecprov_verify.so.0 (include/secprov_verify.h): loaded on first use by
# secprov.verify_report(); it returns a result code, not a status.
VERIFY_PROTOTYPES: Dict[str, Tuple[object, Tuple[object, ...]]] = {
    "secprov_verify_report": (c_int, (c_char_p, c_void_p, c_size_t, c_char_p, c_char_p,
                                      _buf, c_size_t)),
    "secprov_verify_reason": (c_char_p, (c_int,)),
    "secprov_verify_block": (c_int, (c_char_p, c_void_p, c_size_t, c_char_p, c_char_p,
                                     _buf, c_size_t)),
    "secprov_verify_has_mldsa": (c_int, ()),
    # (report, nonce, len, enrollment, pcrs, secprov_verify_options *,
    #  secprov_verify_breakdown *, detail, len): python/secprov/verify_result.py
    "secprov_verify_report2": (c_int, (c_char_p, c_void_p, c_size_t, c_char_p, c_char_p,
                                       c_void_p, c_void_p, _buf, c_size_t)),
    # the runtime attestor's bundle: the same shape (nonce NULL, 0: none asked)
    "secprov_verify_bundle": (c_int, (c_char_p, c_void_p, c_size_t, c_char_p, c_char_p,
                                      c_void_p, c_void_p, _buf, c_size_t)),
    # credential activation: (enrollment, &credential, &len, &state, detail, len) and
    # (enrollment, state, answer, len, &record, detail, len); freed by secprov_verify_free
    "secprov_verify_make_credential": (c_int, (c_char_p, _pp, POINTER(c_size_t), _pp, _buf,
                                               c_size_t)),
    "secprov_verify_enroll": (c_int, (c_char_p, c_char_p, c_void_p, c_size_t, _pp, _buf,
                                      c_size_t)),
    # (enrollment, secprov_verify_options *, name, version, data, len, &blob, &len, detail, len)
    "secprov_verify_seal_to": (c_int, (c_char_p, c_void_p, c_char_p, ctypes.c_ulonglong,
                                       c_void_p, c_size_t, POINTER(c_void_p), POINTER(c_size_t),
                                       _buf, c_size_t)),
    "secprov_verify_free": (None, (c_void_p,)),
}


def abi_lines() -> List[str]:
    """The sizes and values the binding assumes, one "key value" a line, in
    the format tests/arm64/binding_abi.c prints for the C side."""
    lines = ["sizeof_options %d" % ctypes.sizeof(Options)]
    for field in Options._fields_:
        name = field[0]
        lines.append("offsetof_%s %d" % (name, getattr(Options, name).offset))
        lines.append("fieldsize_%s %d" % (name, getattr(Options, name).size))
    for t in ("c_int", "c_size_t", "c_void_p"):
        lines.append("sizeof_%s %d" % (t, ctypes.sizeof(getattr(ctypes, t))))
    for code, name in sorted(STATUS_NAMES.items(), reverse=True):
        lines.append("%s %d" % (name, code))
    for name, v in LOG_LEVELS.items():
        lines.append("%s %d" % (name, v))
    for name, v in DEFINES.items():
        lines.append("%s %d" % (name, v))
    lines.append("SECPROV_VERSION_MAJOR %d" % VERSION_MAJOR)
    return lines


if __name__ == "__main__":
    print("\n".join(abi_lines()))
