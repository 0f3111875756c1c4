"""The issuer's signing keys (JWKS), fetched once per container and again only for an unknown key id.

The key set comes from `jwks_uri` in the issuer's OpenID configuration (`<issuer>/.well-known/openid-
configuration`), or from AUTH_JWKS_URL when set. A token naming a key id the cached set lacks triggers
one refresh (the issuer may have rotated), at most once per REFRESH_INTERVAL_SECONDS, so a stream of
forged key ids cannot make the function hammer the issuer.

Bounded cost:
- One deadline per fetch, FETCH_DEADLINE_SECONDS from its start, covers everything: the discovery
  round trip and the keys round trip, each with its connect, TLS handshake, request, status line,
  headers and body. Every socket operation waits only for what is left of it, so an issuer that
  trickles one byte at a time cannot hold a request beyond it (a per-read timeout would: each byte
  restarts it). 1.5 s: a request may first read the chaos parameter and the origin secrets from SSM
  (1 s connect + 1 s read each, runtime.CHAOS_CLIENT_CONFIG), 4 s at worst; 4 + 1.5 leaves half a second
  of the function's 6 s timeout (components/regional/function_settings.py) to answer 503 itself.
- A failed fetch is not retried before FAILURE_BACKOFF_SECONDS (5 s), doubling with each consecutive
  failure up to FAILURE_BACKOFF_MAX_SECONDS (60 s), reset by a success: an issuer outage costs at most one
  fetch per container per interval, and meanwhile the requests that need a fetch answer 503 at once.
- Keys read before keep verifying the tokens they signed while a refresh fails (stale beats unknown);
  a key id they lack answers 503 while the last fetch failed (the issuer may have rotated: the outcome
  is unknown, not unauthorised).

Every fault of the issuer's answer (transport, TLS, HTTP protocol, status, size, encoding, JSON, nesting
depth, shape) is KeysUnavailable: the caller answers 503 with Retry-After, never 401 and never the
catch-all. Single keys of the wrong shape (a `kid` that is not a string, `n` that is not base64url, an
`enc` key, a key too weak or too large...) are ignored, as if the issuer had not listed them.

Only https key URLs are fetched (discovery, jwks_uri, AUTH_JWKS_URL, redirects). The one exception is
the tests' seam: `allow_loopback_http=True` lets plain http reach 127.0.0.1 and nothing else; production
code never sets it.
"""

from __future__ import annotations

import functools
import http.client
import io
import json
import math
import socket
import ssl
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from .tokens import InvalidToken, RsaKey

FETCH_DEADLINE_SECONDS = 1.5
FAILURE_BACKOFF_SECONDS = 5.0
FAILURE_BACKOFF_MAX_SECONDS = 60.0
REFRESH_INTERVAL_SECONDS = 10.0
MAX_DOCUMENT_BYTES = 512 * 1024
MAX_REDIRECTS = 3
DISCOVERY_PATH = "/.well-known/openid-configuration"
LOOPBACK_HOST = "127.0.0.1"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class KeysUnavailable(RuntimeError):
    """The issuer's keys could not be fetched: the request's outcome is unknown, not unauthorised."""


Fetch = Callable[[str, float], Any]  # (url, deadline on time.monotonic) -> the decoded JSON document


def checked_url(url: Any, *, allow_loopback_http: bool = False) -> urllib.parse.SplitResult:
    """The URL split, if the function may fetch it: https with a host (or http to 127.0.0.1 in tests)."""
    try:
        parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        port = parts.port if parts is not None else None  # raises ValueError for a bad port
    except ValueError:
        parts = port = None
    if parts is None or not parts.hostname or not url.isascii():
        raise KeysUnavailable(f"key URL {url!r} is not an https URL")
    if parts.scheme == "https":
        return parts
    if parts.scheme == "http" and allow_loopback_http and parts.hostname == LOOPBACK_HOST and port:
        return parts  # the tests' local issuer
    raise KeysUnavailable(f"key URL {url!r} is not an https URL: keys come over TLS only")


