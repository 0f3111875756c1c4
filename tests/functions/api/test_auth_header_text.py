"""Header values that are not valid text (lone surrogates, control characters, anything at all):
the token check answers 401 and the origin guard 403, never 503 and never the catch-all's "internal
error", even while the issuer or SSM is down (a value that cannot match needs neither to refuse it)."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.api import contract, runtime
from functions.api.access.origin_guard import OriginGuard, SecretsUnavailable, Verdict
from tests.support.api_client import Api
from tests.support.api_events import SHAPES
from tests.support.jwt_issuer import AUDIENCE, local_issuer

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


RS256_HEADER = b64(json.dumps({"alg": "RS256", "kid": "key-1"}).encode())
LIST_KID = b64(json.dumps({"alg": "RS256", "kid": ["key-1"]}).encode())
SURROGATE_KID = b64(b'{"alg": "RS256", "kid": "\\ud800"}')
NESTED = b64(b"[" * 5000)

NASTY_AUTHORIZATION = [
    "\ud800",
    "Bearer \ud800",
    "Bearer \udcff.\udcff.\udcff",
    f"Bearer {RS256_HEADER}.\ud800.x",
    f"Bearer {RS256_HEADER}.e30.\ud800",
    f"Bearer {RS256_HEADER}\ud800.e30.AA",
    "Bearer a.b.c\x00",
    "Bearer \x00\x01\x02",
    "Bearer é.é.é",
    "Bearer ＡＡＡＡ.ＡＡＡＡ.ＡＡＡＡ",  # fullwidth letters: not base64url
    "Bearer " + "A" * 20_000,
    f"Bearer {LIST_KID}.e30.AA",
    f"Bearer {SURROGATE_KID}.e30.AA",
    f"Bearer {NESTED}.e30.AA",
]


@pytest.fixture(scope="module")
def issuer():
    with local_issuer() as running:
        yield running


@pytest.fixture
def auth_on(aws, issuer, monkeypatch):
    monkeypatch.setenv(contract.ENV_AUTH_ISSUER, issuer.url)
    monkeypatch.setenv(contract.ENV_AUTH_AUDIENCE, AUDIENCE)
    issuer.down = True  # nothing here may need the keys to be refused
    runtime.use_runtime(
        runtime.build_runtime(dynamodb_client=aws.dynamodb, ssm_client=aws.ssm, keys=issuer.key_source())
    )
    yield
    issuer.down = False


def assert_refused_401(response) -> None:
    assert response.status == 401, (response.status, response.body)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("value", NASTY_AUTHORIZATION)
def test_an_authorization_value_that_is_not_a_token_is_401_even_with_the_issuer_down(auth_on, shape, value):
    assert_refused_401(Api(shape).put("/items/a", {"v": 1}, headers={"Authorization": value}))


@PROPERTY_SETTINGS
@given(value=st.text(st.characters(codec=None, exclude_categories=()), max_size=60))
def test_any_authorization_text_is_401_never_5xx(auth_on, value):
    for prefix in ("Bearer ", ""):
        response = Api("http").put("/items/a", {"v": 1}, headers={"Authorization": prefix + value})
        assert response.status == 401, (prefix + value, response.status, response.body)


class UnreadableSecrets:
    def current(self):
        raise SecretsUnavailable("SSM is down")

    def refresh_early(self):
        return False


@pytest.mark.parametrize("value", ["\ud800", "x\udfff", "\udcff" * 40])
def test_an_origin_value_that_is_not_valid_text_is_refused_even_while_ssm_is_down(value):
    guard = OriginGuard(source=UnreadableSecrets())
    assert guard.check(value) is Verdict.REFUSE
    assert guard.check("a plausible value") is Verdict.UNKNOWN  # what the outage answers otherwise (503)


@PROPERTY_SETTINGS
@given(value=st.text(st.characters(codec=None, exclude_categories=()), max_size=60))
def test_any_origin_text_is_refused_or_unknown_never_an_error(value):
    assert OriginGuard(("the-secret",)).check(value) in (Verdict.REFUSE, Verdict.SERVE)
    assert OriginGuard(source=UnreadableSecrets()).check(value) in (Verdict.REFUSE, Verdict.UNKNOWN)
