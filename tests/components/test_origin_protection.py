"""Exposure as deployed: the secret, who accepts it, who sends it, the lockdown, and the rules each door waits for."""

import re

import pytest

from components.regional.entries.alb import (
    OPEN_PRIORITY,
    TOKEN_GA_PRIORITY,
    TOKEN_OPEN_PRIORITY,
    accept_priority,
    token_accept_priority,
)
from components.registry import MAX_ORIGIN_SECRET_VERSION, ORIGIN_SECRET_HEADER
from components.security.origin_lockdown import ORIGIN_LOCKDOWN_PRIORITY
from offline.engine.mocks import _hex
from tests.components.helpers import program

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
RULE = "aws:lb/listenerRule:ListenerRule"
LISTENER = "aws:lb/listener:Listener"
SECRET = "random:index/randomPassword:RandomPassword"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


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
    accept = rules(guarded, "-from-cloudfront-v1")
    assert set(accept) == set(REGIONS)
    for region, rule in accept.items():
        (condition,) = rule.inputs["conditions"]
        assert condition["httpHeader"] == {"httpHeaderName": ORIGIN_SECRET_HEADER, "values": [value]}
        assert rule.inputs["priority"] == accept_priority(1)
        assert rule.inputs["actions"][0]["type"] == "forward"
        (https,) = [r for r in guarded.of_type(LISTENER) if r.region == region and r.inputs["port"] == 443]
        assert rule.inputs["listenerArn"] == https.state["arn"]


def test_everything_else_gets_403(guarded):
    lockdown = rules(guarded, "-last")
    assert set(lockdown) == set(REGIONS)
    for rule in lockdown.values():
        (action,) = rule.inputs["actions"]
        assert action["type"] == "fixed-response" and action["fixedResponse"]["statusCode"] == "403"
        assert rule.inputs["priority"] == ORIGIN_LOCKDOWN_PRIORITY
        assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["*"]}}]
    assert rules(guarded, "-open") == {}  # no door sends clients here directly


def test_cloudfront_sends_a_new_secret_only_after_every_alb_accepts_it(guarded):
    (distribution,) = guarded.of_type(DISTRIBUTION)
    accept = rules(guarded, "-from-cloudfront-v1")
    assert {rule.urn for rule in accept.values()} <= set(distribution.dependencies)


@pytest.mark.parametrize("version", [2, 7])
def test_each_secret_version_is_a_rule_of_its_own(version):
    """A version the program drops is deleted at the end of the update, after CloudFront sends the new one."""
    run = program(REGIONS, backend="alb", front_door="cloudfront", originSecretVersion=version)
    values = secrets(run)
    assert set(values) == {f"origin-v{version}"}
    for rule in rules(run, f"-from-cloudfront-v{version}").values():
        assert rule.inputs["conditions"][0]["httpHeader"]["values"] == [values[f"origin-v{version}"]]
        assert rule.inputs["priority"] == accept_priority(version)
    (distribution,) = run.of_type(DISTRIBUTION)
    assert {o["customHeaders"][0]["value"] for o in distribution.inputs["origins"]} == {values[f"origin-v{version}"]}


def test_every_secret_version_has_priorities_of_its_own_below_the_open_and_last_rules():
    versions = range(1, MAX_ORIGIN_SECRET_VERSION + 1)
    priorities = [accept_priority(v) for v in versions] + [token_accept_priority(v) for v in versions]
    assert len(set(priorities)) == len(priorities) and min(priorities) > TOKEN_GA_PRIORITY
    assert max(priorities) < TOKEN_OPEN_PRIORITY < OPEN_PRIORITY < ORIGIN_LOCKDOWN_PRIORITY


@pytest.mark.parametrize("front_door", ["route53", {"cloudfront": 50, "route53": 50}])
def test_with_a_direct_door_an_open_rule_forwards_everyone_and_the_door_waits_for_it(front_door):
    run = program(REGIONS, backend="alb", front_door=front_door)
    assert rules(run, "-last") == {}
    opened = rules(run, "-open")
    assert set(opened) == set(REGIONS)
    for rule in opened.values():
        assert rule.inputs["actions"][0]["type"] == "forward" and rule.inputs["priority"] == OPEN_PRIORITY
    # Route 53's health checks (and so its records) wait for it; on a switch away it goes after them.
    checks = run.of_type("aws:route53/healthCheck:HealthCheck")
    assert checks and all(opened[c.name.removeprefix("route53-")].urn in c.dependencies for c in checks)


def test_behind_global_accelerator_alone_no_listener_rule_is_needed():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator")
    assert run.of_type(SECRET) == [] and run.of_type(RULE) == []


def test_behind_cloudfront_alone_each_http_api_function_reads_the_accepted_secrets():
    run = program(REGIONS, backend="apigateway", front_door="cloudfront")
    functions = [f for f in run.of_type("aws:lambda/function:Function") if f.name.startswith("api-")]
    assert len(functions) == len(REGIONS)
    (distribution,) = run.of_type(DISTRIBUTION)
    parameters = run.of_type("aws:ssm/parameter:Parameter")
    stored = [p for p in parameters if p.inputs.get("type") == "SecureString"]
    assert {p.region for p in stored} == set(REGIONS)
    for function in functions:
        variables = function.inputs["environment"]["variables"]
        assert variables["ORIGIN_SECRET_PATH"] == "/global-serverless/test/origin-secret"
        # Requests on a direct door's name (a custom domain that exists only while such a door does) pass.
        assert "ORIGIN_OPEN_HOSTS" in variables
    # CloudFront sends a new secret only once every region stores it.
    assert {p.urn for p in stored} <= set(distribution.dependencies)
    assert run.of_type(RULE) == []  # no listener: the function is the check
    (value,) = secrets(run).values()
    assert {o["customHeaders"][0]["value"] for o in distribution.inputs["origins"]} == {value}


