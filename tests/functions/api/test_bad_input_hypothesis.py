"""Properties over generated requests, for every event shape:
- no input (body, id, path, method, headers, base64 flag) produces a 5xx while the table is healthy
  and no chaos is set; every answer is a documented status with a JSON error body when >= 400;
- any JSON object round-trips through PUT and GET;
- conditional writes and deletes follow a simple reference model of versions.

The `api` helper additionally asserts x-served-by-region on every response.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from functions.api import contract
from functions.api.handler import handler
from tests.support.api_client import Api
from tests.support.api_events import SHAPES, LambdaContext, build_event, parse_response

PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
DOCUMENTED_STATUSES = {200, 201, 204, 400, 404, 405, 412}

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=6)

nasty_bodies = st.sampled_from(
    [
        "NaN",
        '{"a": Infinity}',
        '{"a": -Infinity}',
        '{"a": 1e999}',
        '{"a": "\\ud800"}',
        '{"a": 1' + "0" * 5000 + "}",
        "[" * 3000,
        "{" * 3000,
        '{"a":' * 40 + "1" + "}" * 40,
        "\ufeff{}",
        '{"a": 1}  trailing',
        json.dumps({"pad": "x" * contract.MAX_BODY_BYTES}),
        "\x00",
    ]
)
bodies = st.one_of(
    st.none(),
    st.text(max_size=200),
    st.binary(max_size=200),
    json_values.map(json.dumps),
    json_objects.map(json.dumps),
    nasty_bodies,
)
ids = st.one_of(
    st.from_regex(contract.ID_PATTERN, fullmatch=True),
    st.text(max_size=140),
    st.sampled_from(["", "%", "%zz", "%ff", "%2F", "..", "a/b", "a" * (contract.MAX_ID_LENGTH + 1)]),
)
paths = st.one_of(
    ids.map(lambda item_id: "/items/" + item_id),
    st.just(contract.DEFAULT_HEALTH_PATH),
    st.text(max_size=30).map(lambda rest: "/" + rest),
    st.text(max_size=30),
)
header_names = st.sampled_from(["if-match", "If-Match", "content-type", "content-length", "host"]) | st.text(
    min_size=1, max_size=20
)
if_match_values = st.one_of(
    st.integers(min_value=-2, max_value=10**20).map(str),
    st.integers(min_value=0, max_value=5).map(lambda version: f'"{version}"'),
    st.sampled_from(["*", "", " ", 'W/"1"', "1,2", "１"]),
    st.text(max_size=30),
)
headers = st.dictionaries(header_names, st.text(max_size=40) | if_match_values, max_size=4)
methods = st.sampled_from(["GET", "PUT", "DELETE", "POST", "PATCH", "HEAD", "OPTIONS"])


def assert_documented(response) -> None:
    event(f"status {response.status}")
    assert response.status in DOCUMENTED_STATUSES, response


@PROPERTY_SETTINGS
@given(shape=st.sampled_from(SHAPES), item_id=ids, body=bodies, request_headers=headers, base64_encoded=st.booleans())
def test_put_never_answers_5xx(installed_runtime, shape, item_id, body, request_headers, base64_encoded):
    api = Api(shape)
    assert_documented(api.request("PUT", "/items/" + item_id, body, request_headers, base64_encoded=base64_encoded))


@PROPERTY_SETTINGS
@given(shape=st.sampled_from(SHAPES), method=st.sampled_from(["GET", "DELETE"]), item_id=ids, request_headers=headers)
def test_get_and_delete_never_answer_5xx(installed_runtime, shape, method, item_id, request_headers):
    assert_documented(Api(shape).request(method, "/items/" + item_id, None, request_headers))


@PROPERTY_SETTINGS
@given(
    shape=st.sampled_from(SHAPES),
    method=methods,
    path=paths,
    body=bodies,
    request_headers=headers,
    base64_encoded=st.booleans(),
)
def test_no_request_answers_5xx(installed_runtime, shape, method, path, body, request_headers, base64_encoded):
    api = Api(shape)
    assert_documented(api.request(method, path, body, request_headers, base64_encoded=base64_encoded))


@PROPERTY_SETTINGS
@given(shape=st.sampled_from(SHAPES), raw_body=st.text(max_size=100), method=st.sampled_from(["PUT", "GET"]))
def test_base64_flag_with_a_body_that_is_not_base64(installed_runtime, shape, raw_body, method):
    event = build_event(shape, method, "/items/b64")
    event.update(body=raw_body, isBase64Encoded=True)
    assert_documented(parse_response(handler(event, LambdaContext())))


ROUND_TRIP_IDS = itertools.count()


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(shape=st.sampled_from(SHAPES), data=json_objects, base64_encoded=st.booleans())
def test_any_json_object_round_trips(installed_runtime, shape, data, base64_encoded):
    api = Api(shape)
    path = f"/items/round-trip-{next(ROUND_TRIP_IDS)}"
    created = api.put(path, data, base64_encoded=base64_encoded)
    assert created.status == 201
    assert created.body["data"] == data
    fetched = api.get(path)
    assert fetched.status == 200
    assert fetched.body == created.body


expectations = st.none() | st.just("*") | st.integers(min_value=0, max_value=6)
operations = st.lists(
    st.tuples(st.sampled_from(["PUT", "DELETE", "GET"]), expectations, st.sampled_from(SHAPES)), min_size=1, max_size=12
)
MODEL_IDS = itertools.count()


class VersionModel:
    """What the contract says should happen to one item."""

    def __init__(self) -> None:
        self.exists = False
        self.version = 0  # the last version written, tombstones included

    def precondition_holds(self, expected) -> bool:
        if expected is None:
            return True
        return self.exists and (expected == "*" or expected == self.version)

    def apply(self, method: str, expected) -> int:
        if method == "GET":
            return 200 if self.exists else 404
        if method == "DELETE" and expected is None and not self.exists:
            return 404
        if not self.precondition_holds(expected):
            return 412
        created = not self.exists
        self.version += 1
        self.exists = method == "PUT"
        if method == "DELETE":
            return 204
        return 201 if created else 200


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(steps=operations)
def test_conditional_writes_follow_the_version_model(installed_runtime, steps):
    path = f"/items/model-{next(MODEL_IDS)}"
    model = VersionModel()
    for number, (method, expected, shape) in enumerate(steps):
        request_headers = {} if expected is None else {"if-match": str(expected)}
        body = json.dumps({"step": number}) if method == "PUT" else None
        response = Api(shape).request(method, path, body, request_headers)
        event(f"{method} -> {response.status}")
        assert response.status == model.apply(method, expected), (number, method, expected)
        if response.status in (200, 201) and method == "PUT":
            assert response.body["version"] == model.version
        if response.status == 200 and method == "GET":
            assert response.body["version"] == model.version


@pytest.mark.parametrize("shape", SHAPES)
def test_model_sanity_create_replace_delete_recreate(installed_runtime, shape):
    # A readable instance of the property above, so a failure there has a simple counterpart.
    api = Api(shape)
    assert [api.put("/items/m", {"v": 1}).status, api.put("/items/m", {"v": 2}, headers={"if-match": "1"}).status] == [
        201,
        200,
    ]
    assert api.delete("/items/m", headers={"if-match": "2"}).status == 204
    assert api.put("/items/m", {"v": 3}).body["version"] == 4
