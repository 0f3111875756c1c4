"""Alarms that speak when it matters (issue 20): a replica that stops receiving, CloudFront's 5xx and
Lambda@Edge errors, and WAF's blocked requests; each notifies its own region's topic (alarm and OK)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import offline.engine.run
from components.observability.monitoring import replication_stalled_alarms
from tests.components.helpers import program

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
MAIN = Path(offline.engine.run.MAIN)
# What __main__ passes StackMonitoring once wired (the distributions' ids, from the doors' details).
WIRING = (
    "        health_check_ids=front_doors.health_check_ids,\n"
    "        distribution_ids={s: d['distributionId'] for s, d in front_doors.details.items() if 'distributionId' in d},\n"
)


@pytest.fixture
def wired(tmp_path, monkeypatch):
    """Run the program with StackMonitoring given the distribution ids (as is, once __main__ passes them)."""
    source = MAIN.read_text()
    if "distribution_ids=" not in source:
        source = source.replace("        health_check_ids=front_doors.health_check_ids,\n", WIRING)
    main = tmp_path / "__main__.py"
    main.write_text(source)
    monkeypatch.setattr(offline.engine.run, "MAIN", main)
    monkeypatch.syspath_prepend(str(MAIN.parent))


# --- a model of how CloudWatch evaluates these math alarms, per period -------------------------------


def _evaluate(expression: str, values: dict[str, float | None]) -> float | None:
    """One period of the expression: FILL replaces a missing value, IF/AND/MAX as metric math documents."""
    python = expression.replace("AND", "and").replace("IF(", "_if(").replace("FILL(", "_fill(").replace("MAX(", "max(")
    return eval(  # noqa: S307 the expression is the program's own, over known ids
        python,
        {"_fill": lambda v, x: x if v is None else v, "_if": lambda c, a, b: a if c else b, "max": max},
        dict(values),
    )


def _fires(alarm, periods: list[dict[str, float | None]]) -> bool:
    """ALARM when the last evaluationPeriods values all breach (threshold and comparison as configured)."""
    (expression,) = [q["expression"] for q in alarm.inputs["metricQueries"] if q.get("returnData")]
    threshold, comparison = alarm.inputs["threshold"], alarm.inputs["comparisonOperator"]
    assert comparison == "GreaterThanOrEqualToThreshold"
    last = periods[-int(alarm.inputs["evaluationPeriods"]) :]
    return all((_evaluate(expression, p) or 0) >= threshold for p in last)


@pytest.fixture(scope="module")
def run():
    return program(REGIONS, backend="alb", front_door="route53", alarms={"email": "ops@example.com"})


def stalled(run) -> list:
    return [a for a in run.of_type(ALARM) if "-replication-stalled-" in a.name]


def _ids(alarm) -> dict[str, dict]:
    return {q["id"]: q["metric"] for q in alarm.inputs["metricQueries"] if "metric" in q}


def test_each_sending_region_alarms_when_a_receiving_region_stops_reporting(run):
    alarms = stalled(run)
    assert sorted(a.region for a in alarms) == sorted(REGIONS)
    (table,) = run.of_type("aws:dynamodb/table:Table")
    for alarm in alarms:
        metrics = _ids(alarm)
        writes = metrics.pop("w")
        assert (writes["metricName"], writes["stat"], writes["dimensions"]) == (
            "SuccessfulRequestLatency",
            "SampleCount",
            {"TableName": table.inputs["name"], "Operation": "UpdateItem"},
        )
        receivers = {m["dimensions"]["ReceivingRegion"] for m in metrics.values()}
        assert receivers == set(REGIONS) - {alarm.region}
        assert all(
            (m["namespace"], m["metricName"], m["stat"]) == ("AWS/DynamoDB", "ReplicationLatency", "SampleCount")
            for m in metrics.values()
        )


def test_a_receiver_that_stops_reporting_fires_the_stalled_alarm_but_not_the_latency_alarm(run):
    (alarm,) = [a for a in stalled(run) if a.region == "us-east-1"]
    ids = {m["dimensions"]["ReceivingRegion"]: i for i, m in _ids(alarm).items() if i != "w"}
    healthy = {"w": 40.0, ids["eu-west-1"]: 40.0, ids["ap-southeast-1"]: 40.0}
    dead = {**healthy, ids["ap-southeast-1"]: None}  # no ReplicationLatency at all: no datapoint
    assert not _fires(alarm, [healthy] * 5)
    assert _fires(alarm, [healthy, healthy] + [dead] * int(alarm.inputs["evaluationPeriods"]))
    assert not _fires(alarm, [healthy] * 4 + [dead])  # one quiet period is not a stall
    # A quiet table (no writes here) has nothing to replicate: no data is not a stall then.
    assert not _fires(alarm, [{"w": None, **{i: None for i in ids.values()}}] * 5)
    # The latency alarm sees only the receivers that report: a dead one is no contributor at all.
    (latency,) = [a for a in run.of_type(ALARM) if a.name == "monitoring-replication-us-east-1-latency"]
    assert "ReceivingRegion" in latency.inputs["metricQueries"][0]["expression"]


def test_stalled_alarms_stay_within_cloudwatchs_ten_metrics_and_linear_in_regions():
    receivers = [f"r{i}" for i in range(15)]
    specs = replication_stalled_alarms("t", "us-east-1", ["us-east-1", *receivers])
    assert len(specs) == 2 and all(len(s.metrics) <= 10 for s in specs)
    covered = [m.dimensions["ReceivingRegion"] for s in specs for m in s.metrics if m.id != "w"]
    assert sorted(covered) == sorted(receivers)


def test_every_new_alarm_notifies_its_regions_topic_alarm_and_ok(run):
    topics = {t.region: t.state["arn"] for t in run.of_type("aws:sns/topic:Topic")}
    for alarm in stalled(run):
        assert alarm.inputs["alarmActions"] == [topics[alarm.region]] == alarm.inputs["okActions"]


def test_cloudfront_5xx_and_lambda_at_edge_errors_are_alarmed_per_distribution_in_us_east_1(wired):
    run = program(["eu-west-1", "ap-southeast-1"], backend="alb", front_door="cloudfront", alarms={"email": "o@x.io"})
    (distribution,) = run.of_type("aws:cloudfront/distribution:Distribution")
    topics = {t.region: t.state["arn"] for t in run.of_type("aws:sns/topic:Topic")}
    assert "us-east-1" in topics  # CloudFront's metrics are in us-east-1, and so is the alarms' topic
    alarms = {a.inputs["metricName"]: a for a in run.of_type(ALARM) if a.inputs.get("namespace") == "AWS/CloudFront"}
    assert set(alarms) == {"5xxErrorRate", "LambdaExecutionError", "LambdaValidationError"}
    for metric, alarm in alarms.items():
        assert alarm.region == "us-east-1"
        assert alarm.inputs["dimensions"] == {"DistributionId": distribution.id, "Region": "Global"}
        assert alarm.inputs["statistic"] == ("Average" if metric == "5xxErrorRate" else "Sum")
        assert alarm.inputs["alarmActions"] == [topics["us-east-1"]] == alarm.inputs["okActions"]


def test_without_cloudfront_there_are_no_cloudfront_alarms(wired):
    run = program(REGIONS, backend="alb", front_door="route53", alarms={"email": "o@x.io"})
    assert not [a for a in run.of_type(ALARM) if a.inputs.get("namespace") == "AWS/CloudFront"]


def test_waf_blocked_requests_are_alarmed_per_web_acl_where_its_metrics_are():
    run = program(
        ["eu-west-1", "ap-southeast-1"],
        backend="alb",
        front_door={"cloudfront": 50, "globalaccelerator": 50},
        waf={"rateLimit": 1500},
        alarms={"email": "o@x.io"},
    )
    topics = {t.region: t.state["arn"] for t in run.of_type("aws:sns/topic:Topic")}
    metrics = {
        (a.region, a.inputs["wafMetric"] if "wafMetric" in a.inputs else a.inputs["dimensions"]["WebACL"]): a
        for a in run.of_type(ALARM)
        if a.inputs.get("metricName") == "BlockedRequests"
    }
    names = {acl.region: acl.inputs["visibilityConfig"]["metricName"] for acl in run.of_type("aws:wafv2/webAcl:WebAcl")}
    assert set(metrics) == set(names.items())
    for (region, _), alarm in metrics.items():
        dims = alarm.inputs["dimensions"]
        assert alarm.inputs["namespace"] == "AWS/WAFV2" and dims["Rule"] == "ALL"
        # REGIONAL metrics carry a Region dimension; CLOUDFRONT's do not (and are in us-east-1).
        assert dims.get("Region") == (None if region == "us-east-1" else region)
        assert alarm.inputs["alarmActions"] == [topics[region]] == alarm.inputs["okActions"]


def test_alarm_names_say_what_they_watch(run):
    assert all(re.match(r"monitoring-replication-stalled-[a-z0-9-]+-\d+-", a.name) for a in stalled(run))


def test_one_receiver_is_watched_without_max_and_several_through_it():
    """MAX of one series is a scalar, which an alarm cannot watch; MAX of an array is a time series."""
    from components.observability.monitoring import replication_stalled_alarms

    (two,) = replication_stalled_alarms("table", "us-east-1", ["us-east-1", "eu-west-1"])
    (three,) = replication_stalled_alarms("table", "us-east-1", ["us-east-1", "eu-west-1", "ap-southeast-1"])
    assert not two.expression.startswith("MAX(") and two.expression.startswith("IF(")
    assert three.expression.startswith("MAX([")
