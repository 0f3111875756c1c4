"""JWT bearer tokens on writes: the same answers for ALB and HTTP API events, keys from a real local issuer."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from functions.api import contract, runtime
from functions.api.access.jwks import REFRESH_INTERVAL_SECONDS
from tests.support.api_client import Api
from tests.support.api_events import SHAPES
from tests.support.jwt_issuer import AUDIENCE, OMIT, local_issuer, new_key


@pytest.fixture(scope="module")
def issuer():
    with local_issuer() as running:
        yield running


@pytest.fixture
def auth(aws, issuer, monkeypatch):
    """Installs a runtime with auth on; returns a function that reinstalls it with other settings."""

    def install(protect_reads=False, scopes=""):
        monkeypatch.setenv(contract.ENV_AUTH_ISSUER, issuer.url)
        monkeypatch.setenv(contract.ENV_AUTH_AUDIENCE, AUDIENCE)
        monkeypatch.setenv(contract.ENV_AUTH_PROTECT_READS, "true" if protect_reads else "false")
        monkeypatch.setenv(contract.ENV_AUTH_SCOPES, scopes)
        issuer.requests.clear()
        keys = issuer.key_source()  # plain http on 127.0.0.1: the test seam (production takes https only)
        runtime.use_runtime(runtime.build_runtime(dynamodb_client=aws.dynamodb, ssm_client=aws.ssm, keys=keys))

    install()
    return install


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def answer(response) -> tuple:
    return response.status, response.body, response.headers.get("www-authenticate")


@pytest.mark.parametrize("shape", SHAPES)
def test_a_valid_token_writes_and_deletes(auth, issuer, shape):
    api, token = Api(shape), issuer.token()
    assert api.put("/items/a", {"v": 1}, headers=bearer(token)).status == 201
    assert api.delete("/items/a", headers=bearer(token)).status == 204


@pytest.mark.parametrize("shape", SHAPES)
def test_no_token_is_401_with_a_bearer_challenge_and_nothing_written(auth, aws, shape):
    response = Api(shape).put("/items/a", {"v": 1})
    assert response.status == 401 and response.headers["www-authenticate"] == 'Bearer realm="global-serverless"'
    assert "bearer token" in response.body["error"] and aws.stored("a") is None


def forged_none(issuer) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    claims = json.dumps({"iss": issuer.url, "aud": AUDIENCE, "exp": 9999999999}).encode()
    return f"{header}.{base64.urlsafe_b64encode(claims).rstrip(b'=').decode()}.x"


BAD_TOKENS = {
    "wrong audience": lambda i: i.token(audience="someone-else"),
    "expired": lambda i: i.token(expires_in=-3600),
    "other issuer": lambda i: i.token(issuer="https://evil.example"),
    "bad signature": lambda i: i.token(key=new_key()),  # same kid, another key
    "alg none": forged_none,
    "hs256 with the public key as secret": lambda i: jwt.encode(
        {"iss": i.url, "aud": AUDIENCE, "exp": 9999999999}, "secret", algorithm="HS256", headers={"kid": "key-1"}
    ),
    "unknown kid": lambda i: i.token(kid="key-404", key=new_key()),
    "not a jwt": lambda i: "not-a-jwt",
    "not yet valid": lambda i: i.token(nbf=9999999999),
    "crit names an extension": lambda i: i.token(headers={"crit": ["exp"], "exp": 9999999999}),
    "padded base64": lambda i: i.token().replace(".", "=.", 1),
    "cognito access token for another app client": lambda i: i.cognito_access_token(client_id="another-client"),
    "cognito id token for another app client": lambda i: i.cognito_id_token(client_id="another-client"),
    "aud for another, client_id for this api": lambda i: i.token(audience="someone-else", client_id=AUDIENCE),
    "neither aud nor client_id": lambda i: i.token(audience=OMIT),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_an_untrustworthy_token_is_401_invalid_token_the_same_for_every_shape(auth, issuer, aws, case):
    token = BAD_TOKENS[case](issuer)
    answers = {shape: answer(Api(shape).put("/items/a", {"v": 1}, headers=bearer(token))) for shape in SHAPES}
    (status, body, challenge), *others = answers.values()
    assert all(other == (status, body, challenge) for other in others), answers
    assert status == 401 and 'error="invalid_token"' in challenge and aws.stored("a") is None


def test_a_token_without_a_required_scope_is_403(auth, issuer):
    auth(scopes="items:write")
    for shape in SHAPES:
        response = Api(shape).put("/items/a", {"v": 1}, headers=bearer(issuer.token(scope="items:read")))
        assert response.status == 403
        assert response.headers["www-authenticate"] == (
            'Bearer realm="global-serverless", error="insufficient_scope", scope="items:write"'
        )
        assert Api(shape).put(
            "/items/a", {"v": 1}, headers=bearer(issuer.token(scope="items:read items:write"))
        ).status in (200, 201)
        assert Api(shape).put("/items/b", {"v": 1}, headers=bearer(issuer.token(scp=["items:write"]))).status in (
            200,
            201,
        )


@pytest.mark.parametrize("shape", SHAPES)
def test_reads_and_health_stay_open_unless_reads_are_protected(auth, issuer, shape):
    api = Api(shape)
    assert api.get("/items/a").status == 404 and api.get("/health").status == 200
    auth(protect_reads=True)
    assert api.get("/items/a").status == 401
    assert api.get("/items/a", headers=bearer(issuer.token())).status == 404
    assert api.get("/health").status == 200


def test_keys_are_fetched_once_per_container_and_again_only_for_an_unknown_key(auth, aws, issuer, clock):
    keys = issuer.key_source(clock=clock)
    runtime.use_runtime(runtime.build_runtime(dynamodb_client=aws.dynamodb, ssm_client=aws.ssm, keys=keys))
    api = Api("http")
    for _ in range(3):
        api.put("/items/a", {"v": 1}, headers=bearer(issuer.token()))
    assert issuer.requests == ["/.well-known/openid-configuration", "/keys"]
    issuer.rotate("key-2")  # the issuer starts signing with a new key
    clock.advance(REFRESH_INTERVAL_SECONDS)
    assert api.put("/items/a", {"v": 2}, headers=bearer(issuer.token(kid="key-2"))).status == 200
    assert issuer.requests[-1] == "/keys"
    fetched = len(issuer.requests)
    for _ in range(3):  # forged key ids do not make the function refetch within the interval
        assert api.put("/items/a", {"v": 3}, headers=bearer(issuer.token(kid="key-9", key=new_key()))).status == 401
    assert len(issuer.requests) == fetched


def test_an_unreachable_issuer_is_503_never_401(auth, issuer):
    issuer.down = True
    try:
        response = Api("alb").put("/items/a", {"v": 1}, headers=bearer(issuer.token()))
    finally:
        issuer.down = False
    assert response.status == 503 and response.headers.get("retry-after") == "1"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", ["cognito_access_token", "cognito_id_token"])
def test_amazon_cognito_access_and_id_tokens_write_as_with_api_gateways_authorizer(auth, issuer, shape, kind):
    """A Cognito access token has `client_id` and no `aud`: API Gateway's JWT authorizer checks client_id
    when aud is absent, and so does the function (the audience setting is the app client id)."""
    token = getattr(issuer, kind)()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert ("aud" in claims) == (kind == "cognito_id_token") and claims["token_use"] in ("access", "id")
    api = Api(shape)
    assert api.put("/items/a", {"v": 1}, headers=bearer(token)).status == 201
    assert api.delete("/items/a", headers=bearer(token)).status == 204
