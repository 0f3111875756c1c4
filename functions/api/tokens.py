"""JWT bearer tokens (RFC 7519) signed RS256 (RFC 7518 3.3): verified with the standard library.

Why not PyJWT: its RS256 needs the `cryptography` wheel, a native build for the function's arm64 runtime
that the package would have to carry (megabytes, and a platform-specific build step on every deploy).
Verifying RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2.2) needs only modular exponentiation and an
exact comparison with the expected encoding; no secret is involved, so timing tells an attacker nothing.
Only RS256 is accepted: `none`, HMAC and anything else are refused before a key is looked up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

ALGORITHM = "RS256"
MIN_MODULUS_BITS = 2048
# DER of DigestInfo for SHA-256 (RFC 8017 9.2, note 1): what precedes the hash inside the signature.
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class InvalidToken(ValueError):
    """The token cannot be trusted; the message is safe to show the client."""


@dataclass(frozen=True)
class RsaKey:
    modulus: int
    exponent: int

    @property
    def size(self) -> int:
        return (self.modulus.bit_length() + 7) // 8

    @classmethod
    def from_jwk(cls, jwk: dict) -> RsaKey:
        if jwk.get("kty") != "RSA":
            raise InvalidToken("the signing key is not an RSA key")
        try:
            key = cls(_uint(jwk.get("n")), _uint(jwk.get("e")))
        except InvalidToken:
            raise InvalidToken("the signing key is malformed") from None
        if key.modulus.bit_length() < MIN_MODULUS_BITS or key.exponent < 3:
            raise InvalidToken("the signing key is too weak")
        return key


@dataclass(frozen=True)
class Token:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def key_id(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None


def parse(raw: str) -> Token:
    """Splits and decodes a compact JWS; refuses any algorithm but RS256."""
    parts = raw.split(".")
    if len(parts) != 3 or not all(parts):
        raise InvalidToken("the bearer token is not a JWT")
    header, claims = _json_part(parts[0]), _json_part(parts[1])
    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"the token's algorithm must be {ALGORITHM}")
    return Token(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), _b64(parts[2]))


def verify_signature(token: Token, key: RsaKey) -> None:
    if len(token.signature) != key.size:
        raise InvalidToken("the token's signature is invalid")
    signature = int.from_bytes(token.signature, "big")
    if signature >= key.modulus:
        raise InvalidToken("the token's signature is invalid")
    encoded = pow(signature, key.exponent, key.modulus).to_bytes(key.size, "big")
    digest = SHA256_DIGEST_INFO + hashlib.sha256(token.signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (key.size - len(digest) - 3) + b"\x00" + digest
    if not hmac.compare_digest(encoded, expected):
        raise InvalidToken("the token's signature is invalid")


def check_claims(claims: dict[str, Any], issuer: str, audience: str, now: float, leeway: float) -> None:
    if claims.get("iss") != issuer:
        raise InvalidToken("the token was issued by another issuer")
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    if not isinstance(audiences, list) or audience not in audiences:
        raise InvalidToken("the token is for another audience")
    expires = claims.get("exp")
    if not _is_number(expires):
        raise InvalidToken("the token has no expiry")
    if now > expires + leeway:
        raise InvalidToken("the token has expired")
    not_before = claims.get("nbf")
    if not_before is not None and (not _is_number(not_before) or now + leeway < not_before):
        raise InvalidToken("the token is not valid yet")


def granted_scopes(claims: dict[str, Any]) -> frozenset[str]:
    """OAuth scopes: a space-separated `scope` string (RFC 8693) or an `scp` list (some issuers)."""
    scope, scp = claims.get("scope"), claims.get("scp")
    found = scope.split() if isinstance(scope, str) else []
    if isinstance(scp, list):
        found += [s for s in scp if isinstance(s, str)]
    elif isinstance(scp, str):
        found += scp.split()
    return frozenset(found)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _b64(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("the bearer token is not a JWT") from None


def _json_part(part: str) -> dict:
    try:
        value = json.loads(_b64(part))
    except (ValueError, RecursionError):
        raise InvalidToken("the bearer token is not a JWT") from None
    if not isinstance(value, dict):
        raise InvalidToken("the bearer token is not a JWT")
    return value


def _uint(value: Any) -> int:
    if not isinstance(value, str) or not value:
        raise InvalidToken("the signing key is malformed")
    return int.from_bytes(_b64(value), "big")
