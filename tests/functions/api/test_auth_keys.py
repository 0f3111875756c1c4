"""The issuer's keys under faults: every broken answer is 503 (keys unavailable) within the fetch
deadline, never the catch-all's "internal error"; failures are cached with a backoff; https only.

The issuer is real HTTP on 127.0.0.1 (tests/support/jwt_issuer.py); faults write raw bytes."""

from __future__ import annotations

import json
import time

import pytest

from components.regional.function_settings import FUNCTION_TIMEOUT_SECONDS
from functions.api import runtime
from functions.api.access import jwks
from functions.api.access.jwks import (
    FAILURE_BACKOFF_MAX_SECONDS,
    FAILURE_BACKOFF_SECONDS,
    FETCH_DEADLINE_SECONDS,
    KeySource,
    KeysUnavailable,
)
from functions.api.runtime import CHAOS_CLIENT_CONFIG
from tests.support.api_client import Api
from tests.support.jwt_issuer import local_issuer, new_key, public_jwk

SLACK_SECONDS = 1.0  # scheduling on a busy test machine; far below any trickle below
DISCOVERY = "/.well-known/openid-configuration"


@pytest.fixture
def issuer():
    with local_issuer() as running:
        yield running


@pytest.fixture
def install(aws, issuer, monkeypatch):
    """Installs a runtime with auth on and the given key source (default: the issuer's, real clock)."""
    from functions.api import contract
    from tests.support.jwt_issuer import AUDIENCE

    monkeypatch.setenv(contract.ENV_AUTH_ISSUER, issuer.url)
    monkeypatch.setenv(contract.ENV_AUTH_AUDIENCE, AUDIENCE)

    def installing(keys: KeySource | None = None) -> KeySource:
        keys = keys or issuer.key_source()
        runtime.use_runtime(runtime.build_runtime(dynamodb_client=aws.dynamodb, ssm_client=aws.ssm, keys=keys))
        return keys

    return installing


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def write(running, **token_options):
    return Api("alb").put("/items/a", {"v": 1}, headers=bearer(running.token(**token_options)))


def assert_keys_unavailable(response) -> None:
    assert response.status == 503, (response.status, response.body)
    assert response.body["error"] != "internal error"
    assert "cannot be checked" in response.body["error"] and response.headers.get("retry-after")


# Raw answers ------------------------------------------------------------------------------------------


def send(handler, data: bytes) -> None:
    handler.wfile.write(data)
    handler.wfile.flush()


def trickle(handler, stop, data: bytes, every: float = 0.5) -> None:
    """One byte every `every` seconds; 20 bytes at 0.5 s outlast the old per-read 2 s timeout 5 times."""
    for byte in data:
        if stop.wait(every):
            return
        send(handler, bytes([byte]))


