"""The live alias and the CodeDeploy release of one region (components/regional/release.py), built directly under
the project's Pulumi mocks: a small program with one function, the alias, and CodeDeploy when it moves the alias."""

import json
import textwrap
from typing import Any

import pytest

import offline.engine.run
from components.regional.release import FunctionReleaseArgs
from offline.engine.mocks import ACCOUNT
from offline.engine.run import ProgramRun, run_program
from tests.components.helpers import program

REGION = "eu-west-1"
CANARY = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
PROGRAM = """
import pulumi
import pulumi_aws as aws

from components.regional.release import CodeDeployRelease, CodeDeployReleaseArgs, FunctionReleaseArgs, live_alias

release = FunctionReleaseArgs(**{release})
provider = aws.Provider("eu", region="{region}")
opts = pulumi.ResourceOptions(provider=provider)
function = aws.lambda_.Function(
    "api-fn", runtime="python3.12", handler="api.handler.handler", role="arn:aws:iam::123456789012:role/r",
    code=pulumi.AssetArchive({{}}), publish=True, snap_start=release.function_snap_start(), opts=opts,
)
alias = live_alias("api", function, release, opts)
if release.codedeploy_moves_alias:
    alarm = aws.cloudwatch.MetricAlarm(
        "api-errors", comparison_operator="GreaterThanThreshold", evaluation_periods=1, threshold=1, opts=opts
    )
    CodeDeployRelease(
        "api-deploy",
        CodeDeployReleaseArgs(
            region="{region}",
            application_name="global-serverless-test-api",
            deployment_config=release.deployment_config,
            alarm_names=[alarm.name],
        ),
        provider=provider,
    )
"""


def build(monkeypatch, tmp_path, **release) -> ProgramRun:
    main = tmp_path / "__main__.py"
    main.write_text(textwrap.dedent(PROGRAM.format(release=repr(release), region=REGION)))
    monkeypatch.setattr(offline.engine.run, "MAIN", main)
    return run_program("test", values={"aws:region": REGION})


def one(run: ProgramRun, type_: str):
    (resource,) = run.of_type(type_)
    return resource


def test_all_at_once_the_alias_follows_the_newest_published_version(monkeypatch, tmp_path):
    run = build(monkeypatch, tmp_path)
    function, alias = one(run, "aws:lambda/function:Function"), one(run, "aws:lambda/alias:Alias")
    assert alias.inputs["name"] == "live" and alias.inputs["functionName"] == function.state["name"]
    assert alias.inputs["functionVersion"] == function.state["version"] == "1"  # a published version, not $LATEST
    assert alias.ignore_changes == []  # `pulumi up` moves it
    assert "snapStart" not in function.inputs
    assert not [r for r in run.resources if r.type.startswith("aws:codedeploy/")]
    assert not run.of_type("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")


def test_canary_codedeploy_owns_the_alias_and_rolls_back_on_the_alarms(monkeypatch, tmp_path):
    run = build(monkeypatch, tmp_path, deployment_config=CANARY)
    alias = one(run, "aws:lambda/alias:Alias")
    # Created on the version published then, never reset by a later `pulumi up`: CodeDeploy moves it.
    assert alias.inputs["functionVersion"] == "1"
    assert sorted(alias.ignore_changes) == ["functionVersion", "routingConfig"]

    application = one(run, "aws:codedeploy/application:Application")
    assert application.inputs == {"name": "global-serverless-test-api", "computePlatform": "Lambda"}
    group = one(run, "aws:codedeploy/deploymentGroup:DeploymentGroup")
    assert group.inputs["appName"] == "global-serverless-test-api"
    assert group.inputs["deploymentGroupName"] == "live"
    assert group.inputs["deploymentConfigName"] == CANARY
    assert group.inputs["deploymentStyle"] == {
        "deploymentType": "BLUE_GREEN",
        "deploymentOption": "WITH_TRAFFIC_CONTROL",
    }
    assert group.inputs["autoRollbackConfiguration"] == {
        "enabled": True,
        "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    }
    alarm = one(run, "aws:cloudwatch/metricAlarm:MetricAlarm")
    assert group.inputs["alarmConfiguration"] == {"enabled": True, "alarms": [alarm.state["name"]]}

    role = one(run, "aws:iam/role:Role")
    assert group.inputs["serviceRoleArn"] == role.state["arn"]
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "codedeploy.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {
            "aws:SourceArn": f"arn:aws:codedeploy:{REGION}:{ACCOUNT}:deploymentgroup:global-serverless-test-api/live"
        },
    }
    attachment = one(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited"
    assert attachment.urn in group.dependencies  # CodeDeploy checks the role when the group is created


def test_provisioned_concurrency_is_on_the_alias(monkeypatch, tmp_path):
    run = build(monkeypatch, tmp_path, provisioned_concurrency=3)
    config = one(run, "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
    alias = one(run, "aws:lambda/alias:Alias")
    assert config.inputs["qualifier"] == "live" and config.inputs["provisionedConcurrentExecutions"] == 3
    assert alias.urn in config.dependencies  # the alias exists first


def test_snapstart_applies_to_published_versions(monkeypatch, tmp_path):
    run = build(monkeypatch, tmp_path, snap_start=True)
    assert one(run, "aws:lambda/function:Function").inputs["snapStart"] == {"applyOn": "PublishedVersions"}


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"snap_start": True, "provisioned_concurrency": 2}, "SnapStart together with provisioned concurrency"),
        ({"provisioned_concurrency": -1}, "0 or more"),
    ],
)
def test_what_lambda_refuses_is_refused_before_any_resource(args, named):
    with pytest.raises(ValueError, match=named):
        FunctionReleaseArgs(**args)


