"""An in-tree PEP 517 build backend for the secprov package: a pure-Python
wheel (and an sdist) from python/secprov, with the standard library only,
so `pip install ./python` works offline.

SECPROV_LIBRARY set at build time: the wheel records that path as the
library to load (as `make install` records the installed one).
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # python/
NAME = "secprov"


def _version():
    """The release's VERSION file (the repository's, or the sdist's PKG-INFO)."""
    for path in (os.path.join(HERE, "..", "VERSION"), os.path.join(HERE, "PKG-INFO")):
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        for line in text.splitlines():
            if path.endswith("VERSION"):
                return line.strip()
            if line.startswith("Version: "):
                return line[len("Version: "):].strip()
    raise RuntimeError("secprov_build: no VERSION file above %s and no PKG-INFO" % HERE)


VERSION = _version()
TAG = "py3-none-any"
DIST_INFO = "%s-%s.dist-info" % (NAME, VERSION)

METADATA = """Metadata-Version: 2.1
Name: secprov
Version: %s
Summary: Keep secrets in the TPM when the device has one, in the legacy store when not (ctypes binding of libsecprov)
Requires-Python: >=3.10
Classifier: Typing :: Typed

Needs libsecprov.so.0 (make install). See docs/python.md in the secprov repository.
""" % VERSION

WHEEL = """Wheel-Version: 1.0
Generator: secprov_build
Root-Is-Purelib: true
Tag: %s
""" % TAG


def _package_files():
    pkg = os.path.join(HERE, NAME)
    for f in sorted(os.listdir(pkg)):
        if f.endswith(".py") or f == "py.typed":
            if f == "_install.py":
                continue
            yield "%s/%s" % (NAME, f), os.path.join(pkg, f)


def _record_line(path: str, data: bytes) -> str:
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, h, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = os.path.join(metadata_directory, DIST_INFO)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write(METADATA)
    with open(os.path.join(d, "WHEEL"), "w") as f:
        f.write(WHEEL)
    return DIST_INFO


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "%s-%s-%s.whl" % (NAME, VERSION, TAG)
    files = []
    for arc, path in _package_files():
        with open(path, "rb") as f:
            files.append((arc, f.read()))
    lib = os.environ.get("SECPROV_LIBRARY")
    if lib:
        files.append(("%s/_install.py" % NAME,
                      ("# Written by the wheel build: the library to load.\nLIBRARY = %r\n"
                       % os.path.abspath(lib)).encode()))
    files.append(("%s/METADATA" % DIST_INFO, METADATA.encode()))
    files.append(("%s/WHEEL" % DIST_INFO, WHEEL.encode()))
    files.append(("%s/top_level.txt" % DIST_INFO, b"secprov\n"))
    record = [_record_line(a, d) for a, d in files] + ["%s/RECORD,," % DIST_INFO]
    files.append(("%s/RECORD" % DIST_INFO, ("\n".join(record) + "\n").encode()))
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in files:
            zi = zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data, zipfile.ZIP_DEFLATED)
    return name


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for rel in ["pyproject.toml", "_build/secprov_build.py"] + [a for a, _ in _package_files()]:
            t.add(os.path.join(HERE, rel), arcname="%s/%s" % (base, rel))
        pkg_info = METADATA.encode()
        ti = tarfile.TarInfo("%s/PKG-INFO" % base)
        ti.size = len(pkg_info)
        t.addfile(ti, io.BytesIO(pkg_info))
    return name
