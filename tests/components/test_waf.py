"""WAF: web ACLs where requests pass (CloudFront's scope on the distribution, REGIONAL on directly reached ALBs)."""

import pytest

from components.config import ConfigError
from components.security.exposure import WafCoverage, waf_coverage
from tests.components.helpers import program

REGIONS = ["us-east-1", "eu-west-1"]
ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
WAF = {"rateLimit": 1500}
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"


@pytest.mark.parametrize(
    ("strategies", "backend", "edge", "regional", "uncovered", "exempt"),
    [
        (("cloudfront",), "alb", True, False, (), False),  # the ALBs answer CloudFront only
        (("cloudfront",), "apigateway", True, False, (), False),
        (("route53",), "alb", False, True, (), False),
        (("globalaccelerator",), "alb", False, True, (), False),
        # Beside CloudFront the ALBs' rate rule skips CloudFront's requests (its edges are not clients).
        (("cloudfront", "route53"), "alb", True, True, (), True),
        (("cloudfront", "globalaccelerator"), "alb", True, True, (), True),
        (("cloudfront", "route53"), "apigateway", True, False, ("route53 -> apigateway",), False),
        (("route53",), "apigateway", False, False, ("route53 -> apigateway",), False),
    ],
)
def test_coverage_follows_the_doors_and_the_backend(strategies, backend, edge, regional, uncovered, exempt):
    assert waf_coverage(strategies, backend) == WafCoverage(edge, regional, uncovered, exempt)


def test_beside_cloudfront_the_alb_rate_rule_skips_requests_with_the_origin_secret():
    run = program(REGIONS, backend="alb", front_door={"cloudfront": 50, "route53": 50}, waf=WAF)
    (secret,) = run.of_type("random:index/randomPassword:RandomPassword")
    regional = [acl for acl in run.of_type("aws:wafv2/webAcl:WebAcl") if acl.inputs["scope"] == "REGIONAL"]
    assert len(regional) == len(REGIONS)
    for acl in regional:
        (rate,) = [rule for rule in acl.inputs["rules"] if "rateBasedStatement" in rule["statement"]]
        down = rate["statement"]["rateBasedStatement"]["scopeDownStatement"]["notStatement"]["statement"]
        # Beside Route 53's health checks (tested below), the secret is one of the skipped kinds.
        match = down["orStatement"]["statements"][0]["byteMatchStatement"]
        assert match["fieldToMatch"] == {"singleHeader": {"name": "x-origin-verify"}}
        assert match["positionalConstraint"] == "EXACTLY" and match["searchString"] == secret.state["result"]
    (edge,) = [acl for acl in run.of_type("aws:wafv2/webAcl:WebAcl") if acl.inputs["scope"] == "CLOUDFRONT"]
    (rate,) = [rule for rule in edge.inputs["rules"] if "rateBasedStatement" in rule["statement"]]
    # Every client by its own address, but the router's own probes (their token: Lambda@Edge's shared
    # addresses would look like one busy client and the router would fail open).
    (token,) = run.of_type("random:index/randomString:RandomString")
    down = rate["statement"]["rateBasedStatement"]["scopeDownStatement"]["notStatement"]["statement"]
    assert down["byteMatchStatement"]["fieldToMatch"] == {"singleHeader": {"name": "x-gs-probe-token"}}
    assert down["byteMatchStatement"]["searchString"] == token.state["result"]


def test_each_web_acl_has_the_rate_limit_and_the_managed_groups_with_big_bodies_counted():
    run = program(REGIONS, backend="alb", front_door="route53", waf=WAF)
    acls = run.of_type(ACL)
    assert sorted(a.region for a in acls) == sorted(REGIONS) and {a.inputs["scope"] for a in acls} == {"REGIONAL"}
    for acl in acls:
        rate, common, bad_inputs = acl.inputs["rules"]
        statement = rate["statement"]["rateBasedStatement"]
        assert (statement["aggregateKeyType"], statement["limit"], statement["evaluationWindowSec"]) == (
            "IP",
            1500,
            300,
        )
        assert "block" in rate["action"]
        group = common["statement"]["managedRuleGroupStatement"]
        assert (group["vendorName"], group["name"]) == ("AWS", "AWSManagedRulesCommonRuleSet")
        # The API takes 64 KiB bodies; the core rule set would block anything over 8 KB.
        assert group["ruleActionOverrides"] == [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]
        assert bad_inputs["statement"]["managedRuleGroupStatement"]["name"] == "AWSManagedRulesKnownBadInputsRuleSet"
        assert acl.inputs["defaultAction"] == {"allow": {}}


def test_each_directly_reached_alb_is_associated_with_its_regions_web_acl():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator", waf=WAF)
    balancers = {r.region: r.state["arn"] for r in run.of_type("aws:lb/loadBalancer:LoadBalancer")}
    acls = {r.region: r.state["arn"] for r in run.of_type(ACL)}
    associations = {r.region: r.inputs for r in run.of_type(ASSOCIATION)}
    assert associations == {region: {"resourceArn": balancers[region], "webAclArn": acls[region]} for region in REGIONS}