def test_with_route53_the_http_api_functions_serve_everyone():
    run = program(REGIONS, backend="apigateway", front_door="route53")
    for function in run.of_type("aws:lambda/function:Function"):
        variables = function.inputs["environment"]["variables"]
        assert "ORIGIN_SECRETS" not in variables and "ORIGIN_SECRET_PATH" not in variables


def ingress(run, region: str) -> list:
    return [r for r in run.of_type(INGRESS) if r.region == region]


def test_no_security_group_holds_inline_ingress_rules(guarded):
    for group in guarded.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert not group.inputs.get("ingress")


def test_behind_cloudfront_alone_the_alb_admits_only_cloudfronts_prefix_list(guarded):
    for region in REGIONS:
        (rule,) = ingress(guarded, region)
        assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (443, 443)
        assert rule.inputs["prefixListId"] == f"pl-{_hex(region, 8)}"
        assert rule.name.endswith("-in-cloudfront-443")


def test_with_a_direct_door_the_alb_admits_everyone_on_80_and_443():
    run = program(REGIONS, backend="alb", front_door="route53")
    for region in REGIONS:
        opened = {
            (r.inputs["fromPort"], r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6")) for r in ingress(run, region)
        }
        assert opened == {(80, "0.0.0.0/0"), (80, "::/0"), (443, "0.0.0.0/0"), (443, "::/0")}


def test_global_accelerators_port_is_a_rule_its_endpoint_groups_wait_for():
    run = program(REGIONS, backend="alb", front_door={"cloudfront": 1, "globalaccelerator": 1})
    for group in run.of_type("aws:globalaccelerator/endpointGroup:EndpointGroup"):
        region = group.inputs["endpointGroupRegion"]
        ga = [r for r in ingress(run, region) if r.inputs["fromPort"] == 8443]
        assert len(ga) == 2 and {r.urn for r in ga} <= set(group.dependencies)


def test_a_new_stack_behind_global_accelerator_alone_gets_internal_albs():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator")
    assert all(lb.inputs["internal"] is True for lb in run.of_type("aws:lb/loadBalancer:LoadBalancer"))
    # Global Accelerator needs the VPC's internet gateway even for internal endpoints.
    assert len(run.of_type("aws:ec2/internetGateway:InternetGateway")) == len(REGIONS)
    # Nothing about the entries is written where a later update would read it back.
    (table,) = run.of_type("aws:dynamodb/table:Table")
    assert set(table.inputs["tags"]) == {"home-region", "consistency"}
    assert {tg.name for tg in run.of_type("aws:lb/targetGroup:TargetGroup")} == {f"{r}-tg-int" for r in REGIONS}


@pytest.mark.parametrize(
    "front_door",
    ["route53", "cloudfront", {"globalaccelerator": 1, "cloudfront": 1}, {"globalaccelerator": 1, "route53": 1}],
)
def test_other_doors_keep_internet_facing_albs(front_door):
    run = program(REGIONS, backend="alb", front_door=front_door)
    assert all(lb.inputs["internal"] is False for lb in run.of_type("aws:lb/loadBalancer:LoadBalancer"))
    assert {tg.name for tg in run.of_type("aws:lb/targetGroup:TargetGroup")} == {f"{r}-tg-pub" for r in REGIONS}


# EC2 takes only these in security group and rule descriptions (CreateSecurityGroup, AuthorizeSecurityGroupIngress).
EC2_DESCRIPTION = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$")


@pytest.mark.parametrize(
    "front_door", ["route53", "cloudfront", "globalaccelerator", {"cloudfront": 1, "globalaccelerator": 1}]
)
def test_security_group_and_rule_descriptions_use_only_what_ec2_accepts(front_door):
    run = program(REGIONS, backend="alb", front_door=front_door)
    for resource in [*run.of_type("aws:ec2/securityGroup:SecurityGroup"), *run.of_type(INGRESS)]:
        assert EC2_DESCRIPTION.match(resource.inputs.get("description", "")), resource.name


def test_the_alb_takes_its_groups_only_once_their_rules_exist():
    run = program(REGIONS, backend="alb", front_door={"cloudfront": 1, "globalaccelerator": 1})
    for region in REGIONS:
        (alb,) = [r for r in run.of_type("aws:lb/loadBalancer:LoadBalancer") if r.region == region]
        assert {r.urn for r in ingress(run, region)} <= set(alb.dependencies)


def test_the_regional_name_points_at_an_alb_only_once_it_listens():
    """On a scheme change the new ALB is created first: its name must not move to it before its listener."""
    run = program(REGIONS, backend="alb", front_door="route53")
    for region in REGIONS:
        (record,) = [r for r in run.of_type("aws:route53/record:Record") if r.name == f"api-{region}-regional"]
        (https,) = [r for r in run.of_type(LISTENER) if r.region == region and r.inputs["port"] == 443]
        assert https.urn in record.dependencies
