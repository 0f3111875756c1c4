"""Synthetic probes: every region runs one every minute, probing every door and every region's entry."""

import json

import pytest

from components.config import ConfigError
from functions.probe import contract
from offline.engine.mocks import ACCOUNT
from tests.components.helpers import policy_document, program

REGIONS = ["us-east-1", "eu-west-1"]


def test_each_region_probes_every_door_and_its_own_entry_every_minute():
    run = program(REGIONS, backend="alb", front_door={"route53": 1, "cloudfront": 1})
    functions = {f.region: f for f in run.of_type("aws:lambda/function:Function") if f.name.startswith("probes-")}
    assert set(functions) == set(REGIONS)
    for region, function in functions.items():
        env = function.inputs["environment"]["variables"]
        assert json.loads(env["PROBE_TARGETS"]) == {
            "route53": "https://route53.api.example.com/health",
            "cloudfront": "https://cloudfront.api.example.com/health",
            f"entry-{region}": f"https://{region}.api.example.com/health",  # the others' entries are theirs
        }
        assert (env["PROBE_VANTAGE"], env["PROBE_NAMESPACE"]) == (region, "GlobalServerless/Probes")
        assert json.loads(env[contract.ENV_REGIONS]) == REGIONS  # the only answers that count
        assert function.inputs["handler"] == "probe.handler.handler" and function.inputs["timeout"] == 30
    schedules = {s.region: s for s in run.of_type("aws:scheduler/schedule:Schedule")}
    assert set(schedules) == set(REGIONS)
    for region, schedule in schedules.items():
        assert schedule.inputs["scheduleExpression"] == "rate(1 minute)"
        assert schedule.inputs["flexibleTimeWindow"] == {"mode": "OFF"}
        assert schedule.inputs["target"]["arn"] == functions[region].state["arn"]


def test_the_probe_may_only_publish_its_own_metrics():
    run = program(REGIONS, backend="alb", front_door="route53")
    (policy,) = [p for p in run.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == "probes-us-east-1-access"]
    metrics, logs = policy_document(policy)["Statement"]
    assert metrics["Action"] == ["cloudwatch:PutMetricData"]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "GlobalServerless/Probes"}}
    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]


def test_each_doors_availability_is_alarmed_from_every_vantage():
    run = program(REGIONS, backend="alb", front_door={"route53": 1, "cloudfront": 1})
    alarms = [
        a for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.inputs.get("metricName") == "Success"
    ]
    seen = sorted((a.inputs["dimensions"]["Door"], a.inputs["dimensions"]["Vantage"], a.region) for a in alarms)
    assert seen == sorted((d, r, r) for d in ("route53", "cloudfront") for r in REGIONS)
    assert all(a.inputs["threshold"] == 0.9 and a.inputs["alarmActions"] for a in alarms)


def test_extra_vantage_regions_run_only_probes_and_their_alarm_topic():
    run = program(REGIONS, backend="alb", front_door="route53", probes={"vantageRegions": ["sa-east-1"]})
    there = sorted({r.type for r in run.resources if r.custom and r.region == "sa-east-1"} - {"pulumi:providers:aws"})
    assert there == sorted({
        "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:cloudwatch/logGroup:LogGroup",
        "aws:lambda/function:Function", "aws:scheduler/schedule:Schedule", "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:sns/topic:Topic", "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    })  # fmt: skip
    (probe,) = [f for f in run.of_type("aws:lambda/function:Function") if f.region == "sa-east-1"]
    env = probe.inputs["environment"]["variables"]
    assert env["PROBE_VANTAGE"] == "sa-east-1"
    assert set(json.loads(env["PROBE_TARGETS"])) == {"route53"}  # a vantage has doors to probe, no entry
    assert json.loads(env[contract.ENV_REGIONS]) == REGIONS  # a vantage is not a region that answers


@pytest.mark.parametrize(
    ("vantages", "message"),
    [
        (["us-east-1"], "us-east-1 is one of the stack's regions"),
        (["sa-east-9"], "not an AWS region code"),
        (["sa-east-1", "sa-east-1"], "listed twice"),
    ],
)
def test_bad_vantage_regions_are_named_errors(vantages, message):
    with pytest.raises(ConfigError) as caught:
        program(REGIONS, backend="alb", front_door="route53", probes={"vantageRegions": vantages})
    assert caught.value.key == "global-serverless:probes" and message in str(caught.value)


def test_a_late_or_failed_probe_is_dropped_not_retried():
    """One probe a minute, on time or not at all: no Scheduler retries (185 over 24 h by default), no Lambda
    async retries, nothing older than a minute delivered."""
    run = program(REGIONS, backend="alb", front_door="route53")
    functions = {f.region: f for f in run.of_type("aws:lambda/function:Function") if f.name.startswith("probes-")}
    for schedule in run.of_type("aws:scheduler/schedule:Schedule"):
        assert schedule.inputs["target"]["retryPolicy"] == {"maximumRetryAttempts": 0, "maximumEventAgeInSeconds": 60}
    configs = {c.region: c for c in run.of_type("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")}
    assert set(configs) == set(REGIONS)
    for region, config in configs.items():
        assert config.inputs["functionName"] == functions[region].state["name"]
        assert (config.inputs["maximumRetryAttempts"], config.inputs["maximumEventAgeInSeconds"]) == (0, 60)


def test_only_this_accounts_schedules_in_the_region_may_assume_the_invoking_role():
    run = program(REGIONS, backend="alb", front_door="route53")
    for region in REGIONS:
        role = run.by_name(f"probes-{region}-scheduler")
        policy = role.inputs["assumeRolePolicy"]
        (statement,) = (json.loads(policy) if isinstance(policy, str) else policy)["Statement"]
        assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:aws:scheduler:{region}:{ACCOUNT}:schedule-group/default"},
        }
        # The function's own role is Lambda's, unchanged.
        lambda_role = json.loads(run.by_name(f"probes-{region}-role").inputs["assumeRolePolicy"])
        assert "Condition" not in lambda_role["Statement"][0]
