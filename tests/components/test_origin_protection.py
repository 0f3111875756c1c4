"""Origin protection as deployed: the secret, who accepts it, who sends it, and the lockdown after the doors."""

import copy
import json

import pytest

from components.catalogue import ORIGIN_ACCEPT_PRIORITY, ORIGIN_LOCKDOWN_PRIORITY, ORIGIN_SECRET_HEADER
from offline.mocks import _hex
from offline.policy_engine import evaluate, resolve_pack_config
from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL
from tests.components.helpers import program

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
RULE = "aws:lb/listenerRule:ListenerRule"
LISTENER = "aws:lb/listener:Listener"
SECRET = "random:index/randomPassword:RandomPassword"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def secrets(run) -> dict[str, str]:
    return {r.name: r.state["result"] for r in run.of_type(SECRET)}


def rules(run, suffix: str) -> dict[str, object]:
    return {r.region: r for r in run.of_type(RULE) if r.name.endswith(suffix)}


@pytest.fixture(scope="module")
def guarded():
    return program(REGIONS, backend="alb", front_door="cloudfront")


def test_cloudfront_alone_gets_one_secret_of_letters_and_digits(guarded):
    (secret,) = guarded.of_type(SECRET)
    assert secret.name == "origin-v1"
    assert secret.inputs["length"] >= 32 and secret.inputs["special"] is False


def test_every_origin_sends_the_secret(guarded):
    (value,) = secrets(guarded).values()
    (distribution,) = guarded.of_type(DISTRIBUTION)
    sent = [origin["customHeaders"] for origin in distribution.inputs["origins"]]
    assert sent == [[{"name": ORIGIN_SECRET_HEADER, "value": value}]] * len(REGIONS)


def test_every_alb_forwards_only_requests_that_carry_it(guarded):
    (value,) = secrets(guarded).values()
    accept = rules(guarded, "-from-cloudfront")
    assert set(accept) == set(REGIONS)
    for region, rule in accept.items():
        (condition,) = rule.inputs["conditions"]
        assert condition["httpHeader"] == {"httpHeaderName": ORIGIN_SECRET_HEADER, "values": [value]}
        assert rule.inputs["priority"] == ORIGIN_ACCEPT_PRIORITY
        assert rule.inputs["actions"][0]["type"] == "forward"
        (https,) = [r for r in guarded.of_type(LISTENER) if r.region == region and r.inputs["port"] == 443]
        assert rule.inputs["listenerArn"] == https.state["arn"]


def test_everything_else_gets_403_after_the_doors_serve(guarded):
    lockdown = rules(guarded, "-last")
    assert set(lockdown) == set(REGIONS)
    distribution = guarded.of_type(DISTRIBUTION)[0].urn
    for rule in lockdown.values():
        (action,) = rule.inputs["actions"]
        assert action["type"] == "fixed-response" and action["fixedResponse"]["statusCode"] == "403"
        assert rule.inputs["priority"] == ORIGIN_LOCKDOWN_PRIORITY
        assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["*"]}}]
        # After the distribution and the main name's records: the entries lock only once clients go through CloudFront.
        assert distribution in rule.dependencies
        assert any(urn.endswith("::main-cloudfront") for urn in rule.dependencies)


def test_cloudfront_sends_a_new_secret_only_after_every_alb_accepts_it(guarded):
    (distribution,) = guarded.of_type(DISTRIBUTION)
    accept = rules(guarded, "-from-cloudfront")
    assert {rule.urn for rule in accept.values()} <= set(distribution.dependencies)


def test_rotation_accepts_both_values_and_sends_the_new_one():
    run = program(REGIONS, backend="alb", front_door="cloudfront", originSecretVersion=2)
    values = secrets(run)
    assert set(values) == {"origin-v2", "origin-v1"}
    for rule in rules(run, "-from-cloudfront").values():
        assert rule.inputs["conditions"][0]["httpHeader"]["values"] == [values["origin-v2"], values["origin-v1"]]
    (distribution,) = run.of_type(DISTRIBUTION)
    assert {o["customHeaders"][0]["value"] for o in distribution.inputs["origins"]} == {values["origin-v2"]}


