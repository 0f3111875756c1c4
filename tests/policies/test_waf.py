"""waf-attached-when-configured, on the mocked program (compliant) and one mutation per rule."""

import pytest

from offline.engine.policy_engine import evaluate, resolve_pack_config
from offline.engine.run import run_program
from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL
from tests.support.transitions import config

POLICY = "waf-attached-when-configured"


def violations(run, limit: int = 2000) -> list[str]:
    pack = resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, {}, {"wafRateLimit": limit})
    (policy,) = [p for p in ALL_POLICIES if p.name == POLICY]
    return [v.message for v in evaluate([policy], run.resources, pack, home_region="us-east-1")]


def waf_run(front_door, backend="alb"):
    return run_program("test", values=config(front_door, backend, waf={"rateLimit": 2000}))


@pytest.mark.parametrize(
    ("front_door", "backend"),
    [("route53", "alb"), ("globalaccelerator", "alb"), ("cloudfront", "alb"), ("cloudfront", "apigateway"),
     ({"cloudfront": 50, "route53": 50}, "alb")],
)  # fmt: skip
def test_the_program_with_waf_passes(front_door, backend):
    assert violations(waf_run(front_door, backend)) == []


def test_a_stack_without_waf_is_not_checked():
    assert violations(run_program("test", values=config("route53")), limit=0) == []


def test_a_directly_reached_alb_without_a_web_acl_is_flagged():
    run = waf_run("route53")
    run.resources[:] = [r for r in run.resources if not r.name.startswith("waf-eu-west-1")]
    (text,) = violations(run)
    assert (
        "aws:lb/loadBalancer:LoadBalancer 'eu-west-1-alb' in eu-west-1" in text and "no web ACL is associated" in text
    )


def test_a_distribution_without_its_web_acl_is_flagged():
    run = waf_run("cloudfront")
    (distribution,) = run.of_type("aws:cloudfront/distribution:Distribution")
    distribution.inputs.pop("webAclId")
    distribution.state.pop("webAclId", None)
    distribution.property_dependencies.pop("webAclId", None)
    (text,) = violations(run)
    assert "distribution has no web ACL" in text and "Fix:" in text


def test_a_web_acl_without_the_configured_rate_limit_is_flagged():
    run = waf_run("route53")
    assert all("no rate-based rule with the configured limit 500" in m for m in violations(run, limit=500))
    assert len(violations(run, limit=500)) == 3  # one per regional web ACL


def test_a_web_acl_missing_a_managed_group_is_flagged():
    run = waf_run("route53")
    (acl,) = [r for r in run.of_type("aws:wafv2/webAcl:WebAcl") if r.region == "eu-west-1"]
    for props in (acl.inputs, acl.state):
        props["rules"] = [r for r in props["rules"] if r["name"] != "AWSManagedRulesKnownBadInputsRuleSet"]
    (text,) = violations(run)
    assert "AWSManagedRulesKnownBadInputsRuleSet are missing" in text


def test_the_regional_rate_rule_beside_cloudfront_skips_only_the_secret():
    """front-door-not-bypassable on the program: NOT(x-origin-verify EXACTLY the secret), nothing looser."""
    run = waf_run({"cloudfront": 50, "route53": 50})
    pack = resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, {}, {})
    (policy,) = [p for p in ALL_POLICIES if p.name == "front-door-not-bypassable"]
    assert evaluate([policy], run.resources, pack, home_region="us-east-1") == []
    (acl,) = [r for r in run.of_type("aws:wafv2/webAcl:WebAcl") if r.region == "eu-west-1"]
    for props in (acl.inputs, acl.state):
        rate = next(r for r in props["rules"] if r["name"] == "rate-per-client-ip")["statement"]["rateBasedStatement"]
        # NOT(OR(the secret, the health checks' GET)): the secret's match is the OR's first member.
        skipped = rate["scopeDownStatement"]["notStatement"]["statement"]["orStatement"]["statements"]
        skipped[0]["byteMatchStatement"]["positionalConstraint"] = "CONTAINS"
    (violation,) = evaluate([policy], run.resources, pack, home_region="us-east-1")
    assert violation.message.startswith("aws:wafv2/webAcl:WebAcl 'waf-eu-west-1' in eu-west-1: rate rule")
    assert "its positional constraint is CONTAINS, not EXACTLY" in violation.message and "Fix: " in violation.message


def test_the_regional_rate_rule_may_skip_nothing_but_the_secret_and_the_health_path():
    run = waf_run({"cloudfront": 50, "route53": 50})
    pack = resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, {}, {})
    (policy,) = [p for p in ALL_POLICIES if p.name == "front-door-not-bypassable"]
    (acl,) = [r for r in run.of_type("aws:wafv2/webAcl:WebAcl") if r.region == "eu-west-1"]
    for props in (acl.inputs, acl.state):
        rate = next(r for r in props["rules"] if r["name"] == "rate-per-client-ip")["statement"]["rateBasedStatement"]
        skipped = rate["scopeDownStatement"]["notStatement"]["statement"]["orStatement"]["statements"]
        skipped[1]["byteMatchStatement"]["positionalConstraint"] = "STARTS_WITH"  # every path under it
    (violation,) = evaluate([policy], run.resources, pack, home_region="us-east-1")
    assert "skips more than CloudFront's secret and the health path" in violation.message
