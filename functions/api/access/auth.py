"""Who may call what: JWT bearer tokens on writes (and on reads with AUTH_PROTECT_READS); /health stays open.

Answers follow RFC 6750: no token or a token that cannot be trusted -> 401 with `WWW-Authenticate:
Bearer realm=...` (and `error="invalid_token"` when a token was sent); a valid token without a required
scope -> 403 with `error="insufficient_scope"`. The same answers for ALB and HTTP API events. When the
issuer's keys cannot be fetched the outcome is unknown, so the caller answers 503, never 401.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .. import contract
from ..settings import TokenSettings
from .jwks import KeySource
from .tokens import InvalidToken, check_claims, granted_scopes, parse, verify_signature

REALM = "global-serverless"
LEEWAY_SECONDS = 60.0  # clock skew allowed on exp and nbf


class Unauthorized(Exception):
    def __init__(self, message: str, token_sent: bool) -> None:
        super().__init__(message)
        self.message = message
        challenge = f'Bearer realm="{REALM}"'
        if token_sent:
            challenge += f', error="invalid_token", error_description="{message}"'
        self.challenge = challenge


class Forbidden(Exception):
    def __init__(self, missing: tuple[str, ...]) -> None:
        self.message = f"the token lacks the scope(s) {' '.join(missing)}"
        super().__init__(self.message)
        self.challenge = f'Bearer realm="{REALM}", error="insufficient_scope", scope="{" ".join(missing)}"'


class Authenticator:
    def __init__(
        self, settings: TokenSettings, keys: KeySource | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self._keys = keys or KeySource(settings.issuer, settings.jwks_url)
        self._clock = clock

    def requires(self, method: str, path: str, health_path: str) -> bool:
        if path == health_path:
            return False
        return contract.needs_token(method, self.settings.protect_reads)  # the one set (contract.WRITE_METHODS)

    def check(self, authorization: str | None) -> dict:
        """The token's claims, or Unauthorized / Forbidden (jwks.KeysUnavailable when keys cannot be had)."""
        token = _bearer(authorization)
        try:
            parsed = parse(token)
            # The claims first: a token for another issuer or audience, or an expired one, is refused
            # without asking the issuer for keys (and with a 401, even while the issuer is down). The
            # signature is still checked before anything is granted.
            check_claims(parsed.claims, self.settings.issuer, self.settings.audience, self._clock(), LEEWAY_SECONDS)
            verify_signature(parsed, self._keys.key(parsed.key_id))
        except InvalidToken as error:
            raise Unauthorized(str(error), token_sent=True) from None
        missing = tuple(s for s in self.settings.scopes if s not in granted_scopes(parsed.claims))
        if missing:
            raise Forbidden(missing)
        return parsed.claims


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("this request needs a bearer token (Authorization: Bearer <JWT>)", token_sent=False)
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be: Bearer <JWT>", token_sent=True)
    return token.strip()
