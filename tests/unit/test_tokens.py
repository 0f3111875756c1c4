"""The function's RS256 verifier against tokens PyJWT signs (an independent implementation)."""

import base64
import json
import time

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jwt.algorithms import RSAAlgorithm

from functions.api.access.tokens import InvalidToken, RsaKey, check_claims, granted_scopes, parse, verify_signature
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
    if changed == text:
        return
    # Strict base64url: a last character that differs only in its unused bits is refused too.
    tampered = f"{head}.{changed}.{signature}" if part == "body" else f"{head}.{body}.{changed}"
    with pytest.raises(InvalidToken):
        verify_signature(parse(tampered), PUBLIC)


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


# The token rules of RFC 7515/7519 and of API Gateway's JWT authorizer ------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def resigned(header: dict | bytes, claims: dict | bytes = CLAIMS, key=KEY) -> str:
    """A token with exactly these header and claims bytes, signed RS256 (PyJWT signs the bytes)."""
    head = b64(header if isinstance(header, bytes) else json.dumps(header).encode())
    body = b64(claims if isinstance(claims, bytes) else json.dumps(claims).encode())
    signing_input = f"{head}.{body}".encode()
    signature = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).sign(signing_input, key)
    return f"{head}.{body}.{b64(signature)}"


HEADER = {"alg": "RS256", "typ": "JWT", "kid": "k"}


def test_the_resigning_helper_makes_good_tokens():
    verify_signature(parse(resigned(HEADER)), PUBLIC)


@pytest.mark.parametrize("crit", [["exp"], ["b64"], ["https://example.com/ext"], [], "exp", None])
def test_a_crit_header_is_refused_the_function_understands_no_extension(crit):
    """RFC 7515 4.1.11: a recipient that does not understand a listed extension must refuse the JWS."""
    with pytest.raises(InvalidToken, match="crit"):
        parse(resigned({**HEADER, "crit": crit, "exp": 1}))
    with pytest.raises(InvalidToken, match="crit"):
        parse(signed_with_headers({"crit": ["exp"], "exp": 1}))


def signed_with_headers(headers: dict) -> str:
    return jwt.encode(CLAIMS, KEY, algorithm="RS256", headers={"kid": "k", **headers})


def _with_part(token: str, index: int, part: str) -> str:
    parts = token.split(".")
    parts[index] = part
    return ".".join(parts)


