"""A client of the runtime attestor (docs/attestor.md), standard library only.

    Client("http://127.0.0.1:8505").verify()   -> True only when attested
    Client(...).status()                       -> GET /api/security/status
    Client(...).refresh(token)                 -> the new bundle (POST /api/v1/refresh)
    Client(...).attest(nonce=None)             -> {"state", "bundle"} (GET /api/v1/attest[?nonce=])

A remote verifier checks the bundle offline with secprov.verify_bundle().
"""
import http.client
import json
import urllib.parse
from typing import Any, Dict, Optional, Tuple, Union


class AttestorError(Exception):
    """The attestor answered with an error status, or could not be reached."""

    def __init__(self, status: int, message: object) -> None:
        super().__init__(f"attestor: {status}: {message}")
        self.status = status


class Client:
    def __init__(self, url: str = "http://127.0.0.1:8505", timeout: float = 5.0) -> None:
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http" or not u.hostname:
            raise ValueError(f"not an http://HOST:PORT URL: {url!r}")
        self._host, self._port, self._timeout = u.hostname, u.port or 80, timeout

    def _call(self, method: str, path: str,
              headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
        conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            conn.request(method, path, headers=headers or {})
            r = conn.getresponse()
            body: Any = json.loads(r.read() or b"null")
            return r.status, body
        except (OSError, ValueError) as e:
            raise AttestorError(0, str(e)) from e
        finally:
            conn.close()

    def verify(self) -> bool:
        status, body = self._call("GET", "/api/v1/verify")
        return bool(status == 200 and isinstance(body, dict) and body.get("verified") is True)

    def status(self) -> Dict[str, Any]:
        status, body = self._call("GET", "/api/security/status")
        if status != 200 or not isinstance(body, dict):
            raise AttestorError(status, body)
        return body

    def refresh(self, token: str) -> Dict[str, Any]:
        status, body = self._call("POST", "/api/v1/refresh",
                                  {"Authorization": f"Bearer {token}"})
        if status != 200 or not isinstance(body, dict):
            raise AttestorError(status, body.get("error") if isinstance(body, dict) else body)
        return body

    def attest(self, nonce: Optional[Union[bytes, str]] = None) -> Dict[str, Any]:
        """The last attestation's answer {"state", "bundle"}; with ``nonce``
        (bytes, or hex text; 1 to 64 bytes) an attestation made at once with
        the verifier's nonce signed into its bundle."""
        path = "/api/v1/attest"
        if nonce is not None:
            if isinstance(nonce, (bytes, bytearray)):
                nonce = bytes(nonce).hex()
            if not isinstance(nonce, str):
                raise TypeError("nonce: bytes or hex text")
            path += "?nonce=" + urllib.parse.quote(nonce, safe="")
        status, body = self._call("GET", path)
        if status != 200 or not isinstance(body, dict):
            raise AttestorError(status, body.get("error") if isinstance(body, dict) else body)
        return body
