"""Turning each optional feature on, changing it and turning it off on a live stack, both ways.

Each pair of configs is replayed in the engine's order against AWS's uniqueness rules: every step
must be one AWS takes, the table stays, and nothing the feature does not own is replaced.
"""

import pytest

from tests.support.transitions import assert_accepted, config, transition

ISSUER = {
    "issuer": "https://issuer.example.com/",
    "audience": "global-serverless",
    "jwksUrl": "https://issuer.example.com/keys",
}
TOPIC = "arn:aws:sns:{region}:123456789012:ops-alarms"

# (name, door, backend, off, on): `off` and `on` are the feature's config keys before and after.
TOGGLES = [
    ("waf behind cloudfront", "cloudfront", "alb", {}, {"waf": {"rateLimit": 2000}}),
    ("waf on the albs behind globalaccelerator", "globalaccelerator", "alb", {}, {"waf": {"rateLimit": 2000}}),
    ("waf rate", "cloudfront", "alb", {"waf": {"rateLimit": 2000}}, {"waf": {"rateLimit": 500}}),
    ("auth on an alb", "route53", "alb", {}, {"auth": ISSUER}),
    ("auth on an http api", "cloudfront", "apigateway", {}, {"auth": ISSUER}),
    ("auth protecting reads", "cloudfront", "apigateway", {"auth": ISSUER}, {"auth": {**ISSUER, "protectReads": True}}),
    ("alarm email", "route53", "alb", {}, {"alarms": {"email": "ops@example.com"}}),
    (
        "alarm topics of one's own",
        "route53",
        "alb",
        {"alarms": {"email": "ops@example.com"}},
        {"alarms": {"topicArn": TOPIC}},
    ),
    ("a probe vantage region", "globalaccelerator", "alb", {}, {"probes": {"vantageRegions": ["sa-east-1"]}}),
    ("access log retention", "globalaccelerator", "alb", {}, {"accessLogDays": 30}),
    ("a drained region", "globalaccelerator", "alb", {}, {"trafficDials": {"eu-west-1": 0}}),
    ("a drained region behind cloudfront", "cloudfront", "alb", {}, {"trafficDials": {"eu-west-1": 0}}),
]


@pytest.mark.parametrize("direction", ["on", "off"])
@pytest.mark.parametrize("name, door, backend, off, on", TOGGLES, ids=[t[0] for t in TOGGLES])
def test_a_feature_can_be_turned_on_and_off_on_a_live_stack(name, door, backend, off, on, direction):
    before, after = config(door, backend, **off), config(door, backend, **on)
    if direction == "off":
        before, after = after, before
    plan = transition(before, after)
    assert_accepted(plan)
    assert [s for s in plan.steps if s.op != "same"], f"{name}: the change did nothing"
    # What every feature leaves alone: the entries, the functions' identity, the doors' names.
    kept = ("aws:lb/loadBalancer:LoadBalancer", "aws:lambda/function:Function", "aws:route53/record:Record")
    replaced = [s.urn for s in plan.steps if s.op == "replace" and s.type in kept]
    assert not replaced, f"{name}: replaces {replaced}"
