"""Security response headers on every answer, from both event shapes."""

from __future__ import annotations

import pytest

from functions.api import contract, runtime
from tests.support.api_client import Api
from tests.support.api_events import SHAPES


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("method", "path"), [("GET", "/health"), ("GET", "/items/missing"), ("POST", "/items/a")])
def test_every_answer_says_nosniff(installed_runtime, shape, method, path):
    response = Api(shape).request(method, path)
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert "strict-transport-security" not in response.headers  # no domain in this environment


@pytest.mark.parametrize("shape", SHAPES)
def test_with_a_domain_every_answer_carries_hsts(aws, monkeypatch, shape):
    monkeypatch.setenv(contract.ENV_STRICT_TRANSPORT_SECURITY, contract.STRICT_TRANSPORT_SECURITY)
    runtime.use_runtime(runtime.build_runtime(dynamodb_client=aws.dynamodb, ssm_client=aws.ssm))
    for response in (Api(shape).get("/health"), Api(shape).put("/items/a", {"v": 1})):
        assert response.headers.get("strict-transport-security") == "max-age=31536000; includeSubDomains"