def test_the_alias_arn_is_the_function_arn_qualified_with_live(monkeypatch, tmp_path):
    """What the entries register and integrate (offline/engine/mocks.py answers as Lambda does)."""
    run = build(monkeypatch, tmp_path)
    function, alias = one(run, "aws:lambda/function:Function"), one(run, "aws:lambda/alias:Alias")
    assert alias.state["arn"] == f"{function.state['arn']}:live"


# -- The whole program: every region, every entry ----------------------------------------------------------------

REGIONS = ["us-east-1", "eu-west-1"]
ENTRY_PRINCIPALS = {"elasticloadbalancing.amazonaws.com", "apigateway.amazonaws.com"}


def aliases_by_region(run: ProgramRun) -> dict:
    return {a.region: a for a in run.of_type("aws:lambda/alias:Alias")}


@pytest.mark.parametrize("backend", ["alb", "apigateway"])
def test_every_entry_of_every_region_invokes_the_live_alias(backend):
    run = program(REGIONS, backend=backend, front_door="route53")
    aliases = aliases_by_region(run)
    assert set(aliases) == set(REGIONS)
    api_functions = {f.region: f for f in run.of_type("aws:lambda/function:Function") if f.name.startswith("api-")}
    for region, function in api_functions.items():
        assert function.inputs["publish"] is True
        assert aliases[region].inputs["functionVersion"] == function.state["version"]
    targets = run.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")
    integrations = run.of_type("aws:apigatewayv2/integration:Integration")
    assert len(targets if backend == "alb" else integrations) == len(REGIONS)
    for target in targets:
        assert target.inputs["targetId"] == aliases[target.region].state["arn"]
    for integration in integrations:
        assert integration.inputs["integrationUri"] == aliases[integration.region].state["arn"]
    permissions = [
        p for p in run.of_type("aws:lambda/permission:Permission") if p.inputs["principal"] in ENTRY_PRINCIPALS
    ]
    assert len(permissions) == len(REGIONS) and {p.inputs["qualifier"] for p in permissions} == {"live"}
    # ELB checks its permission when it registers the target; API Gateway needs it before it sends a request.
    for entry in targets + integrations:
        (permission,) = [p for p in permissions if p.region == entry.region]
        assert permission.urn in entry.dependencies
    assert run.outputs["functionNames"] == {r: f.state["name"] for r, f in api_functions.items()}


def test_all_at_once_is_the_default_and_needs_no_codedeploy():
    run = program(REGIONS, backend="apigateway", front_door="route53")
    assert {a.region: a.ignore_changes for a in aliases_by_region(run).values()} == {r: [] for r in REGIONS}
    assert not [r for r in run.resources if r.type.startswith("aws:codedeploy/")]