def trickled_body(handler, stop):
    send(handler, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n")
    trickle(handler, stop, b'{"keys": []}        ')


def trickled_headers(handler, stop):
    send(handler, b"HTTP/1.1 200 OK\r\n")
    trickle(handler, stop, b"X-Slow: aaaaaaaaaaaaaa")


def trickled_chunks(handler, stop):
    send(handler, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(20):
        if stop.wait(0.5):
            return
        send(handler, b"1\r\n \r\n")


def answer(status_line: bytes, body: bytes, *headers: bytes) -> callable:
    def answering(handler, stop):
        send(handler, status_line + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body)

    return answering


def json_answer(document) -> callable:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return answer(b"HTTP/1.1 200 OK", data, b"Content-Length: %d" % len(data))


TRICKLES = {"body": trickled_body, "headers": trickled_headers, "chunks": trickled_chunks}

BROKEN_ANSWERS = {
    "garbled status line": answer(b"HTTX/1.1 two hundred", b"{}"),
    "truncated chunked body": answer(b"HTTP/1.1 200 OK", b'100\r\n{"keys": [', b"Transfer-Encoding: chunked"),
    "short content-length body": answer(b"HTTP/1.1 200 OK", b'{"keys": [', b"Content-Length: 400"),
    "bad chunk size": answer(b"HTTP/1.1 200 OK", b"zz\r\n{}\r\n0\r\n\r\n", b"Transfer-Encoding: chunked"),
    "header line too long": answer(b"HTTP/1.1 200 OK", b"{}", b"X-Long: " + b"a" * 70_000),
    "too many headers": answer(b"HTTP/1.1 200 OK", b"{}", *[b"X-H%d: 1" % i for i in range(120)]),
    "status 500": answer(b"HTTP/1.1 500 Internal Server Error", b"{}", b"Content-Length: 2"),
    "status 200 then nothing": answer(b"HTTP/1.1 200 OK", b""),
    "deeply nested JSON": json_answer(b"[" * 200_000),
    "deeply nested objects": json_answer(b'{"a":' * 100_000),
    "not JSON": json_answer(b"<html>keys</html>"),
    "not UTF-8": json_answer(b'{"keys": ["\xff\xfe"]}'),
    "NaN": json_answer(b'{"keys": NaN}'),
    "too large (declared)": answer(b"HTTP/1.1 200 OK", b"{}", b"Content-Length: 10000000"),
    "too large (undeclared)": answer(
        b"HTTP/1.1 200 OK", b'{"keys": [], "pad": "' + b"x" * (jwks.MAX_DOCUMENT_BYTES + 10) + b'"}'
    ),
    "a list, not an object": json_answer([{"kty": "RSA"}]),
    "keys not a list": json_answer({"keys": {"kid": "key-1"}}),
    "no keys": json_answer({"issuer": "x"}),
}


# The deadline -----------------------------------------------------------------------------------------


def test_the_fetch_deadline_fits_the_function_timeout_beside_the_other_reads():
    """A request may read the chaos parameter and the origin secrets (SSM, one attempt each, connect +
    read timeouts) before its token is checked; the key fetch's whole deadline comes on top, and the
    answer must still be sent before Lambda's timeout kills the invocation (half a second to spare)."""
    ssm_read = CHAOS_CLIENT_CONFIG.connect_timeout + CHAOS_CLIENT_CONFIG.read_timeout
    assert 2 * ssm_read + FETCH_DEADLINE_SECONDS <= FUNCTION_TIMEOUT_SECONDS - 0.5
    assert FAILURE_BACKOFF_SECONDS >= FETCH_DEADLINE_SECONDS and FAILURE_BACKOFF_MAX_SECONDS >= FAILURE_BACKOFF_SECONDS


@pytest.mark.parametrize("where", list(TRICKLES))
@pytest.mark.parametrize("path", [DISCOVERY, "/keys"])
def test_a_trickling_issuer_is_503_by_the_fetch_deadline(install, issuer, where, path):
    install()
    issuer.faults[path] = TRICKLES[where]
    started = time.monotonic()
    response = write(issuer)
    elapsed = time.monotonic() - started
    assert_keys_unavailable(response)
    assert elapsed <= FETCH_DEADLINE_SECONDS + SLACK_SECONDS, elapsed


def slow(seconds: float, then) -> callable:
    def answering(handler, stop):
        if not stop.wait(seconds):
            then(handler, stop)

    return answering


def test_one_deadline_covers_discovery_and_keys_together(install, issuer):
    """Each answer alone comes within the deadline; both together do not: 503, by the deadline."""
    install()
    each = FETCH_DEADLINE_SECONDS * 0.7
    issuer.faults[DISCOVERY] = slow(each, json_answer({"issuer": issuer.url, "jwks_uri": f"{issuer.url}/keys"}))
    issuer.faults["/keys"] = slow(each, json_answer(issuer.jwks()))
    started = time.monotonic()
    response = write(issuer)
    elapsed = time.monotonic() - started
    assert_keys_unavailable(response)
    assert elapsed <= FETCH_DEADLINE_SECONDS + SLACK_SECONDS, elapsed


# Broken answers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(BROKEN_ANSWERS))
@pytest.mark.parametrize("path", [DISCOVERY, "/keys"])
def test_a_broken_issuer_answer_is_503_never_internal_error(install, issuer, case, path):
    install()
    issuer.faults[path] = BROKEN_ANSWERS[case]
    started = time.monotonic()
    assert_keys_unavailable(write(issuer))
    assert time.monotonic() - started <= FETCH_DEADLINE_SECONDS + SLACK_SECONDS


@pytest.mark.parametrize(
    "discovery",
    [
        {"jwks_uri": ["http://127.0.0.1/keys"]},
        {"jwks_uri": ""},
        {"jwks_uri": "not a url"},
        {"jwks_uri": "ftp://127.0.0.1/keys"},
        {"jwks_uri": "http://issuer.example/keys"},  # plain http beyond the loopback seam
        {"jwks_uri": "https://127.0.0.1:1/keys"},  # nothing listens there
    ],
)
def test_a_discovery_document_without_a_usable_jwks_uri_is_503(install, issuer, discovery):
    install()
    issuer.faults[DISCOVERY] = json_answer(discovery)
    assert_keys_unavailable(write(issuer))


def test_an_issuer_that_closes_the_connection_is_503(install, issuer):
    install()
    issuer.faults["/keys"] = lambda handler, stop: None
    assert_keys_unavailable(write(issuer))


# Keys of the wrong shape are ignored ------------------------------------------------------------------


WRONG_KEYS = [
    {"kid": ["key-1"]},
    {"kid": {"a": 1}},
    {"kid": 7},
    {"kid": "bad-n", "n": 12345},
    {"kid": "bad-e", "e": ["AQAB"]},
    {"kid": "bad-kty", "kty": ["RSA"]},
    {"kid": "bad-use", "use": ["sig"]},
    {"kid": "enc", "use": "enc"},
    {"kid": "bad-alg", "alg": "HS256"},
    {"kid": "bad-b64", "n": "!!!!"},
    {"kid": "huge-n", "n": "_" * 4000},
    {"kid": "huge-e", "e": "_" * 40},
    "not an object",
    None,
    ["a", "list"],
]


def test_keys_whose_fields_have_the_wrong_type_are_ignored(install, issuer):
    good = public_jwk(issuer.keys["key-1"], "key-1")
    base = public_jwk(new_key(), "other")
    wrong = [{**base, **patch} if isinstance(patch, dict) else patch for patch in WRONG_KEYS]
    issuer.faults["/keys"] = json_answer({"keys": [*wrong, good]})
    install()
    assert write(issuer).status == 201
    for kid in ("bad-n", "bad-e", "huge-n", "enc", "bad-alg"):  # listed but unusable: like an unknown key
        response = write(issuer, kid=kid, key=new_key())
        assert response.status == 401, (kid, response.body)


def test_a_key_set_of_only_wrong_keys_refuses_tokens_but_is_no_internal_error(install, issuer):
    issuer.faults["/keys"] = json_answer({"keys": [{"kid": ["key-1"], "kty": "RSA"}]})
    install()
    assert write(issuer).status == 401


# Negative caching -------------------------------------------------------------------------------------


def test_a_failing_issuer_is_asked_at_most_once_per_backoff_interval(install, issuer, clock):
    install(issuer.key_source(clock=clock))
    issuer.down = True
    for _ in range(5):
        assert_keys_unavailable(write(issuer))
    assert issuer.requests == [DISCOVERY]
    clock.advance(FAILURE_BACKOFF_SECONDS - 0.1)
    assert_keys_unavailable(write(issuer))
    assert len(issuer.requests) == 1
    clock.advance(0.1)
    assert_keys_unavailable(write(issuer))
    assert len(issuer.requests) == 2
    clock.advance(FAILURE_BACKOFF_SECONDS)  # the second failure doubled the interval
    assert_keys_unavailable(write(issuer))
    assert len(issuer.requests) == 2
    clock.advance(FAILURE_BACKOFF_SECONDS)
    assert_keys_unavailable(write(issuer))
    assert len(issuer.requests) == 3
    issuer.down = False
    clock.advance(FAILURE_BACKOFF_MAX_SECONDS)
    assert write(issuer).status == 201
    assert issuer.requests[-2:] == [DISCOVERY, "/keys"]


def test_the_backoff_stops_growing_at_its_maximum(issuer, clock):
    keys = issuer.key_source(clock=clock)
    issuer.down = True
    for _ in range(12):
        with pytest.raises(KeysUnavailable):
            keys.key("key-1")
        clock.advance(FAILURE_BACKOFF_MAX_SECONDS)
    assert len(issuer.requests) == 12  # one fetch per maximum interval, however long the outage


def test_keys_read_before_keep_verifying_while_the_issuer_is_down(install, issuer, clock):
    install(issuer.key_source(clock=clock))
    assert write(issuer).status == 201
    issuer.down = True
    issuer.rotate("key-2")
    clock.advance(jwks.REFRESH_INTERVAL_SECONDS)
    assert write(issuer).status == 200  # the cached key-1
    # A key id the cache lacks while the refresh fails: the outcome is unknown, not unauthorised...
    assert_keys_unavailable(write(issuer, kid="key-2"))
    fetched = len(issuer.requests)
    for _ in range(3):  # ...and the failed refresh is not retried before the backoff
        assert_keys_unavailable(write(issuer, kid="key-2"))
        assert write(issuer).status == 200
    assert len(issuer.requests) == fetched
    issuer.down = False
    clock.advance(FAILURE_BACKOFF_SECONDS)
    assert write(issuer, kid="key-2").status == 200


# https only -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer_url", "jwks_url"),
    [
        ("http://issuer.example", None),
        ("https://issuer.example", "http://issuer.example/keys"),
        ("http://127.0.0.1:1", None),  # loopback too, without the test seam
    ],
)
def test_production_key_sources_refuse_plain_http_without_a_request(issuer_url, jwks_url):
    calls = []
    keys = KeySource(issuer_url, jwks_url, fetch=lambda url, deadline: calls.append(url))
    with pytest.raises(KeysUnavailable, match="https"):
        keys.key("key-1")
    assert calls == []


def test_the_loopback_seam_allows_http_on_127_0_0_1_only():
    with pytest.raises(KeysUnavailable, match="https"):
        KeySource("http://issuer.example", allow_loopback_http=True, fetch=lambda url, deadline: {}).key("k")


@pytest.mark.parametrize(
    "options",
    [{"issuer": "https://evil.example"}, {"audience": "someone-else"}, {"expires_in": -3600}],
    ids=["other issuer", "other audience", "expired"],
)
def test_a_token_its_claims_refuse_is_401_without_asking_the_issuer(install, issuer, options):
    install()
    issuer.down = True
    response = write(issuer, **options)
    assert response.status == 401 and 'error="invalid_token"' in response.headers["www-authenticate"]
    assert issuer.requests == []
