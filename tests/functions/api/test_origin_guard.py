"""The HTTP API behind CloudFront: the function answers 403 to requests without an accepted origin secret.

Accepted values are the SSM SecureString parameters under ORIGIN_SECRET_PATH (moto, through a client with
the deployed client's config: one attempt, short timeouts); the previous release's ORIGIN_SECRETS list
still works. SSM faults are injected in botocore's send loop; SSM calls are counted there too.
"""

from __future__ import annotations

import math

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError

from functions.api import contract, runtime
from functions.api.access import origin_guard
from functions.api.access.origin_guard import AcceptedSecrets, OriginGuard, Verdict
from functions.api.handler import handler
from functions.api.settings import SettingsError, load_settings
from tests.functions.api.conftest import FUNCTION_ENVIRONMENT
from tests.support.api_client import Api
from tests.support.api_events import REGION, SHAPES, LambdaContext, build_event, parse_response

CURRENT, PREVIOUS = "Current0Secret0Value0000000000000000000", "Previous0Secret0Value000000000000000000"
NEXT = "Next0Secret0Value0000000000000000000000"
PATH = "/global-serverless/test/origin-secret"
OPEN_HOSTS = "api.example.com,route53.api.example.com"
TTL, REFRESH = contract.ORIGIN_SECRET_CACHE_SECONDS, contract.ORIGIN_SECRET_REFRESH_SECONDS
OPERATION = "GetParametersByPath"


def secret(value: str) -> dict[str, str]:
    return {contract.ORIGIN_SECRET_HEADER: value}


class SsmCalls:
    """Counts GetParametersByPath attempts in botocore's send loop; `down` makes each one time out."""

    def __init__(self) -> None:
        self.count = 0
        self.down = False

    def __call__(self, request, **_):
        self.count += 1
        if self.down:
            raise ReadTimeoutError(endpoint_url=request.url)
        return None  # moto answers


class Parameters:
    def __init__(self, client) -> None:
        self.client = client

    def put(self, version: int, value: str) -> None:
        self.client.put_parameter(Name=f"{PATH}/v{version}", Value=value, Type="SecureString", Overwrite=True)

    def delete(self, version: int) -> None:
        self.client.delete_parameter(Name=f"{PATH}/v{version}")

    def clear(self) -> None:
        for page in self.client.get_paginator("get_parameters_by_path").paginate(Path=PATH):
            for parameter in page["Parameters"]:
                self.client.delete_parameter(Name=parameter["Name"])


@pytest.fixture(scope="module")
def deployed_ssm(moto_account):
    """An SSM client configured as the function's (one attempt), with the call counter in its send loop."""
    client = boto3.client("ssm", region_name=REGION, config=runtime.CHAOS_CLIENT_CONFIG)
    calls = SsmCalls()
    client.meta.events.register_first(f"before-send.ssm.{OPERATION}", calls)
    return client, calls


@pytest.fixture
def ssm(aws, deployed_ssm):
    client, calls = deployed_ssm
    parameters = Parameters(client)
    parameters.clear()
    calls.count, calls.down = 0, False
    yield parameters, calls
    calls.down = False


def install(aws, client, clock) -> None:
    runtime.reset_runtime()
    runtime.use_runtime(runtime.build_runtime(clock=clock, dynamodb_client=aws.dynamodb, ssm_client=client))


@pytest.fixture
def from_ssm(aws, ssm, clock, monkeypatch):
    """The guard reading the path (CURRENT and PREVIOUS stored); returns (parameters, calls)."""
    parameters, calls = ssm
    parameters.put(1, PREVIOUS)
    parameters.put(2, CURRENT)
    monkeypatch.setenv(contract.ENV_ORIGIN_SECRET_PATH, PATH)
    install(aws, parameters.client, clock)
    return parameters, calls


@pytest.fixture(params=["ssm", "ORIGIN_SECRETS"])
def guarded(request, aws, ssm, clock, monkeypatch):
    """Both ways the function learns the accepted values: this release's and the previous one's."""
    parameters, _ = ssm
    if request.param == "ssm":
        parameters.put(1, PREVIOUS)
        parameters.put(2, CURRENT)
        monkeypatch.setenv(contract.ENV_ORIGIN_SECRET_PATH, PATH)
    else:
        monkeypatch.setenv(contract.ENV_ORIGIN_SECRETS, f'["{CURRENT}", "{PREVIOUS}"]')
    install(aws, parameters.client, clock)


def on_host(shape: str, domain_name: str, headers: dict | None = None):
    """GET /health arriving on `domain_name` (the HTTP API's requestContext.domainName; Host for ALB)."""
    event = build_event(shape, "GET", "/health", None, {"host": domain_name, **(headers or {})})
    if shape == "http":
        event["requestContext"]["domainName"] = domain_name
        event["requestContext"]["domainPrefix"] = domain_name.split(".")[0]
    return parse_response(handler(event, LambdaContext()))


