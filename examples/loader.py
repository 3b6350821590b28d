#!/usr/bin/env python3
"""A minimal loader on secprov: open the security provider (TPM when the
device has one), log which, unseal the loader's credentials, derive the
per-device API key and decrypt a big/small split resource.

    loader.py provision --email E --password-file F --resource FILE --dir DIR
        seal the credentials (secret "loader-credentials") and act as the
        server: split FILE into DIR/resource.big and DIR/resource.small (the
        small part encrypted with this device's API key, as the API returns it)
    loader.py run --dir DIR
        unseal the credentials, decrypt DIR/resource.small with the API key,
        join it with DIR/resource.big into DIR/resource.out
    loader.py demo --dir DIR
        provision demo credentials and a demo resource if missing, then run

Configuration as for every secprov user: SECURITY_PROVIDER, SECPROV_CONFIG.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys

import secprov
from secprov.legacy import Credentials, HardwareService, Security

CREDS = "loader-credentials"
log = logging.getLogger("loader")


def api_key(creds: Credentials) -> str:
    hw_hash = Security.get_hw_hash(HardwareService.get_hardware_info())
    return Security.get_api_encryption_key(creds, hw_hash)


def provision(sp: secprov.SecurityProvider, email: str, password: str, resource: str,
              d: str) -> None:
    sp.seal(CREDS, json.dumps({"email": email, "password": password}).encode())
    os.makedirs(d, exist_ok=True)
    small = Security.split_big_small(resource, os.path.join(d, "resource.big"))
    with open(os.path.join(d, "resource.small"), "wb") as f:       # what the API server returns
        f.write(Security.encrypt_to(small, api_key(Credentials(email, password))))
    log.info("provisioned %s and a %d-byte resource in %s", CREDS, os.path.getsize(resource), d)


def run(sp: secprov.SecurityProvider, d: str) -> str:
    with sp.unseal(CREDS) as secret:
        c = json.loads(bytes(secret))
    creds = Credentials(c["email"], c["password"])
    log.info("credentials unsealed for %s", creds.email)
    with open(os.path.join(d, "resource.small"), "rb") as f:
        small = Security.decrypt_to(f.read(), api_key(creds))
    out = os.path.join(d, "resource.out")
    Security.join_big_small(small, os.path.join(d, "resource.big"), out)
    h = hashlib.sha256()
    with open(out, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    log.info("resource decrypted: %s (%d bytes, sha256 %s)", out, os.path.getsize(out), h.hexdigest())
    return h.hexdigest()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["provision", "run", "demo"])
    ap.add_argument("--dir", default=os.environ.get("LOADER_DIR", "/var/lib/secprov/loader"))
    ap.add_argument("--email")
    ap.add_argument("--password-file")
    ap.add_argument("--resource")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(levelname)s: %(message)s")

    # get_security_provider() logs "security provider: ..." (logger secprov)
    with secprov.get_security_provider() as sp:
        log.info("provider %s%s", sp.name, " (fell back: %s)" % sp.fallback_reason
                 if sp.fell_back else "")
        if a.command == "provision":
            if not (a.email and a.password_file and a.resource):
                ap.error("provision needs --email, --password-file and --resource")
            with open(a.password_file) as f:
                password = f.readline().rstrip("\n")
            provision(sp, a.email, password, a.resource, a.dir)
            return 0
        if a.command == "demo" and CREDS not in sp.list():
            os.makedirs(a.dir, exist_ok=True)
            res = os.path.join(a.dir, "demo-resource")
            with open(res, "wb") as f:
                f.write(os.urandom(256 * 1024))
            provision(sp, "demo@example.com", os.urandom(12).hex(), res, a.dir)
        digest = run(sp, a.dir)
        print("loader: ok %s %s" % (sp.name, digest))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
