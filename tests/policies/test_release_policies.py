"""The release policies (policies/release.py) against the hand-made stacks: entries invoke the `live` alias, and
SnapStart and provisioned concurrency sit where Lambda applies them. One mutation per test."""

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.fixtures import ACCOUNT, compliant

ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
PERMISSION = "aws:lambda/permission:Permission"
PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
REGION = "eu-west-1"
FUNCTION = f"api-{REGION}-fn"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}"
ALIAS_ARN = f"{FUNCTION_ARN}:live"
GROUP_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{REGION}-tg/0123456789abcdef"
POLICIES = ("entries-invoke-alias", "cold-starts-on-versions")


def alb_stack(target: str = ALIAS_ARN, qualifier="live", function=FUNCTION):
    """The ALB stack with its Lambda target registered and ELB allowed to invoke it (components/regional/entries/
    alb.py): the permission first, the target after it."""
    fixture = compliant("globalaccelerator", "alb")
    permission = {
        "action": "lambda:InvokeFunction",
        "function": function,
        "principal": "elasticloadbalancing.amazonaws.com",
    }
    if qualifier is not None:
        permission["qualifier"] = qualifier
    fixture.new(PERMISSION, f"api-{REGION}-alb-invoke", REGION, {**permission, "sourceArn": GROUP_ARN})
    fixture.new(
        ATTACHMENT,
        f"api-{REGION}-alb-target",
        REGION,
        {"targetGroupArn": GROUP_ARN, "targetId": target},
        deps={"targetId": [f"api-{REGION}-live"]} if target == ALIAS_ARN else {"targetId": [FUNCTION]},
    )
    return fixture


def messages(fixture, *policies: str) -> list[str]:
    return [v.message for v in fixture.violations(*(policies or POLICIES))]


@pytest.mark.parametrize(("front_door", "backend"), [("globalaccelerator", "alb"), ("route53", "apigateway")])
def test_stacks_whose_entries_invoke_the_alias_pass(front_door, backend):
    assert messages(compliant(front_door, backend)) == []
    assert messages(alb_stack()) == []


@pytest.mark.parametrize("target", [FUNCTION_ARN, f"{FUNCTION_ARN}:$LATEST"])
def test_an_alb_target_on_the_unqualified_function_is_named(target):
    (message,) = messages(alb_stack(target=target))
    assert message.startswith(f"{ATTACHMENT} 'api-{REGION}-alb-target' in {REGION}: targetId is {target}")
    assert "Fix: invoke the function's `live` alias (alias.arn)" in message


def test_an_alb_target_on_another_version_or_alias_passes():
    assert messages(alb_stack(target=f"{FUNCTION_ARN}:7")) == []


@pytest.mark.parametrize("qualifier", [None, "$LATEST"])
def test_an_entry_permission_without_the_alias_is_named(qualifier):
    (message,) = messages(alb_stack(qualifier=qualifier))
    assert f"{PERMISSION} 'api-{REGION}-alb-invoke'" in message
    assert f"lets elasticloadbalancing.amazonaws.com invoke '{FUNCTION}'" in message
    assert "Fix: set qualifier to the alias's name" in message


def test_a_permission_granted_on_the_alias_arn_passes():
    assert messages(alb_stack(qualifier=None, function=ALIAS_ARN)) == []


def test_a_permission_for_another_principal_is_not_an_entrys():
    fixture = alb_stack()
    fixture.new(
        PERMISSION,
        "scheduler-invoke",
        REGION,
        {"action": "lambda:InvokeFunction", "function": FUNCTION, "principal": "events.amazonaws.com"},
    )
    assert messages(fixture) == []


def test_an_http_api_integration_with_the_functions_invoke_uri_is_named():
    fixture = compliant("route53", "apigateway")
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FUNCTION_ARN}/invocations"
    fixture.set(f"api-{REGION}-apigateway-lambda", "integrationUri", uri)
    (message,) = messages(fixture)
    assert f"integrationUri is {uri}: it invokes the unqualified function '{FUNCTION}'" in message


def test_in_preview_an_entry_fed_by_the_function_and_no_alias_is_named():
    fixture = compliant("route53", "apigateway")
    name = f"api-{REGION}-apigateway-lambda"
    fixture.set(name, "integrationUri", UNKNOWN_STRING_VALUE)
    assert messages(fixture) == []  # fed by the alias
    fixture.get(name).property_dependencies["integrationUri"] = [fixture.get(FUNCTION).urn]
    (message,) = messages(fixture)
    assert "the function itself (unknown during preview)" in message


def test_provisioned_concurrency_on_latest_is_named():
    fixture = compliant("globalaccelerator", "alb")
    props = {"functionName": FUNCTION, "qualifier": "$LATEST", "provisionedConcurrentExecutions": 2.0}
    fixture.new(PROVISIONED, f"api-{REGION}-provisioned", REGION, props)
    (message,) = messages(fixture, "cold-starts-on-versions")
    assert "qualifier is $LATEST: provisioned concurrency applies to an alias or a published version" in message
    fixture.set(f"api-{REGION}-provisioned", "qualifier", "live")
    assert messages(fixture) == []


def test_snapstart_with_provisioned_concurrency_is_named():
    fixture = compliant("globalaccelerator", "alb")
    fixture.set(FUNCTION, "snapStart", {"applyOn": "PublishedVersions"})
    assert messages(fixture) == []  # SnapStart on a function that publishes, alone
    props = {"functionName": FUNCTION, "qualifier": "live", "provisionedConcurrentExecutions": 2.0}
    fixture.new(PROVISIONED, f"api-{REGION}-provisioned", REGION, props, deps={"functionName": [FUNCTION]})
    (message,) = messages(fixture, "cold-starts-on-versions")
    assert message.startswith(f"aws:lambda/function:Function '{FUNCTION}' in {REGION}: has SnapStart and provisioned")


def test_snapstart_on_a_function_that_does_not_publish_is_named():
    fixture = compliant("globalaccelerator", "alb")
    fixture.set(FUNCTION, "snapStart", {"applyOn": "PublishedVersions"}).drop(FUNCTION, "publish")
    (message,) = messages(fixture, "cold-starts-on-versions")
    assert "publish is (not set): Lambda snapshots published versions only" in message


# -- The CodeDeploy service role (components/regional/release.py CodeDeployRelease) -------------------------------

GROUP = f"arn:aws:codedeploy:{REGION}:{ACCOUNT}:deploymentgroup:global-serverless-test-api/live"


def codedeploy_trust(condition):
    statement = {"Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"}, "Action": "sts:AssumeRole"}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize(
    ("condition", "named"),
    [
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": GROUP}}, None),
        (None, "assume the role with no StringEquals aws:SourceAccount"),
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, "assume the role with no aws:SourceArn condition"),
        (
            {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:codedeploy:{REGION}:{ACCOUNT}:application:global-serverless"},
            },
            "not a deploymentgroup ARN",
        ),
    ],
)
def test_the_codedeploy_role_names_its_account_and_deployment_group(condition, named):
    """CodeDeploy user guide, "Cross-service confused deputy prevention": aws:SourceArn is the deployment group."""
    fixture = compliant("globalaccelerator", "alb")
    fixture.new(
        "aws:iam/role:Role", f"api-{REGION}-deploy-role", REGION, {"assumeRolePolicy": codedeploy_trust(condition)}
    )
    found = [v.message for v in fixture.violations("service-trust-confused-deputy")]
    assert found == [] if named is None else any(named in message for message in found), found
