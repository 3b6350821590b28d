"""secprov.attestor.Client against a running attestor: prints
verify(), status()'s state, the status of refresh() with a wrong token and
of attest() with a malformed nonce, the nonce of attest(nonce=b"\x00\x11")'s
bundle and attest()'s state."""
import importlib.util
import sys

spec = importlib.util.spec_from_file_location("attestor", sys.argv[2] + "/python/secprov/attestor.py")
a = importlib.util.module_from_spec(spec)
spec.loader.exec_module(a)
c = a.Client(sys.argv[1])
try:
    c.refresh("wrong")
    refused = "none"
except a.AttestorError as e:
    refused = e.status
try:
    c.attest(nonce="xyz")
    bad = "none"
except a.AttestorError as e:
    bad = e.status
ans = c.attest(nonce=b"\x00\x11")
print(c.verify(), c.status()["attestation_state"], refused, bad, ans["bundle"]["nonce"],
      c.attest()["state"])
