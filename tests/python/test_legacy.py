"""secprov.legacy: every public vector (tests/legacy/vectors/legacy-public.json)
through the old module's names, strict padding, the big/small split and join,
container archives, streaming with bounded memory."""
from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import subprocess

import pytest

from conftest import BUILD, HARDWARE, SRC

import secprov
import secprov.legacy as legacy
from secprov.legacy import Credentials, HardwareService, Security

V = json.loads((SRC / "tests/legacy/vectors/legacy-public.json").read_text())
RESOURCE_KEY = V["get_resource_encryption_key"]["output_b64"]


@pytest.fixture(autouse=True)
def scheme_config(legacy_conf):
    legacy.configure(config=legacy_conf)
    yield
    legacy.configure()


@pytest.mark.parametrize("v", V["calc_hash"], ids=lambda v: repr(v["input_utf8"]))
def test_calc_hash(v):
    assert legacy.calc_hash(v["input_utf8"]) == v["output_b64"]
    assert Security.calc_hash(v["input_utf8"]) == v["output_b64"]


@pytest.mark.parametrize("v", V["get_hw_hash"], ids=lambda v: v["hardware"][:20])
def test_get_hw_hash(v):
    assert legacy.get_hw_hash(v["hardware"]) == v["output_b64"]
    assert Security.get_hw_hash(v["hardware"]) == v["output_b64"]
    assert Security.calc_hash(v["hashed_string"]) == v["output_b64"]


@pytest.mark.parametrize("v", V["get_api_encryption_key"], ids=lambda v: v["email"])
def test_get_api_encryption_key(v):
    creds = Credentials(v["email"], v["password"])
    assert Security.get_api_encryption_key(creds, v["hw_hash"]) == v["output_b64"]
    assert legacy.get_api_encryption_key(creds, v["hw_hash"]) == v["output_b64"]
    assert hashlib.sha256(v["output_b64"].encode()).hexdigest() == v["aes256_key_hex(sha256 of output)"]
    assert "TestPassword" not in repr(creds)


def test_get_resource_encryption_key():
    assert Security.get_resource_encryption_key() == RESOURCE_KEY
    assert legacy.get_resource_encryption_key() == RESOURCE_KEY


@pytest.mark.parametrize("v", V["encrypt_to"], ids=lambda v: "%s/%s" % (v["key_label"], v["output_len"]))
def test_encrypt_to_vectors(v):
    pt = bytes.fromhex(v["plaintext_hex"])
    want = bytes.fromhex(v["output_hex(IV||ciphertext)"])
    assert legacy.encrypt_to(pt, v["key_str"], iv=bytes.fromhex(v["iv_hex"])) == want
    assert len(want) == int(v["output_len"])
    assert Security.decrypt_to(want, v["key_str"]) == pt
    fresh = Security.encrypt_to(pt, v["key_str"])          # random IV
    assert fresh[:16] != want[:16] and len(fresh) == len(want)
    assert legacy.decrypt_to(fresh, v["key_str"]) == pt


def test_decrypt_to_wrong_key_raises_value_error():
    # a fixed IV: with a random one the padding a wrong key leaves is random,
    # valid 1 time in ~256
    ct = legacy.encrypt_to(b"0123456789abcdef" * 3, RESOURCE_KEY, iv=bytes(range(16)))
    with pytest.raises(ValueError) as e:
        legacy.decrypt_to(ct, "another-key")
    assert isinstance(e.value, secprov.PaddingError)
    with pytest.raises(secprov.FormatError):           # not whole blocks / too short
        legacy.decrypt_to(ct[:-1], RESOURCE_KEY)
    with pytest.raises(secprov.FormatError):
        legacy.decrypt_to(b"x" * 16, RESOURCE_KEY)


def _resource(v) -> bytes:
    assert v["resource_def"] == "bytes(i % 251 for i in range(100))"
    return bytes(i % 251 for i in range(100))


@pytest.mark.parametrize("v", V["binary_split_resource"], ids=lambda v: v["encrypted_len"])
def test_split_and_join_vectors(v, tmp_path):
    res = _resource(v)
    assert hashlib.sha256(res).hexdigest() == v["resource_sha256"]
    (tmp_path / "res").write_bytes(res)
    small = legacy.split_big_small(tmp_path / "res", tmp_path / "big", iv=bytes.fromhex(v["iv_hex"]))
    big = (tmp_path / "big").read_bytes()
    assert small.hex() == v["small_hex"] and len(small) == int(v["small_len"])
    assert hashlib.sha256(small).hexdigest() == v["small_sha256"]
    assert hashlib.sha256(big).hexdigest() == v["big_sha256"] and len(big) == int(v["big_len"])
    assert hashlib.sha256(small + big).hexdigest() == v["encrypted_sha256"]
    # Download side: the server sends small under the API key; the device
    # removes that layer, then joins.
    api_key = V["get_api_encryption_key"][0]["output_b64"]
    from_server = legacy.encrypt_to(small, api_key)
    got = legacy.join_big_small(legacy.decrypt_to(from_server, api_key), tmp_path / "big")
    assert got == res
    # file objects and a path as output, too
    with open(tmp_path / "big", "rb") as bf:
        legacy.join_big_small(small, bf, tmp_path / "out")
    assert (tmp_path / "out").read_bytes() == res
    out = io.BytesIO()
    legacy.join_big_small(small, io.BytesIO(big), out)
    assert out.getvalue() == res
    # split from a file object and from bytes, to a file object
    big2 = io.BytesIO()
    with open(tmp_path / "res", "rb") as rf:
        assert Security.split_big_small(rf, big2, iv=bytes.fromhex(v["iv_hex"])) == small
    assert big2.getvalue() == big
    big3 = io.BytesIO()
    assert legacy.split_big_small(res, big3, iv=bytes.fromhex(v["iv_hex"])) == small
    assert big3.getvalue() == big