def _last_char_bits_flipped(part: str) -> str:
    """The same bytes, written with a non-zero unused bit in the last character (non-canonical)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused = {2: 4, 3: 2}[len(part) % 4]  # characters left over -> unused low bits in the last one
    last = alphabet.index(part[-1])
    assert last % (1 << unused) == 0
    return part[:-1] + alphabet[last + 1]


@pytest.mark.parametrize("index", [0, 1, 2])
@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda p: p + "=" * (-len(p) % 4 or 4), id="padding"),
        pytest.param(lambda p: p + "=" * (-len(p) % 4) + "AAAA", id="trailing-data-after-padding"),
        pytest.param(lambda p: p + "==AA", id="junk-after-padding"),
        pytest.param(lambda p: p + "A" * ((1 - len(p)) % 4 or 4), id="length-1-mod-4"),
        pytest.param(lambda p: p.replace("-", "+").replace("_", "/") + "+/", id="standard-alphabet"),
        pytest.param(lambda p: p[:4] + " " + p[4:], id="whitespace"),
        pytest.param(lambda p: p[:4] + "\n" + p[4:], id="newline"),
        pytest.param(lambda p: p[:4] + "!" + p[4:], id="punctuation"),
    ],
)
def test_base64url_is_decoded_strictly(index, spoil):
    token = resigned(HEADER, {**CLAIMS, "pad": "x"})
    part = token.split(".")[index]
    with pytest.raises(InvalidToken, match="not a JWT"):
        parse(_with_part(token, index, spoil(part)))


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_non_canonical_last_character_is_refused(index):
    # Header, claims and signature each sized so their base64url leaves unused bits in the last character.
    for pad in ("", "x", "xx"):
        token = resigned({**HEADER, "p": pad}, {**CLAIMS, "p": pad})
        part = token.split(".")[index]
        if len(part) % 4 in (2, 3):
            break
    else:
        pytest.skip("no part with unused bits")
    with pytest.raises(InvalidToken, match="not a JWT"):
        parse(_with_part(token, index, _last_char_bits_flipped(part)))


HEADER_BYTES, CLAIMS_BYTES = json.dumps(HEADER).encode(), json.dumps(CLAIMS).encode()
NOT_PLAIN = {
    "duplicate header member": (b'{"alg": "RS256", "alg": "none"}', CLAIMS_BYTES),  # RFC 7515 4
    "duplicate claim": (HEADER_BYTES, b'{"aud": "api", "aud": "other", "iss": "https://issuer.example"}'),
    "utf-16 header": (json.dumps(HEADER).encode("utf-16"), CLAIMS_BYTES),  # JSON, but not UTF-8
    "NaN": (HEADER_BYTES, b'{"exp": NaN}'),
    "Infinity": (HEADER_BYTES, b'{"exp": Infinity}'),
    "1e400": (HEADER_BYTES, b'{"exp": 1e400}'),  # overflows to infinity
    "byte-order mark": (b"\xef\xbb\xbf" + HEADER_BYTES, CLAIMS_BYTES),
    "kid list": (json.dumps({**HEADER, "kid": ["k"]}).encode(), CLAIMS_BYTES),
    "kid number": (json.dumps({**HEADER, "kid": 7}).encode(), CLAIMS_BYTES),
    "kid not text": (b'{"alg": "RS256", "kid": "\\ud800"}', CLAIMS_BYTES),  # a lone surrogate, JSON-escaped
    "nested header": (b"[" * 5000, CLAIMS_BYTES),
    "nested claims": (HEADER_BYTES, b'{"a":' * 5000),
}


@pytest.mark.parametrize("case", list(NOT_PLAIN))
def test_header_and_claims_must_be_plain_utf8_json_objects_with_string_key_ids(case):
    header, claims = NOT_PLAIN[case]
    with pytest.raises(InvalidToken):
        parse(resigned(header, claims))


def test_a_far_future_integer_expiry_is_no_overflow():
    check_claims({**CLAIMS, "exp": 10**400, "nbf": -(10**400)}, "https://issuer.example", "api", NOW, 60)
    with pytest.raises(InvalidToken, match="expired"):
        check_claims({**CLAIMS, "exp": -(10**400)}, "https://issuer.example", "api", NOW, 60)


def test_iat_in_the_future_beyond_the_leeway_is_refused_as_api_gateway_does():
    check_claims({**CLAIMS, "iat": NOW + 30}, "https://issuer.example", "api", NOW, 60)
    for iat in (NOW + 61, "yesterday", True):
        with pytest.raises(InvalidToken, match="issued"):
            check_claims({**CLAIMS, "iat": iat}, "https://issuer.example", "api", NOW, 60)


def audience_of(**claims) -> dict:
    base = {k: v for k, v in CLAIMS.items() if k != "aud"}
    return {**base, **claims}


@pytest.mark.parametrize(
    "claims",
    [
        audience_of(aud="api"),
        audience_of(aud=["other", "api"]),
        audience_of(client_id="api"),  # an Amazon Cognito access token: client_id, no aud
        audience_of(aud="api", client_id="another-client"),  # aud present: client_id is not looked at
    ],
)
def test_the_audience_is_aud_or_client_id_when_aud_is_absent(claims):
    check_claims(claims, "https://issuer.example", "api", NOW, 60)


@pytest.mark.parametrize(
    "claims",
    [
        audience_of(),
        audience_of(aud="other", client_id="api"),  # API Gateway evaluates aud when both are present
        audience_of(aud=[], client_id="api"),
        audience_of(aud=None, client_id="api"),
        audience_of(client_id="other"),
        audience_of(client_id=["api"]),
        audience_of(aud=[["api"]]),
        audience_of(aud={"api": True}),
    ],
)
def test_any_other_audience_is_refused(claims):
    with pytest.raises(InvalidToken, match="another audience"):
        check_claims(claims, "https://issuer.example", "api", NOW, 60)


@pytest.mark.parametrize("bits", [16384])
def test_a_key_beyond_the_size_limit_is_refused(bits):
    jwk = {"kty": "RSA", "n": b64((1 << (bits - 1)).to_bytes(bits // 8, "big")), "e": "AQAB"}
    with pytest.raises(InvalidToken):
        RsaKey.from_jwk(jwk)
    with pytest.raises(InvalidToken):
        RsaKey.from_jwk({**json.loads(RSAAlgorithm.to_jwk(KEY.public_key())), "e": b64((1 << 80).to_bytes(11, "big"))})
