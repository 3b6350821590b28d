"""A client of the runtime attestor (docs/attestor.md), standard library only.

    Client("http://127.0.0.1:8505").verify()   -> True only when attested
    Client(...).status()                       -> GET /api/security/status
    Client(...).refresh(token)                 -> the new bundle (POST /api/v1/refresh)
"""
import http.client
import json
import urllib.parse


class AttestorError(Exception):
    """The attestor answered with an error status, or could not be reached."""

    def __init__(self, status, message):
        super().__init__(f"attestor: {status}: {message}")
        self.status = status


class Client:
    def __init__(self, url="http://127.0.0.1:8505", timeout=5.0):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http" or not u.hostname:
            raise ValueError(f"not an http://HOST:PORT URL: {url!r}")
        self._host, self._port, self._timeout = u.hostname, u.port or 80, timeout

    def _call(self, method, path, headers=None):
        conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            conn.request(method, path, headers=headers or {})
            r = conn.getresponse()
            return r.status, json.loads(r.read() or b"null")
        except (OSError, ValueError) as e:
            raise AttestorError(0, str(e)) from e
        finally:
            conn.close()

    def verify(self):
        status, body = self._call("GET", "/api/v1/verify")
        return status == 200 and isinstance(body, dict) and body.get("verified") is True

    def status(self):
        status, body = self._call("GET", "/api/security/status")
        if status != 200:
            raise AttestorError(status, body)
        return body

    def refresh(self, token):
        status, body = self._call("POST", "/api/v1/refresh",
                                  {"Authorization": f"Bearer {token}"})
        if status != 200:
            raise AttestorError(status, (body or {}).get("error"))
        return body
