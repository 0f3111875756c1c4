"""The function's RS256 verifier against tokens PyJWT signs (an independent implementation)."""

import base64
import json
import time

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jwt.algorithms import RSAAlgorithm

from functions.api.tokens import InvalidToken, RsaKey, check_claims, granted_scopes, parse, verify_signature
from tests.support.jwt_issuer import new_key

KEY = new_key()
PUBLIC = RsaKey.from_jwk(json.loads(RSAAlgorithm.to_jwk(KEY.public_key())))
NOW = time.time()  # claims checks take "now" as an argument: fixed here, so no test depends on timing
CLAIMS = {"iss": "https://issuer.example", "aud": "api", "exp": int(NOW) + 3600, "scope": "a b"}


def signed(claims=CLAIMS, key=KEY, algorithm="RS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": "k"})


@pytest.mark.parametrize("bits", [2048, 3072, 4096])
def test_a_token_pyjwt_signed_verifies(bits):
    key = new_key(bits)
    token = parse(signed(key=key))
    verify_signature(token, RsaKey.from_jwk(json.loads(RSAAlgorithm.to_jwk(key.public_key()))))
    assert token.key_id == "k" and token.claims["aud"] == "api"


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_changing_any_byte_of_the_signed_text_or_signature_fails(data):
    raw = signed()
    head, body, signature = raw.split(".")
    part = data.draw(st.sampled_from(["body", "signature"]))
    text = body if part == "body" else signature
    index = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))
    changed = text[:index] + replacement + text[index + 1 :]
    if _decoded(changed) == _decoded(text):
        return  # the same bytes (a padding bit of the last character): nothing was changed
    tampered = f"{head}.{changed}.{signature}" if part == "body" else f"{head}.{body}.{changed}"
    with pytest.raises(InvalidToken):
        verify_signature(parse(tampered), PUBLIC)


def _decoded(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_only_rs256_is_accepted():
    for algorithm, key in (("HS256", "secret"), ("RS512", KEY), ("PS256", KEY)):
        with pytest.raises(InvalidToken, match="must be RS256"):
            parse(signed(key=key, algorithm=algorithm))


def test_a_weak_key_is_refused():
    weak = json.loads(RSAAlgorithm.to_jwk(new_key(1024).public_key()))
    with pytest.raises(InvalidToken, match="too weak"):
        RsaKey.from_jwk(weak)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({**CLAIMS, "iss": "https://other"}, "another issuer"),
        ({**CLAIMS, "aud": ["x", "y"]}, "another audience"),
        ({k: v for k, v in CLAIMS.items() if k != "exp"}, "no expiry"),
        ({**CLAIMS, "exp": NOW - 61}, "expired"),
        ({**CLAIMS, "nbf": NOW + 61}, "not valid yet"),
    ],
)
def test_claims_are_checked_with_a_minute_of_leeway(claims, message):
    with pytest.raises(InvalidToken, match=message):
        check_claims(claims, "https://issuer.example", "api", NOW, 60)
    within = {**CLAIMS, "aud": ["x", "api"], "exp": NOW - 30, "nbf": NOW + 30}
    check_claims(within, "https://issuer.example", "api", NOW, 60)


def test_scopes_come_from_scope_or_scp():
    assert granted_scopes({"scope": "a b"}) == {"a", "b"}
    assert granted_scopes({"scp": ["c"]}) == {"c"} and granted_scopes({"scp": "d e"}) == {"d", "e"}
    assert granted_scopes({}) == frozenset()