def fetch_json(url: str, deadline: float, *, allow_loopback_http: bool = False) -> Any:
    """The JSON document at `url`, fetched and decoded before `deadline` (time.monotonic) or KeysUnavailable."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = checked_url(url, allow_loopback_http=allow_loopback_http)
        try:
            status, location, body = _get(parts, deadline)
        except KeysUnavailable:
            raise
        except (OSError, http.client.HTTPException, ValueError) as error:  # timeouts and TLS are OSErrors
            raise KeysUnavailable(f"cannot fetch {url}: {type(error).__name__}") from None
        if status in REDIRECT_STATUSES and location is not None:
            url = urllib.parse.urljoin(url, location)
            continue
        if status != 200:
            raise KeysUnavailable(f"{url} answered HTTP {status}")
        return _decode(url, body)
    raise KeysUnavailable(f"{url}: more than {MAX_REDIRECTS} redirects")


def _get(parts: urllib.parse.SplitResult, deadline: float) -> tuple[int, str | None, bytes]:
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    if not host:  # checked_url refuses a URL without a host
        raise KeysUnavailable(f"key URL {parts.geturl()!r} has no host")
    sock = _connect(host, port, deadline)
    try:
        if parts.scheme == "https":
            sock.settimeout(_remaining(deadline))
            sock = _tls().wrap_socket(sock, server_hostname=host)  # the whole handshake waits at most that
        # The default port the Host header leaves out: 443 for https (HTTPConnection's own default is 80).
        connection = http.client.HTTPConnection(host, port)
        connection.default_port = 443 if parts.scheme == "https" else 80
        connection.sock = _DeadlineSocket(sock, deadline)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"Accept": "application/json", "Connection": "close"})
        response = connection.getresponse()
        declared = response.getheader("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
            raise KeysUnavailable(f"{parts.geturl()} declares more than {MAX_DOCUMENT_BYTES} bytes")
        body = response.read(MAX_DOCUMENT_BYTES + 1)
        if len(body) > MAX_DOCUMENT_BYTES:
            raise KeysUnavailable(f"{parts.geturl()} answered more than {MAX_DOCUMENT_BYTES} bytes")
        return response.status, response.getheader("Location"), body
    finally:
        sock.close()


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # certificates and hostname checked; loaded once per container


def _connect(host: str, port: int, deadline: float) -> socket.socket:
    # Name resolution has no timeout in the standard library; the rest waits only for what is left.
    last: OSError = TimeoutError("no address")
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(address)
            return sock
        except OSError as error:
            sock.close()
            last = error
    raise last


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the key fetch deadline passed")
    return left


class _DeadlineReader(io.RawIOBase):
    """A socket's reads, each allowed only what is left of the deadline (http.client reads through it)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(_remaining(self._deadline))
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """What http.client needs of a socket (sendall, makefile, close), bounded by one deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(_remaining(self._deadline))
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        pass  # http.client closes its connection while the response still reads: _get closes the socket


def _decode(url: str, body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, NaN/Infinity, nested beyond the stack
        raise KeysUnavailable(f"{url} did not answer JSON") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class KeySource:
    def __init__(
        self,
        issuer: str,
        jwks_url: str | None = None,
        *,
        fetch: Fetch | None = None,
        clock: Callable[[], float] = time.monotonic,
        deadline_seconds: float = FETCH_DEADLINE_SECONDS,
        allow_loopback_http: bool = False,
    ) -> None:
        self._issuer = issuer.rstrip("/")
        self._jwks_url = jwks_url
        self._allow_loopback_http = allow_loopback_http
        self._fetch = fetch or (
            lambda url, deadline: fetch_json(url, deadline, allow_loopback_http=allow_loopback_http)
        )
        self._clock = clock  # the cache's and backoff's time; the deadline is always real time
        self._deadline_seconds = deadline_seconds
        self._keys: dict[str | None, RsaKey] | None = None
        self._fetched_at: float | None = None
        self._problem: str | None = None  # why the last fetch failed; None after a success
        self._failures = 0
        self._retry_at = -math.inf

    def key(self, kid: str | None) -> RsaKey:
        if self._keys is None:
            self._refresh()
        key = self._lookup(kid)
        if key is None and self._may_refresh():
            self._refresh()
            key = self._lookup(kid)
        if key is None:
            if self._problem is not None:  # perhaps rotated, but the issuer cannot say: unknown, not 401
                raise KeysUnavailable(self._problem)
            raise InvalidToken("the token's signing key is not one of the issuer's keys")
        return key

    def _lookup(self, kid: str | None) -> RsaKey | None:
        keys = self._keys or {}
        if kid is None:
            # A token without a key id is acceptable only while the issuer publishes one key.
            return next(iter(keys.values())) if len(keys) == 1 else None
        return keys.get(kid)

    def _may_refresh(self) -> bool:
        now = self._clock()
        if self._problem is not None:
            return now >= self._retry_at
        return self._fetched_at is None or now - self._fetched_at >= REFRESH_INTERVAL_SECONDS

    def _refresh(self) -> None:
        """Fetches the key set, or raises KeysUnavailable (at once while backing off after a failure)."""
        now = self._clock()
        if self._problem is not None and now < self._retry_at:
            if self._keys is None:
                raise KeysUnavailable(self._problem)
            return
        self._fetched_at = now
        try:
            self._keys = self._fetch_keys(time.monotonic() + self._deadline_seconds)
        except KeysUnavailable as error:
            self._failures += 1
            backoff = FAILURE_BACKOFF_SECONDS * 2 ** min(self._failures - 1, 16)
            self._retry_at = now + min(backoff, FAILURE_BACKOFF_MAX_SECONDS)
            self._problem = str(error)
            if self._keys is None:
                raise
            return
        self._problem, self._failures, self._retry_at = None, 0, -math.inf

    def _fetch_keys(self, deadline: float) -> dict[str | None, RsaKey]:
        url = self._jwks_url or self._discover(deadline)
        checked_url(url, allow_loopback_http=self._allow_loopback_http)
        document = self._fetch(url, deadline)
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            raise KeysUnavailable(f"{url} has no key list")
        self._jwks_url = url
        return usable_keys(keys)

    def _discover(self, deadline: float) -> str:
        url = self._issuer + DISCOVERY_PATH
        checked_url(url, allow_loopback_http=self._allow_loopback_http)
        configuration = self._fetch(url, deadline)
        uri = configuration.get("jwks_uri") if isinstance(configuration, dict) else None
        if not isinstance(uri, str) or not uri:
            raise KeysUnavailable(f"{url} names no jwks_uri")
        return uri


def usable_keys(jwks: list) -> dict[str | None, RsaKey]:
    """The RS256 signing keys of a key set by key id; entries of any other kind or shape are ignored."""
    keys: dict[str | None, RsaKey] = {}
    for jwk in jwks:
        if not isinstance(jwk, dict):
            continue
        kid = jwk.get("kid")
        if not (kid is None or isinstance(kid, str)):
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        try:
            keys[kid] = RsaKey.from_jwk(jwk)
        except InvalidToken:  # not RSA, malformed, too weak or too large
            continue
    return keys
