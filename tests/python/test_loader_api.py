"""What loaders expect (issue 22): name in sp, get, exists; config as text or
a mapping; errors raised or logged, not both, each named once; an empty or
str secret refused saying why; a Provider pickled for a spawn pool opens
again from its options; a fork pool on an inherited handle."""
from __future__ import annotations

import logging
import multiprocessing
import pickle

import pytest

import secprov
from secprov.provider import render_config

from conftest import HARDWARE


def _conf_dict(base):
    return {"tpm": {"devices": [str(base / "no-tpm")], "state_dir": str(base / "tpm-state")},
            "legacy": {"state_dir": str(base / "legacy-state"), "hardware": HARDWARE}}


def test_in_get_exists(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        sp.seal("a", b"v1")
        assert "a" in sp and sp.exists("a")
        assert "b" not in sp and not sp.exists("b")
        assert "bad name!" not in sp and 3 not in sp
        with sp.get("a") as s:
            assert bytes(s) == b"v1"
        assert sp.get("b") is None and sp.get("b", b"d") == b"d"
        with pytest.raises(secprov.InvalidNameError):     # only NotFound maps to the default
            sp.get("bad name!")
        s = secprov.get_security_provider(config=legacy_conf)
        with s:
            assert "a" in s and s.exists("a") and s.get("b") is None


def test_empty_and_str_secret_refused_saying_why(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        with pytest.raises(secprov.InvalidArgumentError, match="empty secret is refused"):
            sp.seal("a", b"")
        with pytest.raises(TypeError, match="^secprov: the secret must be bytes-like.*not str"):
            sp.seal("a", "text")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="^secprov: the secret must be bytes-like.*not int"):
            sp.seal("a", 5)  # type: ignore[arg-type]


def test_raised_not_logged_and_named_once(legacy_conf, caplog):
    caplog.set_level(logging.INFO, logger="secprov")
    with secprov.open(config=legacy_conf) as sp:
        caplog.clear()
        with pytest.raises(secprov.NotFoundError) as e:
            sp.unseal("cred")
        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert str(e.value).count("unseal 'cred'") == 1, str(e.value)
    with pytest.raises(secprov.UnavailableError):
        secprov.open(provider="tpm", config=legacy_conf)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_config_mapping_rendered_and_quoted(tmp_path):
    tricky = 'CPU: a "quoted" \\ back\tslash; x = {1}\nline2'
    d = _conf_dict(tmp_path)
    d["legacy"]["hardware"] = tricky
    text = render_config(d)
    (tmp_path / "r.conf").write_text(text)
    # libconfig reads the very string back (the legacy fingerprint is legacy.hardware)
    with secprov.legacy.Scheme(config=str(tmp_path / "r.conf")) as sch:
        assert sch.fingerprint() == tricky
    with pytest.raises(ValueError, match="NUL"):
        render_config({"a": "x\0y"})
    with pytest.raises(ValueError, match="setting name"):
        render_config({"a b": 1})
    assert render_config({"n": 1 << 40, "f": 2.0, "b": True, "l": [1, "x"]}) == \
        "n = 1099511627776L;\nf = 2.0;\nb = true;\nl = (1, \"x\");\n"


@pytest.mark.parametrize("form", ["dict", "text"])
def test_open_config_without_a_file(tmp_path, form):
    d = _conf_dict(tmp_path)
    cfg = d if form == "dict" else render_config(d)
    with secprov.open(config=cfg) as sp:
        assert sp.name == "legacy"
        sp.seal("k", b"v")
        assert sp.locate("k").startswith("file:%s" % (tmp_path / "legacy-state"))


def test_pickled_provider_reopens_with_its_options(tmp_path):
    with secprov.open(config=_conf_dict(tmp_path), log_level="error") as sp:
        sp.seal("k", b"v")
        data = pickle.dumps(sp)
        assert b"log_fn" not in data
        with pickle.loads(data) as again:
            assert again is not sp and again.name == "legacy"
            with again.unseal("k") as s:
                assert bytes(s) == b"v"


def _unseal_k(sp):
    with sp.unseal("k") as s:
        return bytes(s)


def test_spawn_pool_gets_a_working_provider(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        sp.seal("k", b"spawned")
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            assert pool.map(_unseal_k, [sp] * 4) == [b"spawned"] * 4


_inherited = None


def _unseal_inherited(i):
    assert _inherited is not None
    with _inherited.unseal("k") as s:
        return bytes(s)


@pytest.mark.parametrize("where", ["legacy", "tpm"])
def test_fork_pool_of_4_on_an_inherited_handle(where, tmp_path, legacy_conf, module_tpm):
    global _inherited
    conf = legacy_conf if where == "legacy" else module_tpm.config(tmp_path / "tpm.conf")
    with secprov.open(config=conf) as sp:
        assert sp.name == where
        v = b"fork-value-" + where.encode()
        sp.seal("k", v)
        with sp.unseal("k") as s:             # the parent used its connection/session first
            assert bytes(s) == v
        _inherited = sp
        try:
            with multiprocessing.get_context("fork").Pool(4) as pool:
                got = pool.map(_unseal_inherited, range(40))
        finally:
            _inherited = None
        assert got == [v] * 40
        with sp.unseal("k") as s:             # and the parent still works
            assert bytes(s) == v
