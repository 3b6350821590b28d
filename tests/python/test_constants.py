"""The binding's constants, struct and prototypes against the C headers,
parsed at test time (so a code, field or function added to the header and
not to the binding fails here)."""
from __future__ import annotations

import ctypes
import re

import pytest

from conftest import SRC

import secprov
from secprov import _ffi, errors

HDR = (SRC / "include" / "secprov.h").read_text()
LEGACY_HDR = (SRC / "include" / "secprov_legacy.h").read_text()


def enum_values(text: str, enum: str) -> dict:
    body = re.search(r"enum %s\s*\{(.*?)\};" % enum, text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    out = {}
    for name, value in re.findall(r"(SECPROV_\w+)\s*=\s*(-?\d+)", body):
        out[name] = int(value)
    return out


def define(text: str, name: str) -> int:
    v = re.search(r"#define\s+%s\s+(.+)" % name, text).group(1)
    v = re.sub(r"/\*.*?\*/", "", v).strip()
    v = v.replace("(size_t)", "")
    return int(eval(v, {"__builtins__": {}}))       # header arithmetic like 16 * 1024 * 1024


def test_status_codes_match_header():
    hdr = enum_values(HDR, "secprov_status")
    assert len(hdr) >= 20
    assert {v: k for k, v in hdr.items()} == _ffi.STATUS_NAMES


def test_every_error_status_has_its_class():
    hdr = enum_values(HDR, "secprov_status")
    for name, code in hdr.items():
        if code == 0:
            continue
        cls = errors.STATUS_CLASSES[name]
        e = errors.error_for_status(code, "m", "op")
        assert type(e) is cls and isinstance(e, secprov.SecprovError)
        assert e.status == code and e.status_name == name
    assert len(set(errors.STATUS_CLASSES.values())) == len(errors.STATUS_CLASSES)


def test_log_levels_match_header():
    assert enum_values(HDR, "secprov_log_level") == _ffi.LOG_LEVELS


def test_defines_match_headers():
    for name, v in _ffi.DEFINES.items():
        text = HDR if name in HDR else LEGACY_HDR
        assert define(text, name) == v, name
    assert define(HDR, "SECPROV_VERSION_MAJOR") == _ffi.VERSION_MAJOR
    assert define(HDR, "SECPROV_VERSION_MINOR") >= _ffi.VERSION_MINOR


def test_options_struct_matches_header():
    body = re.search(r"typedef struct secprov_options\s*\{(.*?)\}\s*secprov_options;", HDR, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    fields = re.findall(r"(\w[\w\s\*]*?)\s*\**(\w+);", body)
    names = [f[1] for f in fields]
    assert names == [f[0] for f in _ffi.Options._fields_]
    ctype_of = {"size_t": ctypes.c_size_t, "const char": ctypes.c_char_p, "int": ctypes.c_int,
                "secprov_log_fn": _ffi.LOG_FN, "void": ctypes.c_void_p,
                "unsigned": ctypes.c_uint}
    for (ctext, name), (pyname, pytype) in zip(fields, _ffi.Options._fields_):
        assert ctype_of[ctext.strip()] is pytype, name


def test_prototypes_cover_the_headers():
    declared = set(re.findall(r"SECPROV_API\s+[\w\s\*]+?\b(secprov_\w+)\s*\(", HDR + LEGACY_HDR))
    assert declared == set(_ffi.PROTOTYPES), declared ^ set(_ffi.PROTOTYPES)


@pytest.mark.parametrize("name", sorted(_ffi.PROTOTYPES))
def test_prototype_arity_matches_header(name):
    m = re.search(r"SECPROV_API\s+([\w\s\*]+?)\b%s\s*\((.*?)\);" % name, HDR + LEGACY_HDR, re.S)
    ret, params = m.group(1).strip(), " ".join(m.group(2).split())
    n = 0 if params == "void" else params.count(",") + 1
    restype, argtypes = _ffi.PROTOTYPES[name]
    assert len(argtypes) == n, (name, params)
    if ret == "void":
        assert restype is None
    elif ret == "int":
        assert restype is ctypes.c_int
    elif ret == "const char *":
        assert restype is ctypes.c_char_p
    elif ret == "void *":
        assert restype is ctypes.c_void_p
    else:
        pytest.fail("unexpected return type %r" % ret)


def test_strerror_for_every_code():
    for code in _ffi.STATUS_NAMES:
        assert secprov._lib.lib.secprov_strerror(code)


def test_abi_lines_format():
    lines = _ffi.abi_lines()
    assert "sizeof_options %d" % ctypes.sizeof(_ffi.Options) in lines
    assert all(len(l.split()) == 2 for l in lines)