def test_join_corrupt_big_leaves_no_output(tmp_path):
    # 5000 bytes: 8 bytes of padding (0x08); flipping the last byte of the
    # block before makes it 0x09: bad padding, deterministically.
    (tmp_path / "res").write_bytes(os.urandom(5000))
    small = legacy.split_big_small(tmp_path / "res", tmp_path / "big")
    big = bytearray((tmp_path / "big").read_bytes())
    big[-17] ^= 1
    (tmp_path / "big").write_bytes(big)
    with pytest.raises(ValueError) as e:
        legacy.join_big_small(small, tmp_path / "big", tmp_path / "out")
    assert isinstance(e.value, secprov.PaddingError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big", "res", "secprov.conf"]


@pytest.mark.parametrize("v", V["docker_archive"], ids=lambda v: v["blob_len"])
def test_decrypt_archive_vectors(v, tmp_path):
    blob = bytes.fromhex(v["blob_hex"])
    assert hashlib.sha256(blob).hexdigest() == v["blob_sha256"]
    (tmp_path / "archive.enc").write_bytes(blob)
    frag = bytes.fromhex(v["key_fragment_hex"])
    legacy.decrypt_archive(str(tmp_path / "archive.enc"), frag, str(tmp_path / "archive.tar"))
    out = (tmp_path / "archive.tar").read_bytes()
    assert hashlib.sha256(out).hexdigest() == v["plaintext_sha256"]
    assert len(out) == int(v["plaintext_len"])
    with pytest.raises(secprov.PaddingError):
        Security.decrypt_archive(tmp_path / "archive.enc", b"wrong", tmp_path / "bad.tar")
    assert not (tmp_path / "bad.tar").exists()


def test_hardware_service_is_the_configured_fingerprint_cached():
    assert HardwareService.get_hardware_info() == HARDWARE
    assert HardwareService._cache == HARDWARE
    assert Security.get_hw_hash(HardwareService.get_hardware_info()) == legacy.get_hw_hash(HARDWARE)


def test_types_and_nul_refused():
    with pytest.raises(TypeError):
        legacy.calc_hash(b"bytes")          # type: ignore[arg-type]
    with pytest.raises(ValueError):
        legacy.calc_hash("a\0b")
    with pytest.raises(ValueError):
        legacy.encrypt_to(b"x", RESOURCE_KEY, iv=b"short")


def _maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_streams_bounded_memory(tmp_path):
    """64 MiB through decrypt_file and split/join: the process grows by far
    less than the data (the C side streams in 1 MiB buffers)."""
    size = 64 << 20
    src = tmp_path / "big.bin"
    with open(src, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(size >> 20):
            f.write(block)
    before = _maxrss_kib()
    legacy.encrypt_file(RESOURCE_KEY, src, tmp_path / "enc")
    legacy.decrypt_file(RESOURCE_KEY, tmp_path / "enc", tmp_path / "dec")
    small = legacy.split_big_small(src, tmp_path / "bigpart")
    legacy.join_big_small(small, tmp_path / "bigpart", tmp_path / "joined")
    grew = _maxrss_kib() - before
    assert grew < 16 * 1024, "grew %d KiB for 64 MiB streams" % grew
    h = hashlib.sha256(src.read_bytes()).digest()
    assert hashlib.sha256((tmp_path / "dec").read_bytes()).digest() == h
    assert hashlib.sha256((tmp_path / "joined").read_bytes()).digest() == h


def test_interop_with_the_command(tmp_path):
    """encrypt_to output decrypts with `secprov legacy decrypt`, and back."""
    (tmp_path / "key").write_text(RESOURCE_KEY + "\n")
    pt = os.urandom(1000)
    ct = legacy.encrypt_to(pt, RESOURCE_KEY)
    r = subprocess.run([str(BUILD / "bin/secprov"), "legacy", "decrypt", "--key-file",
                        str(tmp_path / "key")], input=ct, capture_output=True, check=True)
    assert r.stdout == pt
    r = subprocess.run([str(BUILD / "bin/secprov"), "legacy", "encrypt", "--key-file",
                        str(tmp_path / "key")], input=pt, capture_output=True, check=True)
    assert legacy.decrypt_to(r.stdout, RESOURCE_KEY) == pt


def test_split_from_a_pipe(tmp_path):
    """The C split needs a regular file (it sizes the small part first): a
    pipe is spooled to a temporary file, in bounded chunks."""
    import threading
    data = os.urandom(200_000)
    r, w = os.pipe()

    def feed():
        with os.fdopen(w, "wb") as f:
            f.write(data)
    t = threading.Thread(target=feed)
    t.start()
    with os.fdopen(r, "rb") as src:
        small = legacy.split_big_small(src, tmp_path / "big")
    t.join()
    assert len(small) == 3072
    assert legacy.join_big_small(small, tmp_path / "big") == data
