"""auth: the function checks tokens behind every entry; HTTP APIs also authorize item writes natively."""

import pytest

from components.config import ConfigError
from offline.policy_engine import evaluate, resolve_pack_config
from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL
from tests.components.helpers import program

REGIONS = ["us-east-1", "eu-west-1"]
AUTH = {"issuer": "https://issuer.example", "audience": "api", "scopes": ["items:write"]}
ROUTE = "aws:apigatewayv2/route:Route"


def api_functions(run):
    return [f for f in run.of_type("aws:lambda/function:Function") if f.name.startswith("api-")]


@pytest.mark.parametrize("backend", ["alb", "apigateway"])
def test_every_api_function_checks_the_configured_tokens(backend):
    run = program(REGIONS, backend=backend, front_door="route53", auth=AUTH)
    for function in api_functions(run):
        env = function.inputs["environment"]["variables"]
        assert (env["AUTH_ISSUER"], env["AUTH_AUDIENCE"], env["AUTH_PROTECT_READS"], env["AUTH_SCOPES"]) == (
            "https://issuer.example", "api", "false", "items:write"
        )  # fmt: skip


def test_http_apis_authorize_writes_with_their_own_jwt_authorizer():
    run = program(REGIONS, backend="apigateway", front_door="route53", auth=AUTH)
    for region in REGIONS:
        (authorizer,) = [a for a in run.of_type("aws:apigatewayv2/authorizer:Authorizer") if a.region == region]
        assert authorizer.inputs["authorizerType"] == "JWT"
        assert authorizer.inputs["identitySources"] == ["$request.header.Authorization"]
        assert authorizer.inputs["jwtConfiguration"] == {"issuer": "https://issuer.example", "audiences": ["api"]}
        routes = {r.inputs["routeKey"]: r.inputs for r in run.of_type(ROUTE) if r.region == region}
        assert set(routes) == {"$default", "PUT /items/{id}", "DELETE /items/{id}"}
        for key in ("PUT /items/{id}", "DELETE /items/{id}"):
            assert routes[key]["authorizationType"] == "JWT" and routes[key]["authorizationScopes"] == ["items:write"]
            assert routes[key]["authorizerId"] == authorizer.state.get("id", authorizer.id)
        assert "authorizationType" not in routes["$default"]  # /health and reads stay open


def test_protect_reads_adds_the_get_route():
    run = program(REGIONS, backend="apigateway", front_door="route53", auth={**AUTH, "protectReads": True})
    keys = {r.inputs["routeKey"] for r in run.of_type(ROUTE) if r.region == "us-east-1"}
    assert "GET /items/{id}" in keys
    assert all(f.inputs["environment"]["variables"]["AUTH_PROTECT_READS"] == "true" for f in api_functions(run))


def test_without_auth_nothing_asks_for_tokens():
    run = program(REGIONS, backend="apigateway", front_door="route53")
    assert run.of_type("aws:apigatewayv2/authorizer:Authorizer") == []
    assert all("AUTH_ISSUER" not in f.inputs["environment"]["variables"] for f in api_functions(run))


def test_an_http_issuer_is_a_named_config_error():
    with pytest.raises(ConfigError) as caught:
        program(REGIONS, backend="apigateway", front_door="route53", auth={**AUTH, "issuer": "http://issuer.example"})
    assert caught.value.key == "global-serverless:auth" and "not an https URL" in str(caught.value)


@pytest.mark.parametrize("backend", ["alb", "apigateway"])
def test_the_program_with_auth_passes_its_policy_and_a_missing_check_fails_it(backend):
    (policy,) = [p for p in ALL_POLICIES if p.name == "jwt-authorizer-on-write-routes"]
    pack = resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, {}, {"authIssuer": AUTH["issuer"]})
    run = program(REGIONS, backend=backend, front_door="route53", auth=AUTH)
    assert evaluate([policy], run.resources, pack, home_region="us-east-1") == []
    if backend == "apigateway":
        run.resources[:] = [r for r in run.resources if not r.name.endswith("-put-item")]
        (violation,) = evaluate([policy], run.resources, pack, home_region="us-east-1")[:1]
        assert "PUT /items/{id} has no JWT authorizer" in violation.message
