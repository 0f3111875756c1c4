"""The pure release plan (components/regional/release_plan.py): waves, from -> to per region, the CodeDeploy
request and AppSpec, and how a deployment's answer and config read."""

from __future__ import annotations

import hashlib
import json

import pytest

from components.regional.release_plan import (
    ALIAS_NAME,
    DEPLOYMENT_GROUP_NAME,
    DEPLOYMENT_MARGIN_MINUTES,
    ROLLED_BACK,
    SUCCEEDED,
    RegionState,
    RegionStep,
    ReleasePlanError,
    ReleasePolicy,
    appspec_content,
    appspec_target,
    default_waves,
    deployment_outcome,
    deployment_problem,
    deployment_request,
    deployment_timeout_seconds,
    newest_version,
    plan_release,
    shift_minutes,
)

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")


def states(**current_and_newest: tuple[str, str | None]) -> dict[str, RegionState]:
    return {
        region.replace("_", "-"): RegionState(region.replace("_", "-"), f"api-{region}", current, newest)
        for region, (current, newest) in current_and_newest.items()
    }


def test_default_waves_are_the_first_region_alone_then_the_rest():
    assert default_waves(REGIONS) == (("us-east-1",), ("eu-west-1", "ap-southeast-1"))
    assert default_waves(("us-east-1",)) == (("us-east-1",),)
    assert default_waves(()) == ()


def test_only_all_at_once_leaves_the_aliases_to_pulumi_up():
    assert not ReleasePolicy().moves_aliases
    assert ReleasePolicy(strategy="canary").moves_aliases and ReleasePolicy(strategy="linear").moves_aliases


def test_the_newest_published_version_is_the_largest_number_and_never_latest():
    assert newest_version(["$LATEST", "1", "9", "10", "2"]) == "10"
    assert newest_version(["$LATEST"]) is None
    assert newest_version([]) is None


def test_the_plan_keeps_the_waves_order_and_skips_regions_already_on_their_newest_version():
    policy = ReleasePolicy("canary", (("eu-west-1",), ("us-east-1", "ap-southeast-1")), 10)
    plan = plan_release(policy, states(us_east_1=("3", "4"), eu_west_1=("4", "4"), ap_southeast_1=("2", "4")))
    assert [[(s.region, s.current, s.target, s.needed) for s in wave] for wave in plan.waves] == [
        [("eu-west-1", "4", "4", False)],
        [("us-east-1", "3", "4", True), ("ap-southeast-1", "2", "4", True)],
    ]
    assert plan.needed and [s.region for s in plan.steps] == ["eu-west-1", "us-east-1", "ap-southeast-1"]


def test_a_plan_with_every_alias_on_its_newest_version_needs_nothing():
    plan = plan_release(
        ReleasePolicy("linear", (REGIONS,)),
        states(us_east_1=("4", "4"), eu_west_1=("4", "4"), ap_southeast_1=("4", "4")),
    )
    assert not plan.needed


def test_an_alias_never_moves_backwards():
    (step,) = plan_release(ReleasePolicy("canary", (("us-east-1",),)), states(us_east_1=("5", "4"))).steps
    assert (step.current, step.target, step.needed) == ("5", "5", False)


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({}, "us-east-1: no API function known"),
        (states(us_east_1=("1", None)), "api-us_east_1 has no published version (run pulumi up"),
        (states(us_east_1=("$LATEST", "3")), "points at $LATEST, not a published version"),
    ],
)
def test_a_region_that_cannot_be_released_is_a_named_error(given, words):
    with pytest.raises(ReleasePlanError) as raised:
        plan_release(ReleasePolicy("canary", (("us-east-1",),)), given)
    assert words in str(raised.value) and str(raised.value).startswith("us-east-1: ")


def test_the_appspec_moves_the_live_alias_between_two_published_versions():
    step = RegionStep("eu-west-1", "gs-prod-api", "3", "4")
    assert json.loads(appspec_content(step)) == {
        "version": 0.0,
        "Resources": [
            {
                "gs-prod-api": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {"Name": "gs-prod-api", "Alias": "live", "CurrentVersion": "3", "TargetVersion": "4"},
                }
            }
        ],
    }
    assert appspec_target(appspec_content(step)) == "4"


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"Resources": []}', '{"Resources": [{"f": {}}]}'])
def test_an_appspec_without_a_target_reads_as_none(content):
    assert appspec_target(content) is None


def test_the_deployment_request_names_the_group_and_carries_the_appspec_with_its_digest():
    step = RegionStep("eu-west-1", "gs-prod-api", "3", "4")
    request = deployment_request("global-serverless-prod-api", step)
    assert request["applicationName"] == "global-serverless-prod-api"
    assert request["deploymentGroupName"] == DEPLOYMENT_GROUP_NAME
    revision = request["revision"]
    assert revision["revisionType"] == "AppSpecContent"
    content = revision["appSpecContent"]["content"]
    assert content == appspec_content(step)
    assert revision["appSpecContent"]["sha256"] == hashlib.sha256(content.encode()).hexdigest()
    assert "3 -> 4" in request["description"] and ALIAS_NAME in request["description"]


@pytest.mark.parametrize(
    ("routing", "name", "minutes"),
    [
        ({"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}}, "", 5),
        ({"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1}}, "", 10),
        ({"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 30, "linearInterval": 2}}, "", 8),
        ({"type": "AllAtOnce"}, "", 0),
        (None, "CodeDeployDefault.LambdaCanary10Percent30Minutes", 30),
        (None, "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes", 30),
        (None, "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", 10),
        (None, "CodeDeployDefault.LambdaAllAtOnce", 0),
        (None, "my-custom-config", None),
    ],
)
def test_shift_minutes_come_from_the_traffic_routing_or_a_predefined_name(routing, name, minutes):
    assert shift_minutes(routing, name) == minutes


def test_the_timeout_is_the_shift_plus_a_margin_and_an_hour_when_unknown():
    assert deployment_timeout_seconds(5) == (5 + DEPLOYMENT_MARGIN_MINUTES) * 60
    assert deployment_timeout_seconds(None) == (60 + DEPLOYMENT_MARGIN_MINUTES) * 60


@pytest.mark.parametrize(
    ("info", "outcome"),
    [
        ({"status": "Created"}, None),
        ({"status": "InProgress"}, None),
        ({"status": "Ready"}, None),
        ({"status": "Succeeded"}, SUCCEEDED),
        ({"status": "Stopped", "rollbackInfo": {"rollbackDeploymentId": "d-2"}}, ROLLED_BACK),
        ({"status": "Failed", "rollbackInfo": {"rollbackMessage": "rolled back"}}, ROLLED_BACK),
        ({"status": "Failed"}, "failed"),
        ({"status": "Stopped"}, "stopped"),
    ],
)
def test_a_deployments_outcome(info, outcome):
    assert deployment_outcome(info) == outcome


def test_a_deployments_problem_is_codedeploys_own_words():
    info = {
        "status": "Stopped",
        "errorInformation": {"code": "ALARM_ACTIVE", "message": "Activated alarms: <api-5xx>"},
        "rollbackInfo": {"rollbackDeploymentId": "d-2", "rollbackMessage": "rolled back by d-2"},
    }
    assert deployment_problem(info) == "ALARM_ACTIVE: Activated alarms: <api-5xx>; rolled back by d-2"
    assert deployment_problem({"status": "Failed"}) == "status Failed"