def test_cloudfront_takes_a_cloudfront_scope_web_acl_in_us_east_1():
    run = program(["eu-west-1", "ap-southeast-1"], backend="alb", front_door="cloudfront", waf=WAF)
    (acl,) = run.of_type(ACL)
    assert (acl.region, acl.inputs["scope"]) == ("us-east-1", "CLOUDFRONT")
    (distribution,) = run.of_type("aws:cloudfront/distribution:Distribution")
    assert distribution.inputs["webAclId"] == acl.state["arn"]
    assert run.of_type(ASSOCIATION) == []  # the entries answer CloudFront only


def test_without_waf_there_is_no_web_acl():
    run = program(REGIONS, backend="alb", front_door="cloudfront")
    assert (
        run.of_type(ACL) == [] and "webAclId" not in run.of_type("aws:cloudfront/distribution:Distribution")[0].inputs
    )


def test_waf_where_no_request_would_pass_a_web_acl_is_a_named_error():
    with pytest.raises(ConfigError) as caught:
        program(REGIONS, backend="apigateway", front_door="route53", waf=WAF)
    assert caught.value.key == "global-serverless:waf" and "route53 -> apigateway" in str(caught.value)


def _scope_down(acl) -> dict:
    (rate,) = [rule for rule in acl.inputs["rules"] if "rateBasedStatement" in rule["statement"]]
    return rate["statement"]["rateBasedStatement"].get("scopeDownStatement")


def _is_health_get(statement: dict, path: str) -> bool:
    """The health path, exactly (the API answers nothing but GET there)."""
    match = statement["byteMatchStatement"]
    return (
        match["fieldToMatch"] == {"uriPath": {}}
        and match["searchString"] == path
        and match["positionalConstraint"] == "EXACTLY"
    )


LOGICAL = ("andStatement", "orStatement", "notStatement")


def _logical_depth(statement: dict) -> int:
    """How deep AND/OR/NOT nest in a statement (a match statement is 0)."""
    for kind in LOGICAL:
        if kind in statement:
            inner = statement[kind].get("statements") or [statement[kind].get("statement")]
            return 1 + max(_logical_depth(s) for s in inner)
    return 0


@pytest.mark.parametrize(
    "front_door", ["route53", {"cloudfront": 50, "route53": 50}, {"cloudfront": 50, "globalaccelerator": 50}]
)
def test_every_scope_down_nests_no_deeper_than_the_provider_takes(front_door):
    """terraform-provider-aws (wafv2 schemas.go), which pulumi-aws bridges: inside a rate rule's scope-down,
    logical statements wrap match statements only: NOT -> OR -> match is the deepest it accepts."""
    run = program(REGIONS, backend="alb", front_door=front_door, waf=WAF)
    downs = [_scope_down(acl) for acl in run.of_type(ACL)]
    assert any(downs) and all(_logical_depth(d) <= 2 for d in downs if d)


def test_route53_health_checks_of_the_health_path_are_not_rate_limited():
    run = program(REGIONS, backend="alb", front_door="route53", waf=WAF, healthCheck={"path": "/healthz"})
    for acl in run.of_type(ACL):
        assert _is_health_get(_scope_down(acl)["notStatement"]["statement"], "/healthz")


def test_beside_cloudfront_the_regional_rate_rule_skips_the_secret_or_the_health_path():
    run = program(REGIONS, backend="alb", front_door={"cloudfront": 50, "route53": 50}, waf=WAF)
    (secret,) = run.of_type("random:index/randomPassword:RandomPassword")
    for acl in [a for a in run.of_type(ACL) if a.inputs["scope"] == "REGIONAL"]:
        carries, health = _scope_down(acl)["notStatement"]["statement"]["orStatement"]["statements"]
        assert carries["byteMatchStatement"]["searchString"] == secret.state["result"]
        assert _is_health_get(health, "/health")


def test_without_logs_no_web_acl_logs():
    run = program(REGIONS, backend="alb", front_door="route53", waf=WAF)
    assert run.of_type(LOGGING) == []


def test_waf_logs_go_to_expiring_aws_waf_logs_groups_in_each_acls_region_with_secrets_redacted():
    run = program(
        ["eu-west-1", "ap-southeast-1"],
        backend="alb",
        front_door={"cloudfront": 50, "globalaccelerator": 50},
        waf={**WAF, "logs": True},
    )
    acls = {a.state["arn"]: a for a in run.of_type(ACL)}
    groups = {g.state["arn"]: g for g in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    configs = run.of_type(LOGGING)
    assert len(configs) == len(acls) == 3
    for config in configs:
        acl = acls[config.inputs["resourceArn"]]
        (destination,) = config.inputs["logDestinationConfigs"]
        group = groups[destination]
        # AWS WAF requires the aws-waf-logs- prefix; CLOUDFRONT scope logs in us-east-1 (the ACL's region).
        assert group.inputs["name"].startswith("aws-waf-logs-") and group.region == acl.region == config.region
        assert group.inputs["retentionInDays"] == 30
        redacted = [f["singleHeader"]["name"] for f in config.inputs.get("redactedFields", [])]
        expected = "x-gs-probe-token" if acl.inputs["scope"] == "CLOUDFRONT" else "x-origin-verify"
        assert expected in redacted
    assert sorted(c.region for c in configs) == ["ap-southeast-1", "eu-west-1", "us-east-1"]


def test_without_route53_health_checks_the_health_path_keeps_its_limit():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator", waf=WAF)
    assert all(_scope_down(acl) is None for acl in run.of_type(ACL))
