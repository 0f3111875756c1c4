"""A token issuer on 127.0.0.1 for the auth tests: RSA keys, OpenID discovery and JWKS over real HTTP,
tokens signed with PyJWT (an implementation independent of the function's verifier).

Faults: `issuer.faults[path] = answer` makes that path answer with `answer(handler, stop)`, which writes
raw bytes to `handler.wfile` (a garbled status line, a trickle, a truncated body...); `stop` is set when
the issuer stops, so a trickle never outlives its test.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from functions.api.access.jwks import KeySource
from tests.support.local_http import serving

AUDIENCE = "global-serverless-api"
OMIT = object()  # a claim left out of the token (e.g. `aud` in an Amazon Cognito access token)

Fault = Callable[[BaseHTTPRequestHandler, threading.Event], None]


def new_key(bits: int = 2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def public_jwk(key, kid: str) -> dict:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


class Issuer:
    def __init__(self) -> None:
        self.keys = {"key-1": new_key()}
        self.requests: list[str] = []
        self.down = False
        self.url = ""
        self.faults: dict[str, Fault] = {}
        self.stop = threading.Event()

    def jwks(self) -> dict:
        return {"keys": [public_jwk(key, kid) for kid, key in self.keys.items()]}

    def rotate(self, kid: str) -> None:
        self.keys[kid] = new_key()

    def key_source(self, **options) -> KeySource:
        """The function's key source for this issuer: plain http, allowed on 127.0.0.1 only (the test seam)."""
        return KeySource(self.url, allow_loopback_http=True, **options)

    def token(
        self, *, kid: str = "key-1", key=None, audience=AUDIENCE, issuer=None, expires_in=300, headers=None, **claims
    ) -> str:
        now = int(time.time())
        payload = {"iss": issuer or self.url, "aud": audience, "sub": "user-1", "iat": now, "exp": now + expires_in}
        payload.update(claims)
        payload = {name: value for name, value in payload.items() if value is not OMIT}
        return jwt.encode(payload, key or self.keys[kid], algorithm="RS256", headers={"kid": kid, **(headers or {})})

    def cognito_access_token(self, client_id: str = AUDIENCE, **claims) -> str:
        """As an Amazon Cognito user pool writes it: `client_id`, `token_use: access`, no `aud`."""
        return self.token(audience=OMIT, client_id=client_id, token_use="access", scope="items/write", **claims)

    def cognito_id_token(self, client_id: str = AUDIENCE, **claims) -> str:
        """An Amazon Cognito ID token: `aud` is the app client id, `token_use: id`."""
        return self.token(audience=client_id, token_use="id", email="user@example.com", **claims)


def _handler(issuer: Issuer):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            issuer.requests.append(self.path)
            fault = issuer.faults.get(self.path)
            if fault is not None:
                self.close_connection = True
                try:
                    fault(self, issuer.stop)
                except OSError:  # the client gave up (its deadline): nothing more to send
                    pass
                return
            if issuer.down:
                self.send_response(503)
                self.end_headers()
                return
            if self.path == "/.well-known/openid-configuration":
                body = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/keys"}
            elif self.path == "/keys":
                body = issuer.jwks()
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass

    return Handler


@contextmanager
def local_issuer():
    """An Issuer serving discovery and keys on 127.0.0.1 (a free port); stopped on exit."""
    issuer = Issuer()
    with serving(_handler(issuer)) as port:
        issuer.url = f"http://127.0.0.1:{port}"
        try:
            yield issuer
        finally:
            issuer.stop.set()
