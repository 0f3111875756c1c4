"""The issuer's signing keys (JWKS), fetched once per container and again only for an unknown key id.

The key set comes from `jwks_uri` in the issuer's OpenID configuration (`<issuer>/.well-known/openid-
configuration`), or from AUTH_JWKS_URL when set. A token naming a key id the cached set lacks triggers
one refresh (the issuer may have rotated), at most once per REFRESH_INTERVAL so a stream of forged key
ids cannot make the function hammer the issuer. Every fetch has a bounded timeout.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from .tokens import InvalidToken, RsaKey

FETCH_TIMEOUT_SECONDS = 2.0
REFRESH_INTERVAL_SECONDS = 10.0
MAX_DOCUMENT_BYTES = 512 * 1024
DISCOVERY_PATH = "/.well-known/openid-configuration"


class KeysUnavailable(RuntimeError):
    """The issuer's keys could not be fetched: the request's outcome is unknown, not unauthorised."""


def fetch_json(url: str, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (https issuer, checked by config)
            body = response.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, ValueError) as error:
        raise KeysUnavailable(f"cannot fetch {url}: {type(error).__name__}") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise KeysUnavailable(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
    try:
        return json.loads(body)
    except ValueError:
        raise KeysUnavailable(f"{url} did not answer JSON") from None


class KeySource:
    def __init__(
        self,
        issuer: str,
        jwks_url: str | None = None,
        *,
        fetch: Callable[[str, float], Any] = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._issuer = issuer.rstrip("/")
        self._jwks_url = jwks_url
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str | None, dict] | None = None
        self._fetched_at: float | None = None

    def key(self, kid: str | None) -> RsaKey:
        if self._keys is None:
            self._refresh()
        jwk = self._lookup(kid)
        if jwk is None and self._may_refresh():
            self._refresh()
            jwk = self._lookup(kid)
        if jwk is None:
            raise InvalidToken("the token's signing key is not one of the issuer's keys")
        return RsaKey.from_jwk(jwk)

    def _lookup(self, kid: str | None) -> dict | None:
        keys = self._keys or {}
        if kid is None:
            # A token without a key id is acceptable only while the issuer publishes one key.
            return next(iter(keys.values())) if len(keys) == 1 else None
        return keys.get(kid)

    def _may_refresh(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= REFRESH_INTERVAL_SECONDS

    def _refresh(self) -> None:
        self._fetched_at = self._clock()
        url = self._jwks_url or self._discover()
        document = self._fetch(url, FETCH_TIMEOUT_SECONDS)
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            raise KeysUnavailable(f"{url} has no key list")
        self._keys = {jwk.get("kid"): jwk for jwk in keys if isinstance(jwk, dict) and jwk.get("use", "sig") == "sig"}
        if self._jwks_url is None:
            self._jwks_url = url

    def _discover(self) -> str:
        configuration = self._fetch(self._issuer + DISCOVERY_PATH, FETCH_TIMEOUT_SECONDS)
        uri = configuration.get("jwks_uri") if isinstance(configuration, dict) else None
        if not isinstance(uri, str) or not uri:
            raise KeysUnavailable(f"{self._issuer}{DISCOVERY_PATH} names no jwks_uri")
        return uri
