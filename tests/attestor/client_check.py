"""secprov.attestor.Client against a running attestor: prints
verify(), status()'s state, and the status of refresh() with a wrong token."""
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
print(c.verify(), c.status()["attestation_state"], refused)
