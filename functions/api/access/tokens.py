"""JWT bearer tokens (RFC 7519) signed RS256 (RFC 7518 3.3): verified with the standard library.

Why not PyJWT: its RS256 needs the `cryptography` wheel, a native build for the function's arm64 runtime
that the package would have to carry (megabytes, and a platform-specific build step on every deploy).
Verifying RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2.2) needs only modular exponentiation and an
exact comparison with the expected encoding; no secret is involved, so timing tells an attacker nothing.
Only RS256 is accepted: `none`, HMAC and anything else are refused before a key is looked up.

Strict where the RFCs allow a choice, and as API Gateway's JWT authorizer where it decides:
- base64url (RFC 7515 2, RFC 4648 5): the URL-safe alphabet only, no padding, no whitespace, nothing after
  the data, and canonical (the unused bits of the last character are zero), so each token has one spelling;
- header and claims: UTF-8 JSON objects without duplicate member names, NaN or Infinity (RFC 7515 4,
  RFC 7519 4, RFC 8259); `kid`, when present, a string;
- `crit` (RFC 7515 4.1.11): the function understands no extension, so a token carrying `crit` is refused;
- audience: `aud` (a string, or a list of strings) must name the configured audience; when the token has
  no `aud`, its `client_id` must equal it (Amazon Cognito access tokens carry `client_id` and no `aud`;
  API Gateway's authorizer accepts them the same way); when both are present only `aud` counts;
- `exp` required, `nbf` and `iat` (when present) not in the future, each with the caller's leeway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass
from typing import Any, TypeGuard

ALGORITHM = "RS256"
MIN_MODULUS_BITS = 2048
MAX_MODULUS_BITS = 8192  # larger keys make verifying cost more than the function's time (a hostile key set)
MAX_EXPONENT_BITS = 64  # 65537 in practice; a huge exponent would make pow() slow too
UNDERSTOOD_CRITICAL_HEADERS: frozenset[str] = frozenset()  # RFC 7515 4.1.11: no extension is understood
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
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
        if key.modulus.bit_length() < MIN_MODULUS_BITS or key.exponent < 3 or key.exponent % 2 == 0:
            raise InvalidToken("the signing key is too weak")
        if key.modulus.bit_length() > MAX_MODULUS_BITS or key.exponent.bit_length() > MAX_EXPONENT_BITS:
            raise InvalidToken("the signing key is too large")
        return key


@dataclass(frozen=True)
class Token:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def key_id(self) -> str | None:
        return self.header.get("kid")  # a string or None (parse refuses any other kid)


def parse(raw: str) -> Token:
    """Splits and decodes a compact JWS; refuses any algorithm but RS256, and any `crit` extension."""
    parts = raw.split(".")
    if len(parts) != 3 or not all(parts):
        raise InvalidToken("the bearer token is not a JWT")
    header, claims, signature = _json_part(parts[0]), _json_part(parts[1]), _b64(parts[2])
    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"the token's algorithm must be {ALGORITHM}")
    if "crit" in header:
        critical = header["crit"]
        if not (isinstance(critical, list) and critical and set(critical) <= UNDERSTOOD_CRITICAL_HEADERS):
            raise InvalidToken("the token's crit header names an extension this API does not understand")
    if not _is_text(header.get("kid", "")):
        raise InvalidToken("the token's key id (kid) is not a string")
    return Token(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


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
    if not _for_audience(claims, audience):
        raise InvalidToken("the token is for another audience")
    expires = claims.get("exp")
    if not _is_number(expires):
        raise InvalidToken("the token has no expiry")
    # Compared, never added to: Python compares a huge int with a float exactly, but int + float overflows.
    if expires < now - leeway:
        raise InvalidToken("the token has expired")
    not_before = claims.get("nbf")
    if not_before is not None and (not _is_number(not_before) or not_before > now + leeway):
        raise InvalidToken("the token is not valid yet")
    issued = claims.get("iat")
    if issued is not None and (not _is_number(issued) or issued > now + leeway):
        raise InvalidToken("the token was issued in the future")


def _for_audience(claims: dict[str, Any], audience: str) -> bool:
    """`aud` names the audience; without `aud`, `client_id` is it (as API Gateway's JWT authorizer checks)."""
    if "aud" not in claims:
        return claims.get("client_id") == audience
    audiences = claims["aud"]
    audiences = [audiences] if isinstance(audiences, str) else audiences
    return isinstance(audiences, list) and any(isinstance(a, str) and a == audience for a in audiences)


def granted_scopes(claims: dict[str, Any]) -> frozenset[str]:
    """OAuth scopes: a space-separated `scope` string (RFC 8693) or an `scp` list (some issuers)."""
    scope, scp = claims.get("scope"), claims.get("scp")
    found = scope.split() if isinstance(scope, str) else []
    if isinstance(scp, list):
        found += [s for s in scp if isinstance(s, str)]
    elif isinstance(scp, str):
        found += scp.split()
    return frozenset(found)


def _is_text(value: Any) -> bool:
    """A string that is valid Unicode text (JSON's \\u escapes can spell a lone surrogate, which is not)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not _is_infinite(value)


def _is_infinite(value: int | float) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def b64decode_strict(part: str) -> bytes:
    """base64url without padding (RFC 7515 2), canonical; InvalidToken for anything else."""
    if not isinstance(part, str) or len(part) % 4 == 1 or not BASE64URL.fullmatch(part):
        raise InvalidToken("the bearer token is not a JWT")
    decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    # The one spelling of these bytes: a last character with non-zero unused bits is another token.
    if base64.urlsafe_b64encode(decoded).rstrip(b"=") != part.encode("ascii"):
        raise InvalidToken("the bearer token is not a JWT")
    return decoded


_b64 = b64decode_strict


def _json_part(part: str) -> dict:
    try:
        value = json.loads(
            _b64(part).decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InvalidToken("the bearer token is not a JWT") from None
    if not isinstance(value, dict):
        raise InvalidToken("the bearer token is not a JWT")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("duplicate member name")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} overflows")
    return value


def _uint(value: Any) -> int:
    """A JWK's base64urlUInt (RFC 7518 6.3.1); trailing padding, which some issuers write, is tolerated."""
    if not isinstance(value, str) or not value.rstrip("="):
        raise InvalidToken("the signing key is malformed")
    return int.from_bytes(_b64(value.rstrip("=")), "big")
