"""A token issuer on 127.0.0.1 for the auth tests: RSA keys, OpenID discovery and JWKS over real HTTP,
tokens signed with PyJWT (an implementation independent of the function's verifier)."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.local_http import serving

AUDIENCE = "global-serverless-api"


def new_key(bits: int = 2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


class Issuer:
    def __init__(self) -> None:
        self.keys = {"key-1": new_key()}
        self.requests: list[str] = []
        self.down = False
        self.url = ""

    def jwks(self) -> dict:
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def rotate(self, kid: str) -> None:
        self.keys[kid] = new_key()

    def token(self, *, kid: str = "key-1", key=None, audience=AUDIENCE, issuer=None, expires_in=300, **claims) -> str:
        now = int(time.time())
        payload = {"iss": issuer or self.url, "aud": audience, "sub": "user-1", "iat": now, "exp": now + expires_in}
        payload.update(claims)
        return jwt.encode(payload, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})


def _handler(issuer: Issuer):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            issuer.requests.append(self.path)
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
        yield issuer