# Who is served.


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
def test_every_accepted_secret_is_served(guarded, shape, value):
    api = Api(shape)
    assert api.put("/items/a", {"v": 1}, headers=secret(value)).status == 201
    assert api.get("/items/a", headers=secret(value)).status == 200


@pytest.mark.parametrize("shape", SHAPES)
def test_a_header_that_is_not_valid_text_is_refused_not_5xx(guarded, shape):
    assert Api(shape).get("/health", headers=secret("\ud800" + CURRENT[1:])).status == 403


@pytest.mark.parametrize("shape", SHAPES)
def test_without_any_origin_variable_every_request_is_served(installed_runtime, shape):
    assert Api(shape).get("/health").status == 200


# SSM: the cache, the early refresh, failures.


def test_values_are_read_once_per_cache_interval(from_ssm, clock):
    _, calls = from_ssm
    api = Api("http")
    for _ in range(5):
        assert api.get("/health", headers=secret(CURRENT)).status == 200
        clock.advance(TTL / 10)
    assert calls.count == 1
    clock.advance(TTL)
    assert api.get("/health", headers=secret(CURRENT)).status == 200
    assert calls.count == 2


def test_a_new_value_is_accepted_after_an_early_refresh(from_ssm, clock):
    """The next version's parameter is created minutes before CloudFront sends its value: the first request
    carrying it makes the function look again, well inside the cache interval."""
    parameters, calls = from_ssm
    api = Api("http")
    assert api.get("/health", headers=secret(CURRENT)).status == 200
    parameters.put(3, NEXT)
    clock.advance(REFRESH)
    assert api.get("/health", headers=secret(NEXT)).status == 200
    assert calls.count == 2  # the first read, then one early refresh; no wait for the cache interval


def test_a_deleted_value_stops_being_accepted_after_the_cache_interval(from_ssm, clock):
    parameters, _ = from_ssm
    api = Api("http")
    assert api.get("/health", headers=secret(PREVIOUS)).status == 200
    parameters.delete(1)  # the end of an update that moved CloudFront away from it
    clock.advance(TTL - 1)
    assert api.get("/health", headers=secret(PREVIOUS)).status == 200  # cached a little longer: harmless
    clock.advance(1)
    assert api.get("/health", headers=secret(PREVIOUS)).status == 403
    assert api.get("/health", headers=secret(CURRENT)).status == 200


@pytest.mark.parametrize("shape", SHAPES)
def test_unreadable_ssm_and_no_cache_is_503_never_403_and_never_served(from_ssm, aws, shape):
    _, calls = from_ssm
    calls.down = True
    api = Api(shape)
    for value in (CURRENT, "not-the-secret"):
        response = api.put("/items/a", {"v": 1}, headers=secret(value))
        assert response.status == 503 and response.headers["retry-after"]
        assert "cannot be checked" in response.error
    assert aws.stored("a") is None
    assert api.get("/health").status == 403  # no value at all needs no SSM to refuse


def test_unreadable_ssm_is_retried_at_most_once_per_interval_then_recovers(from_ssm, clock):
    _, calls = from_ssm
    calls.down = True
    api = Api("http")
    for _ in range(10):
        assert api.get("/health", headers=secret(CURRENT)).status == 503
    assert calls.count == 1
    calls.down = False
    clock.advance(REFRESH)
    assert api.get("/health", headers=secret(CURRENT)).status == 200
    assert calls.count == 2


def test_unreadable_ssm_with_a_stale_cache_uses_it(from_ssm, clock):
    _, calls = from_ssm
    api = Api("http")
    assert api.get("/health", headers=secret(CURRENT)).status == 200
    calls.down = True
    clock.advance(TTL * 3)
    assert api.get("/health", headers=secret(CURRENT)).status == 200
    assert api.get("/health", headers=secret("not-the-secret")).status == 403


def test_a_flood_of_wrong_values_costs_one_ssm_call_per_interval(from_ssm, clock):
    _, calls = from_ssm
    api = Api("http")
    duration, step = 30.0, 0.25
    for n in range(int(duration / step)):
        assert api.get("/health", headers=secret(f"forged-{n:04d}")).status == 403
        clock.advance(step)
    assert calls.count <= math.ceil(duration / REFRESH) + 1
    assert calls.count >= 2  # it did look again for values it did not know


# Names served without the secret.


@pytest.fixture
def with_open_hosts(from_ssm, aws, clock, monkeypatch):
    parameters, calls = from_ssm
    monkeypatch.setenv(contract.ENV_ORIGIN_OPEN_HOSTS, OPEN_HOSTS)
    install(aws, parameters.client, clock)
    return calls


