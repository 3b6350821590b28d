"""secprov.config_check(): the C secprov_config_check as Python sees it
(tests/core/test_config_check.sh covers the rules themselves)."""
from __future__ import annotations

from pathlib import Path

import secprov
from conftest import BUILD, write_config

PROVIDERS = BUILD / "lib" / "secprov"
CONFIG = secprov._ffi.STATUS_CODES["SECPROV_ERR_CONFIG"]


def test_a_clean_config_is_ok(tmp_path: Path) -> None:
    conf = write_config(tmp_path / "c.conf")
    r = secprov.config_check(conf, PROVIDERS)
    assert r.ok and r.status == 0
    parts = {p.part: p for p in r.parts}
    assert parts["config"].message == "ok (%s)" % conf
    assert parts["legacy"] == secprov.ConfigPart("legacy", 0, "ok")
    assert parts["tpm"] == secprov.ConfigPart("tpm", 0, "ok")


def test_a_typo_names_file_line_and_key(tmp_path: Path) -> None:
    conf = write_config(tmp_path / "c.conf")
    conf.write_text(conf.read_text().replace("tpm = { ", "tpm = { colour = 1; "))
    r = secprov.config_check(conf, PROVIDERS)
    assert not r.ok
    assert r.status == CONFIG
    tpm = [p for p in r.parts if p.part == "tpm"]
    assert tpm == [secprov.ConfigPart("tpm", CONFIG,
                                      "%s:1: unknown key 'tpm.colour'" % conf)]


def test_an_unreadable_file_is_the_config_part(tmp_path: Path) -> None:
    r = secprov.config_check(tmp_path / "missing.conf", PROVIDERS)
    assert not r.ok
    assert [p.part for p in r.parts] == ["config"]
    assert "missing.conf: cannot read config file: No such file or directory" in r.parts[0].message
