"""Preview: values computed by other resources are unknown; no policy may crash or guess.

Policies read props through policies.common.get, which turns pulumi_policy's UnknownValueError into
the UNKNOWN sentinel so that one unknown value skips one check, not the whole policy. Links that go
through unknown ARNs fall back to the engine's property dependencies.
"""

import random

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    unknown_checking_proxy,
)

from offline.engine.policy_engine import evaluate, resolve_pack_config
from policies.common import UNKNOWN, get
from tests.policies.fixtures import compliant, unknown_in_preview
from tests.policies.test_policies import COMBINATIONS


@pytest.mark.parametrize("front_door, backend", COMBINATIONS, ids=[f"{f}-{b}" for f, b in COMBINATIONS])
def test_first_preview_of_a_compliant_stack_passes(front_door, backend):
    assert unknown_in_preview(compliant(front_door, backend)).violations() == []


def test_edge_function_found_through_property_dependencies_when_its_arn_is_unknown():
    fixture = compliant("cloudfront", "alb").move("cloudfront-router", "eu-west-1")
    preview = unknown_in_preview(fixture)
    distribution = preview.get("cloudfront")
    assert (
        distribution.state["defaultCacheBehavior"]["lambdaFunctionAssociations"][0]["lambdaArn"] == UNKNOWN_STRING_VALUE
    )
    [violation] = preview.violations("edge-function-us-east-1")
    assert "must be created in us-east-1 (found eu-west-1)" in violation.message


def test_certificate_region_from_property_dependencies_when_its_arn_is_unknown():
    fixture = compliant("route53", "apigateway")
    domain = fixture.get("api-eu-west-1-apigateway-domain-main")
    domain.property_dependencies["domainNameConfiguration"] = [fixture.get("tls-us-east-1").urn]
    [violation] = unknown_in_preview(fixture).violations("regional-certificate-same-region")
    assert "is a certificate in us-east-1" in violation.message


def test_role_policy_linked_to_its_role_through_property_dependencies():
    fixture = compliant("route53", "alb")
    fixture.set(
        "api-eu-west-1-access", "policy", '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    )
    # The role id and ARNs are unknown; this policy document is a literal, known in preview.
    preview = unknown_in_preview(fixture, keep=("policy",))
    assert preview.get("api-eu-west-1-access").inputs["role"] == UNKNOWN_STRING_VALUE
    [violation] = preview.violations("lambda-role-no-wildcard-actions")
    assert "Lambda role 'api-eu-west-1-role' allows *" in violation.message


_SENTINELS = {
    bool: UNKNOWN_BOOLEAN_VALUE,
    int: UNKNOWN_NUMBER_VALUE,
    float: UNKNOWN_NUMBER_VALUE,
    str: UNKNOWN_STRING_VALUE,
    list: UNKNOWN_ARRAY_VALUE,
    dict: UNKNOWN_OBJECT_VALUE,
}


def _scramble(value, rng: random.Random, rate: float):
    if rng.random() < rate and type(value) in _SENTINELS:
        return _SENTINELS[type(value)]
    if isinstance(value, dict):
        return {k: _scramble(v, rng, rate) for k, v in value.items()}
    if isinstance(value, list):
        return [_scramble(v, rng, rate) for v in value]
    return value


@pytest.mark.parametrize("seed", range(60))
def test_any_value_unknown_never_crashes_a_policy(seed):
    rng = random.Random(seed)
    front_door, backend = COMBINATIONS[seed % len(COMBINATIONS)]
    fixture = compliant(front_door, backend)
    for resource in fixture.resources:
        if not resource.type.startswith("pulumi:providers:"):
            # Properties may be unknown; the property bag itself never is.
            resource.inputs = {k: _scramble(v, rng, 0.25) for k, v in resource.inputs.items()}
            resource.state = {k: _scramble(v, rng, 0.25) for k, v in resource.state.items()}
    violations = fixture.violations()
    # Policies skip what they cannot know; none gives up with the analyzer's "can't run policy".
    assert [v for v in violations if "during preview" in v.message] == []
    assert [v for v in violations if v.mandatory] == []


def test_a_validator_that_reads_an_unknown_value_becomes_advisory_like_in_the_analyzer():
    def naive(args, report_violation):
        if args.resource_type == "aws:lambda/function:Function" and args.props["role"] != "x":
            report_violation("never reached in preview")

    def naive_stack(args, report_violation):
        for resource in args.resources:
            if resource.resource_type == "aws:lambda/function:Function":
                resource.props["arn"]

    policies = [
        ResourceValidationPolicy(name="naive", description="reads role", validate=naive),
        StackValidationPolicy(name="naive-stack", description="reads arns", validate=naive_stack),
    ]
    fixture = unknown_in_preview(compliant("route53", "alb"))
    config = resolve_pack_config(policies, EnforcementLevel.MANDATORY)
    violations = evaluate(policies, fixture.resources, config, home_region="us-east-1")
    assert violations and all(v.level == EnforcementLevel.ADVISORY for v in violations)
    assert (
        "can't run policy 'naive' during preview: string value at .role can't be known during preview"
        in violations[0].message
    )
    assert any(v.policy == "naive-stack" and v.resource == "stack" for v in violations)


def test_get_turns_unknowns_into_the_sentinel_at_any_depth():
    props = unknown_checking_proxy({"a": {"b": [UNKNOWN_STRING_VALUE, "x"]}, "c": UNKNOWN_OBJECT_VALUE})
    assert get(props, "a", "b", 0) is UNKNOWN
    assert get(props, "a", "b", 1) == "x"
    assert get(props, "c", "d") is UNKNOWN
    assert get(props, "missing", "d", default=3) == 3