@pytest.mark.parametrize(
    ("backend", "rollback"), [("alb", {"5xx", "errors", "elb-5xx"}), ("apigateway", {"5xx", "errors"})]
)
def test_a_canary_release_has_a_deployment_group_per_region_watching_its_alarms(backend, rollback):
    run = program(REGIONS, backend=backend, front_door="route53", release={"strategy": "canary"})
    assert {a.region: sorted(a.ignore_changes) for a in aliases_by_region(run).values()} == {
        r: ["functionVersion", "routingConfig"] for r in REGIONS
    }
    applications = {a.region: a for a in run.of_type("aws:codedeploy/application:Application")}
    groups = {g.region: g for g in run.of_type("aws:codedeploy/deploymentGroup:DeploymentGroup")}
    assert set(applications) == set(groups) == set(REGIONS)
    for region in REGIONS:
        assert applications[region].inputs["name"] == "global-serverless-test-api"
        assert groups[region].inputs["deploymentConfigName"].startswith("CodeDeployDefault.LambdaCanary")
        alarms = {
            a.name.removeprefix(f"api-{region}-"): a.state["name"]
            for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
            if a.region == region and a.name.startswith(f"api-{region}-")
        }
        assert sorted(groups[region].inputs["alarmConfiguration"]["alarms"]) == sorted(alarms[s] for s in rollback)


def test_the_errors_alarm_watches_the_alias():
    run = program(REGIONS, backend="apigateway", front_door="route53")
    (alarm,) = [a for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.name == "api-eu-west-1-errors"]
    (function,) = [f for f in run.of_type("aws:lambda/function:Function") if f.name == "api-eu-west-1-fn"]
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/Lambda", "Errors")
    assert alarm.inputs["dimensions"] == {
        "FunctionName": function.state["name"],
        "Resource": f"{function.state['name']}:live",
    }


def test_provisioned_concurrency_where_configured_and_snapstart_on_the_function():
    run = program(REGIONS, backend="apigateway", front_door="route53", provisionedConcurrency={"us-east-1": 3})
    (config,) = run.of_type("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
    assert (config.region, config.inputs["qualifier"], config.inputs["provisionedConcurrentExecutions"]) == (
        "us-east-1",
        "live",
        3,
    )
    snap = program(REGIONS, backend="apigateway", front_door="route53", snapStart=True, release={"strategy": "canary"})
    api = [f for f in snap.of_type("aws:lambda/function:Function") if f.name.startswith("api-")]
    assert [f.inputs["snapStart"] for f in api] == [{"applyOn": "PublishedVersions"}] * len(REGIONS)
    assert not snap.of_type("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")


# -- A `pulumi up` after an update that failed between updating the code and publishing it -----------------------


def test_an_alias_is_never_put_on_latest_the_program_stops_with_the_recovery(monkeypatch, tmp_path):
    """The provider publishes only when the function changes in the update; after an update that failed before
    publishing, the next one changes nothing, publishes nothing and reads the version back as $LATEST (the mocks
    answer $LATEST for a function that does not publish). The alias must not move there: the program stops, before
    the alias is registered, naming the recovery."""
    from pulumi.runtime.settings import SETTINGS

    from components.regional.release import UnpublishedVersion

    main = tmp_path / "__main__.py"
    main.write_text(
        textwrap.dedent(PROGRAM.format(release=repr({}), region=REGION)).replace("publish=True", "publish=False")
    )
    monkeypatch.setattr(offline.engine.run, "MAIN", main)
    try:
        run = run_program("test", values={"aws:region": REGION}, raise_errors=False)
    finally:
        # The exception stays in the Pulumi runtime's globals (the failed apply's task, the RPC manager's unhandled
        # exception) and would surface in the next program run of this process: clear them, as pulumi's mocks do.
        runtime: Any = SETTINGS  # pulumi types it through a decorator pyright cannot bind
        runtime.rpc_manager.clear()
        runtime.outputs.clear()
    assert isinstance(run.error, UnpublishedVersion), run.error
    message = str(run.error)
    assert "$LATEST" in message
    function = one(run, "aws:lambda/function:Function")
    assert (
        f"aws lambda publish-version --function-name {function.state['name']} --region {REGION}; "
        "pulumi refresh; pulumi up" in message
    )
    assert "pulumi up --refresh" in message
    assert not run.of_type("aws:lambda/alias:Alias")