@pytest.mark.parametrize(
    "front_door",
    ["route53", "globalaccelerator", {"cloudfront": 50, "route53": 50}, {"cloudfront": 1, "globalaccelerator": 1}],
)
def test_with_a_door_whose_clients_connect_directly_the_entries_stay_open(front_door):
    run = program(REGIONS, backend="alb", front_door=front_door)
    assert run.of_type(SECRET) == [] and rules(run, "-from-cloudfront") == {}
    lockdown = rules(run, "-last")
    assert set(lockdown) == set(REGIONS)
    for rule in lockdown.values():
        assert rule.inputs["actions"][0]["type"] == "forward"
        # Opening waits for nothing: on a switch away from CloudFront it happens before the new door serves.
        assert not any(":CloudFrontEdgeFrontDoor" in urn or "::main-" in urn for urn in rule.dependencies)


def test_behind_cloudfront_alone_each_http_api_function_checks_the_secret():
    run = program(REGIONS, backend="apigateway", front_door="cloudfront")
    (value,) = secrets(run).values()
    functions = [f for f in run.of_type("aws:lambda/function:Function") if f.name.startswith("api-")]
    assert len(functions) == len(REGIONS)
    (distribution,) = run.of_type(DISTRIBUTION)
    for function in functions:
        assert json.loads(function.inputs["environment"]["variables"]["ORIGIN_SECRETS"]) == [value]
        # CloudFront sends a new secret only after every function accepts it.
        assert function.urn in distribution.dependencies
    assert run.of_type(RULE) == []  # no listener: the function is the check
    sent = {o["customHeaders"][0]["value"] for o in distribution.inputs["origins"]}
    assert sent == {value}


def test_with_route53_the_http_api_functions_serve_everyone():
    run = program(REGIONS, backend="apigateway", front_door="route53")
    for function in run.of_type("aws:lambda/function:Function"):
        assert "ORIGIN_SECRETS" not in function.inputs["environment"]["variables"]


def security_groups(run):
    return {r.region: r for r in run.of_type("aws:ec2/securityGroup:SecurityGroup")}


def test_behind_cloudfront_alone_the_alb_admits_only_cloudfronts_prefix_list(guarded):
    for region, group in security_groups(guarded).items():
        (rule,) = group.inputs["ingress"]
        assert (rule["fromPort"], rule["toPort"]) == (443, 443) and rule["prefixListIds"] == [f"pl-{_hex(region, 8)}"]
        assert "cidrBlocks" not in rule and "ipv6CidrBlocks" not in rule


def test_with_a_direct_door_the_alb_admits_everyone_on_80_and_443():
    run = program(REGIONS, backend="alb", front_door="route53")
    for group in security_groups(run).values():
        assert sorted(rule["fromPort"] for rule in group.inputs["ingress"]) == [80, 443]
        assert all(rule["cidrBlocks"] == ["0.0.0.0/0"] for rule in group.inputs["ingress"])


def test_a_world_open_security_group_behind_cloudfront_alone_fails_the_policy(guarded):
    (policy,) = [p for p in ALL_POLICIES if p.name == "front-door-not-bypassable"]
    pack = resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, {}, {})
    assert evaluate([policy], guarded.resources, pack, home_region="us-east-1") == []
    opened = copy.deepcopy(guarded)
    group = security_groups(opened)["eu-west-1"]
    for props in (group.inputs, group.state):
        props["ingress"] = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]
    (violation,) = evaluate([policy], opened.resources, pack, home_region="us-east-1")
    assert "admits 0.0.0.0/0 on port 443, though CloudFront is the only door" in violation.message


def test_a_new_stack_behind_global_accelerator_alone_gets_internal_albs():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator")
    assert all(lb.inputs["internal"] is True for lb in run.of_type("aws:lb/loadBalancer:LoadBalancer"))
    # Global Accelerator needs the VPC's internet gateway even for internal endpoints.
    assert len(run.of_type("aws:ec2/internetGateway:InternetGateway")) == len(REGIONS)
    (table,) = run.of_type("aws:dynamodb/table:Table")
    assert table.inputs["tags"]["alb-scheme"] == "internal"


@pytest.mark.parametrize("front_door", ["route53", "cloudfront", {"globalaccelerator": 1, "cloudfront": 1}])
def test_other_doors_keep_internet_facing_albs(front_door):
    run = program(REGIONS, backend="alb", front_door=front_door)
    assert all(lb.inputs["internal"] is False for lb in run.of_type("aws:lb/loadBalancer:LoadBalancer"))
