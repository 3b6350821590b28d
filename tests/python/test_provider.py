"""secprov.open() / Provider / Secret on the legacy provider: the API, every
exception type, wiping, logging, threads."""
from __future__ import annotations

import array
import ctypes
import gc
import logging
import os
import weakref

import pytest

from conftest import seal_unseal_in_threads, write_config

import secprov
from secprov import errors


def test_roundtrip_and_api(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        assert sp.name == "legacy" and not sp.is_tpm
        assert sp.fell_back is False and sp.fallback_reason is None
        info = sp.info()
        assert info["provider"] == "legacy" and info["fallback"] == "no"
        assert info["state_dir"] == str(legacy_conf.parent / "legacy-state")
        sp.seal("a", b"bytes")
        sp.seal("b", bytearray(b"bytearray"))
        sp.seal("c", memoryview(b"0123456789")[::3])           # not contiguous
        sp.seal("d", array.array("I", [1, 2]))
        sp.seal("e", memoryview(b"readonly"))
        assert sp.list() == ["a", "b", "c", "d", "e"]
        with sp.unseal("a") as s:
            assert bytes(s) == b"bytes" and len(s) == 5
            sp.seal("f", s)                                    # a Secret seals too
        assert bytes(sp.unseal("b")) == b"bytearray"
        assert bytes(sp.unseal("c")) == b"0369"
        assert bytes(sp.unseal("d")) == array.array("I", [1, 2]).tobytes()
        assert bytes(sp.unseal("f")) == b"bytes"
        assert sp.locate("a") == "file:%s" % (legacy_conf.parent / "legacy-state" / "a.sec")
        sp.seal("a", b"replaced")
        assert bytes(sp.unseal("a")) == b"replaced"
        sp.delete("a")
        assert "a" not in sp.list()
        assert repr(sp) == "<secprov.Provider legacy>"
    assert sp.closed
    with pytest.raises(ValueError, match="closed"):
        sp.list()
    sp.close()                                                 # idempotent


def test_big_secret(legacy_conf):
    data = os.urandom(1 << 20)
    with secprov.open(config=legacy_conf) as sp:
        sp.seal("big", data)
        assert sp.unseal("big") == data


def test_open_arguments(legacy_conf, monkeypatch):
    with secprov.open("legacy", config=str(legacy_conf), log_level="error") as sp:
        assert sp.name == "legacy"
    monkeypatch.setenv("SECPROV_CONFIG", str(legacy_conf))
    with secprov.open(log_level=logging.DEBUG) as sp:          # config from the environment
        assert sp.info()["state_dir"] == str(legacy_conf.parent / "legacy-state")
    with pytest.raises(ValueError):
        secprov.open(log_level="loud")
    with pytest.raises(ValueError):
        secprov.open(config="a\0b")


# --- every exception type ---------------------------------------------------------
def test_exceptions_raised_for_real(legacy_conf, tmp_path):
    """Each status that a legacy setup can produce, produced; the TPM ones
    in test_tpm.py; every code's class in test_constants.py."""
    st = legacy_conf.parent / "legacy-state"
    with pytest.raises(secprov.ConfigError, match="bogus"):
        secprov.open("bogus", config=legacy_conf)
    bad = tmp_path / "bad.conf"
    bad.write_text("provider = ;\n")
    with pytest.raises(secprov.ConfigError, match="bad.conf:1"):
        secprov.open(config=bad)
    with pytest.raises(secprov.UnavailableError, match="no-tpm"):
        secprov.open("tpm", config=legacy_conf)
    (tmp_path / "empty").mkdir()
    with pytest.raises(secprov.NotInstalledError, match="legacy.so"):
        secprov.open("legacy", config=legacy_conf, provider_dir=tmp_path / "empty")
    (tmp_path / "file").write_text("")
    io_conf = tmp_path / "io" / "c.conf"
    io_conf.parent.mkdir()
    io_conf.write_text('tpm = { devices = ["%s/none"]; };\nlegacy = { state_dir = "%s/file/x"; };\n'
                       % (tmp_path, tmp_path))
    with pytest.raises(secprov.SecprovIOError, match="Not a directory") as e:
        secprov.open(config=io_conf)
    assert isinstance(e.value, OSError)
    with secprov.open(config=legacy_conf) as sp:
        with pytest.raises(secprov.NotFoundError) as e:
            sp.unseal("missing")
        assert isinstance(e.value, KeyError) and e.value.status == -3
        with pytest.raises(KeyError):
            sp.delete("missing")
        for bad_name in ("a/b", "x" * 65, "", "a\0b", "ä"):
            with pytest.raises(secprov.InvalidNameError):
                sp.seal(bad_name, b"v")
        assert not secprov.name_check("a/b") and secprov.name_check("ok-name_1")
        with pytest.raises(secprov.InvalidArgumentError) as e:
            sp.seal("empty", b"")
        assert isinstance(e.value, ValueError)
        with pytest.raises(secprov.TooLargeError):
            sp.seal("huge", bytes(secprov.SECRET_MAX + 1))
        sp.seal("t", b"value")
        f = st / "t.sec"
        b = bytearray(f.read_bytes())
        b[-1] ^= 1
        f.write_bytes(b)
        with pytest.raises(secprov.IntegrityError, match="t.sec"):
            sp.unseal("t")
        sp.seal("p", b"value")
        os.chmod(st / "p.sec", 0o666)
        with pytest.raises(secprov.SecprovPermissionError, match="p.sec") as e:
            sp.unseal("p")
        assert isinstance(e.value, PermissionError)
    with pytest.raises(secprov.PaddingError):
        secprov.legacy.Scheme(config=legacy_conf).decrypt_to(bytes(32), "k")
    with pytest.raises(secprov.FormatError):
        secprov.legacy.Scheme(config=legacy_conf).decrypt_to(bytes(31), "k")


@pytest.mark.parametrize("name,builtin", [
    ("SECPROV_ERR_INVALID_ARG", ValueError), ("SECPROV_ERR_NAME", ValueError),
    ("SECPROV_ERR_NOT_FOUND", KeyError), ("SECPROV_ERR_IO", OSError),
    ("SECPROV_ERR_NOMEM", MemoryError), ("SECPROV_ERR_UNSUPPORTED", NotImplementedError),
    ("SECPROV_ERR_PERMISSION", PermissionError), ("SECPROV_ERR_TOO_LARGE", ValueError),
    ("SECPROV_ERR_FORMAT", ValueError), ("SECPROV_ERR_PADDING", ValueError),
    ("SECPROV_ERR_TIMEOUT", TimeoutError),
])
def test_exception_builtin_bases(name, builtin):
    code = secprov._ffi.STATUS_CODES[name]
    e = errors.error_for_status(code, "msg", "op")
    assert isinstance(e, builtin) and isinstance(e, secprov.SecprovError)
    assert str(e) == "op: msg (%s)" % name


def test_errcheck_maps_every_code_with_the_library_text(monkeypatch):
    """The one errcheck, for each code (BUSY, TPM, NOMEM, UNSUPPORTED,
    INTERNAL cannot be produced on demand here: this is where they are
    checked), with the library's status text when the call logged no line."""
    monkeypatch.setattr(secprov._lib.lib, "secprov_last_error", lambda: b"")
    for code, name in secprov._ffi.STATUS_NAMES.items():
        if code == 0:
            continue
        with pytest.raises(errors.STATUS_CLASSES[name]) as e:
            secprov._lib._errcheck(code, secprov._lib.lib.secprov_seal, ())
        assert e.value.message == secprov._lib.lib.secprov_strerror(code).decode()
    with pytest.raises(secprov.SecprovError) as e:            # a code from a newer library
        secprov._lib._errcheck(-99, secprov._lib.lib.secprov_seal, ())
    assert type(e.value) is secprov.SecprovError and e.value.status == -99


# --- Secret ---------------------------------------------------------------------------
def test_secret_wipe_zeroes_the_buffer(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        sp.seal("w", b"top-secret-value")
        s = sp.unseal("w")
        assert "top-secret" not in repr(s) and repr(s) == "<secprov.Secret 16 bytes>"
        v = s.view()
        assert v.readonly and bytes(v) == b"top-secret-value"
        addr = ctypes.addressof(v.obj)
        with pytest.raises(BufferError):
            s.release()                        # a view exists: nothing done
        assert bytes(s) == b"top-secret-value"
        s.wipe()
        # The same memory, read through the view and by address: zeros.
        assert bytes(v) == bytes(16)
        assert ctypes.string_at(addr, 16) == bytes(16)
        assert s.wiped and repr(s) == "<secprov.Secret wiped>"
        with pytest.raises(ValueError):
            bytes(s)
        with pytest.raises(ValueError):
            s.view()
        v.release()
        s.wipe()                                # idempotent


def test_secret_memory_freed_only_when_no_view(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        sp.seal("g", b"gc-value")
        s = sp.unseal("g")
        v = s.view()[2:]
        arr = weakref.ref(v.obj)
        del s
        gc.collect()
        assert bytes(v) == b"-value"            # the Secret is gone, its memory is not
        assert arr() is not None
        del v
        gc.collect()
        assert arr() is None                    # last view gone: zeroed and freed
        s = sp.unseal("g")
        with s:
            pass
        assert s.wiped
        s = sp.unseal("g")
        s.release()
        assert s.wiped
        with pytest.raises(TypeError):
            import pickle
            pickle.dumps(sp.unseal("g"))
        assert sp.unseal("g") == b"gc-value" and sp.unseal("g") != b"other"


# --- logging ----------------------------------------------------------------------------
def test_fallback_warning_goes_to_logging(tmp_path, caplog):
    """auto, a device node present but no TPM behind it: one warning on the
    "secprov" logger saying why, and the handle says it fell back."""
    (tmp_path / "tpm0").write_text("")
    conf = write_config(tmp_path / "c.conf", devices=[tmp_path / "tpm0"],
                        tcti="swtpm:path=%s" % (tmp_path / "nosock"))
    caplog.set_level(logging.DEBUG, logger="secprov")
    with secprov.open(config=conf) as sp:
        assert sp.name == "legacy" and sp.fell_back
        assert "nosock" in sp.fallback_reason
    warnings = [r for r in caplog.records if r.name == "secprov" and r.levelno == logging.WARNING]
    assert len(warnings) == 1, caplog.text
    assert "falling back to legacy" in warnings[0].getMessage()
    assert "nosock" in warnings[0].getMessage()


def test_log_levels_reach_logging(legacy_conf, caplog):
    caplog.set_level(logging.DEBUG, logger="secprov")
    with secprov.open(config=legacy_conf, log_level="info"):
        pass
    assert any(r.levelno == logging.INFO and "legacy" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with secprov.open(config=legacy_conf, log_level="error") as sp:
        with pytest.raises(secprov.IntegrityError):
            sp.seal("x", b"v")
            (legacy_conf.parent / "legacy-state" / "x.sec").write_bytes(b"garbage")
            sp.unseal("x")
    # raised, not also logged: the failure's line reaches the logger at DEBUG only
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    assert "integrity" in caplog.records[0].getMessage()


# --- threads -----------------------------------------------------------------------------
def test_eight_threads_share_one_provider(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        def listed(i):
            assert "t%d" % i in sp.list()
        assert seal_unseal_in_threads(sp, "t", 20, listed) == []
        assert sp.list() == sorted("t%d" % i for i in range(8))


def test_the_one_copy_of_a_readonly_buffer_is_zeroed():
    """seal() of a read-only or non-contiguous buffer copies it once (ctypes
    needs a writable one); that copy is zeroed when the call is done."""
    from secprov.provider import _Data
    for src in (memoryview(b"readonly-secret"), memoryview(bytearray(b"r-e-a-d-o-n-l-y"))[::2]):
        d = _Data(src)
        tmp = d._tmp
        assert tmp is not None and bytes(tmp) == bytes(src)
        d.done()
        assert bytes(tmp) == bytes(len(tmp))
    d = _Data(b"bytes: no copy")
    assert d._tmp is None


def test_error_names_the_operation_and_the_secret(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        with pytest.raises(secprov.NotFoundError) as e:
            sp.unseal("api-key")
        assert str(e.value) == "unseal 'api-key': no secret of that name (SECPROV_ERR_NOT_FOUND)"
        assert e.value.args == (str(e.value),) and e.value.operation == "unseal 'api-key'"
        with pytest.raises(secprov.InvalidNameError, match="^seal 'a/b': "):
            sp.seal("a/b", b"v")
        with pytest.raises(secprov.NotFoundError, match="^delete 'nope': "):
            sp.delete("nope")
