"""The HTTP API behind CloudFront alone: the function answers 403 to requests without the origin secret."""

from __future__ import annotations

import pytest

from functions.api import contract, runtime
from functions.api.settings import SettingsError, load_settings
from tests.functions.api.conftest import FUNCTION_ENVIRONMENT
from tests.support.api_client import Api
from tests.support.api_events import SHAPES

CURRENT, PREVIOUS = "Current0Secret0Value0000000000000000000", "Previous0Secret0Value000000000000000000"


@pytest.fixture
def guarded(aws, monkeypatch):
    monkeypatch.setenv(contract.ENV_ORIGIN_SECRETS, f'["{CURRENT}", "{PREVIOUS}"]')
    runtime.use_runtime(runtime.build_runtime(dynamodb_client=aws.dynamodb, ssm_client=aws.ssm))


def secret(value: str) -> dict[str, str]:
    return {contract.ORIGIN_SECRET_HEADER: value}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("GET", "/items/a"), ("PUT", "/items/a"), ("DELETE", "/items/a"), ("GET", "/nowhere")],
)
def test_a_request_without_the_secret_is_refused_on_every_path(guarded, aws, shape, method, path):
    response = Api(shape).request(method, path, '{"v": 1}' if method == "PUT" else None)
    assert response.status == 403
    assert "front door only" in response.body["error"]
    assert aws.stored("a") is None


@pytest.mark.parametrize("shape", SHAPES)
def test_a_wrong_secret_is_refused(guarded, shape):
    assert Api(shape).get("/health", headers=secret("not-the-secret")).status == 403


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("value", [CURRENT, PREVIOUS])
def test_the_current_and_the_previous_secret_are_served(guarded, shape, value):
    api = Api(shape)
    assert api.put("/items/a", {"v": 1}, headers=secret(value)).status == 201
    assert api.get("/items/a", headers=secret(value)).status == 200


@pytest.mark.parametrize("shape", SHAPES)
def test_without_origin_secrets_every_request_is_served(installed_runtime, shape):
    assert Api(shape).get("/health").status == 200


@pytest.mark.parametrize("raw", ["[]", '[""]', "not json", '"a-string"', "[1]"])
def test_bad_origin_secrets_name_the_variable_but_never_the_value(raw):
    env = {**FUNCTION_ENVIRONMENT, contract.ENV_ORIGIN_SECRETS: raw}
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    assert "ORIGIN_SECRETS is invalid: it must be a JSON list of non-empty strings" in str(caught.value)


def test_a_malformed_secret_list_is_not_echoed():
    env = {**FUNCTION_ENVIRONMENT, contract.ENV_ORIGIN_SECRETS: f'["{CURRENT}", 7]'}
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    assert CURRENT not in str(caught.value)