@pytest.mark.parametrize("host", ["api.example.com", "ROUTE53.api.example.com"])
def test_an_open_hostname_is_served_without_the_secret(with_open_hosts, host):
    assert on_host("http", host).status == 200
    with_open_hosts.down = True  # and needs no SSM
    assert on_host("http", host).status == 200


@pytest.mark.parametrize(
    "host",
    ["eu-west-1.api.example.com", "abcdef1234.execute-api.eu-west-1.amazonaws.com", "cloudfront.api.example.com"],
)
def test_every_other_hostname_needs_the_secret(with_open_hosts, host):
    assert on_host("http", host).status == 403
    assert on_host("http", host, secret(CURRENT)).status == 200


@pytest.mark.parametrize("shape", ["alb", "alb-multi"])
def test_alb_events_carry_no_domain_name_so_they_need_the_secret(with_open_hosts, shape):
    assert on_host(shape, "api.example.com").status == 403


# The guard itself.


class CountingCompare:
    def __init__(self, real) -> None:
        self.real, self.calls = real, 0

    def __call__(self, a, b):
        self.calls += 1
        return self.real(a, b)


def test_every_accepted_value_is_compared_whichever_matches(monkeypatch):
    compare = CountingCompare(origin_guard.hmac.compare_digest)
    monkeypatch.setattr(origin_guard.hmac, "compare_digest", compare)
    guard = OriginGuard((CURRENT, PREVIOUS, NEXT))
    for value in (CURRENT, NEXT, "wrong"):
        compare.calls = 0
        guard.check(value)
        assert compare.calls == 3


class ListingSsm:
    """get_parameters_by_path in pages of two, as SSM may page."""

    def __init__(self, values: list[str]) -> None:
        self.values = values

    def get_parameters_by_path(self, Path, Recursive, WithDecryption, NextToken="0"):  # noqa: N803
        assert WithDecryption is True and Recursive is False
        start = int(NextToken)
        page = {
            "Parameters": [{"Name": f"{Path}/v{i}", "Value": v} for i, v in enumerate(self.values)][start : start + 2]
        }
        if start + 2 < len(self.values):
            page["NextToken"] = str(start + 2)
        return page


def test_every_page_of_the_listing_is_read(clock):
    values = [f"value-{n}" for n in range(5)]
    guard = OriginGuard(source=AcceptedSecrets(ListingSsm(values), PATH, clock=clock))
    assert [guard.check(value) for value in values] == [Verdict.SERVE] * 5


def test_an_empty_path_is_unknown_not_a_reason_to_refuse_everyone(clock):
    guard = OriginGuard(source=AcceptedSecrets(ListingSsm([]), PATH, clock=clock))
    assert guard.check(CURRENT) is Verdict.UNKNOWN


def test_the_deployed_ssm_client_can_list_the_path(environment):
    client = runtime.aws_session().client("ssm", region_name=REGION)
    assert "GetParametersByPath" in client.meta.service_model.operation_names


# FunctionSettings.


def test_path_and_open_hosts_are_read_and_normalised():
    env = {
        **FUNCTION_ENVIRONMENT,
        contract.ENV_ORIGIN_SECRET_PATH: f" {PATH} ",
        contract.ENV_ORIGIN_OPEN_HOSTS: " API.example.com, route53.api.example.com ,",
    }
    settings = load_settings(env)
    assert settings.origin_secret_path == PATH
    assert settings.origin_open_hosts == frozenset({"api.example.com", "route53.api.example.com"})


@pytest.mark.parametrize(
    "path",
    [
        "global-serverless/test",
        "/global-serverless/test/",
        "/a//b",
        "/a b",
        "/aws/x",
        "/SSM/x",
        "".join(f"/l{n}" for n in range(16)),
    ],
)
def test_a_bad_secret_path_names_the_variable(path):
    with pytest.raises(SettingsError) as caught:
        load_settings({**FUNCTION_ENVIRONMENT, contract.ENV_ORIGIN_SECRET_PATH: path})
    assert f"{contract.ENV_ORIGIN_SECRET_PATH}=" in str(caught.value) and "SSM parameter path" in str(caught.value)


@pytest.mark.parametrize("hosts", ["https://api.example.com", "api.example.com:443", "api.example.com/x", "a b.com"])
def test_bad_open_hosts_name_the_variable_and_the_bad_entry(hosts):
    with pytest.raises(SettingsError) as caught:
        load_settings({**FUNCTION_ENVIRONMENT, contract.ENV_ORIGIN_OPEN_HOSTS: hosts})
    assert f"{contract.ENV_ORIGIN_OPEN_HOSTS} is invalid" in str(caught.value)
    assert repr(hosts.strip().lower()) in str(caught.value)


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
