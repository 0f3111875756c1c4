"""auth: the function checks tokens behind every entry; HTTP APIs also authorize item writes natively."""

import pytest

from components.config import ConfigError
from offline.engine.policy_engine import evaluate, resolve_pack_config
from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL
from tests.components.helpers import program

REGIONS = ["us-east-1", "eu-west-1"]
AUTH = {"issuer": "https://issuer.example", "audience": "api", "scopes": ["items:write"]}
KEYS = "https://issuer.example/keys"
RULE = "aws:lb/listenerRule:ListenerRule"
ROUTE = "aws:apigatewayv2/route:Route"


def api_functions(run):
    return [f for f in run.of_type("aws:lambda/function:Function") if f.name.startswith("api-")]


@pytest.mark.parametrize("backend", ["alb", "apigateway"])
def test_every_api_function_checks_the_configured_tokens(backend):
    run = program(REGIONS, backend=backend, front_door="route53", auth={**AUTH, "jwksUrl": KEYS})
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
    run = program(REGIONS, backend=backend, front_door="route53", auth={**AUTH, "jwksUrl": KEYS})
    assert evaluate([policy], run.resources, pack, home_region="us-east-1") == []
    if backend == "apigateway":
        run.resources[:] = [r for r in run.resources if not r.name.endswith("-put-item")]
        (violation,) = evaluate([policy], run.resources, pack, home_region="us-east-1")[:1]
        assert "PUT /items/{id} has no JWT authorizer" in violation.message


def token_rules(run, suffix):
    return {r.region: r for r in run.of_type(RULE) if r.name.endswith(suffix)}


def assert_validates_then_forwards(rule, methods=("PUT", "DELETE"), issuer="https://issuer.example", keys=KEYS):
    conditions = rule.inputs["conditions"]
    assert {"httpRequestMethod": {"values": list(methods)}} in conditions
    assert {"pathPattern": {"values": ["/items/*"]}} in conditions
    validate, forward = rule.inputs["actions"]
    assert validate == {"type": "jwt-validation", "order": 1, "jwtValidation": {"issuer": issuer, "jwksEndpoint": keys}}
    assert forward["type"] == "forward" and forward["order"] == 2


def test_albs_validate_tokens_before_forwarding_a_direct_doors_writes():
    run = program(REGIONS, backend="alb", front_door="route53", auth={**AUTH, "jwksUrl": KEYS})
    rules = token_rules(run, "-token-open")
    assert set(rules) == set(REGIONS)
    for region, rule in rules.items():
        assert_validates_then_forwards(rule)
        (opened,) = [r for r in run.of_type(RULE) if r.region == region and r.name.endswith("-open") and r is not rule]
        assert rule.inputs["priority"] == opened.inputs["priority"] - 1  # ahead of the rule forwarding the rest
        assert rule.inputs["listenerArn"] == opened.inputs["listenerArn"]


def test_behind_cloudfront_alone_the_token_rule_also_asks_for_the_origin_secret():
    run = program(REGIONS, backend="alb", front_door="cloudfront", auth={**AUTH, "jwksUrl": KEYS, "protectReads": True})
    rules = token_rules(run, "-token-from-cloudfront-v1")
    assert set(rules) == set(REGIONS) and token_rules(run, "-token-open") == {}
    (secret,) = run.of_type("random:index/randomPassword:RandomPassword")
    for rule in rules.values():
        assert_validates_then_forwards(rule, methods=("PUT", "DELETE", "GET"))
        header = {"httpHeader": {"httpHeaderName": "x-origin-verify", "values": [secret.state["result"]]}}
        assert header in rule.inputs["conditions"]


def test_global_accelerators_listener_validates_tokens_too():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator", auth={**AUTH, "jwksUrl": KEYS})
    rules = token_rules(run, "-token-ga")
    assert set(rules) == set(REGIONS)
    listeners = {(r.region, r.inputs["port"]): r for r in run.of_type("aws:lb/listener:Listener")}
    for region, rule in rules.items():
        assert_validates_then_forwards(rule)
        assert rule.inputs["listenerArn"] == listeners[(region, 8443)].state["arn"]


def test_without_a_domain_the_alb_has_no_https_listener_and_the_function_checks_alone():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator", domain=None, auth=AUTH)
    assert [r for r in run.of_type(RULE) if "-token-" in r.name] == []
    assert all(f.inputs["environment"]["variables"]["AUTH_ISSUER"] for f in api_functions(run))


def test_a_cognito_issuers_key_set_is_the_documented_one():
    issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example"
    run = program(REGIONS, backend="alb", front_door="route53", auth={**AUTH, "issuer": issuer})
    for rule in token_rules(run, "-token-open").values():
        assert_validates_then_forwards(rule, issuer=issuer, keys=f"{issuer}/.well-known/jwks.json")


def test_another_issuer_without_its_key_set_url_is_a_named_error_on_the_alb_backend():
    with pytest.raises(ConfigError) as caught:
        program(REGIONS, backend="alb", front_door="route53", auth=AUTH)
    error = caught.value
    assert error.key == "global-serverless:auth" and "key set URL" in str(error)
    assert "jwksUrl" in error.allowed and "/.well-known/openid-configuration" in error.fix


def test_a_key_set_url_must_be_https():
    with pytest.raises(ConfigError) as caught:
        program(REGIONS, backend="alb", front_door="route53", auth={**AUTH, "jwksUrl": "http://issuer.example/keys"})
    assert caught.value.key == "global-serverless:auth" and "not an https URL" in str(caught.value)
