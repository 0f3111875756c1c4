"""Alarms that notify, the alarms that span regions, and the dashboard."""

import json

import pytest

from components.config import ConfigError
from components.observability.monitoring import replication_query
from tests.components.helpers import program

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.fixture(scope="module")
def run():
    return program(REGIONS, backend="alb", front_door="route53", alarms={"email": "ops@example.com"})


def topics(run) -> dict[str, str]:
    return {t.region: t.state["arn"] for t in run.of_type("aws:sns/topic:Topic")}


def test_every_alarm_notifies_the_topic_of_its_own_region(run):
    arns = topics(run)
    assert set(arns) == set(REGIONS)
    alarms = run.of_type(ALARM)
    assert alarms and all(a.inputs["alarmActions"] == [arns[a.region]] == a.inputs["okActions"] for a in alarms)


def test_the_email_address_is_subscribed_in_every_region(run):
    subscriptions = run.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert sorted(s.region for s in subscriptions) == sorted(REGIONS)
    assert all((s.inputs["protocol"], s.inputs["endpoint"]) == ("email", "ops@example.com") for s in subscriptions)


def test_each_region_alarms_on_entry_and_balancer_5xx_latency_throttles_and_the_live_aliass_errors(run):
    for region in REGIONS:
        metrics = sorted(
            a.inputs.get("metricName") for a in run.of_type(ALARM) if a.region == region and a.name.startswith("api-")
        )
        assert metrics == ["Duration", "Errors", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "Throttles"]


def test_replication_latency_is_alarmed_once_per_sending_region_with_each_receiver_a_contributor(run):
    alarms = [a for a in run.of_type(ALARM) if "-replication-" in a.name and "-stalled-" not in a.name]
    assert sorted(a.region for a in alarms) == sorted(REGIONS)
    (table,) = run.of_type("aws:dynamodb/table:Table")
    for alarm in alarms:
        (query,) = alarm.inputs["metricQueries"]
        assert query["returnData"] and query["period"] == 60
        assert query["expression"] == replication_query(table.inputs["name"])
        assert (alarm.inputs["threshold"], alarm.inputs["evaluationPeriods"]) == (10_000, 5)
        # The period lives on the query (AWS: "Period must not be null"); an alarm-level one conflicts with it.
        assert not {"metricName", "statistic", "period"} & set(alarm.inputs)


def test_the_replication_query_groups_by_receiving_region_for_one_table():
    query = replication_query("global-serverless-prod-items")
    assert query == (
        'SELECT AVG(ReplicationLatency) FROM SCHEMA("AWS/DynamoDB", ReceivingRegion, TableName) '
        "WHERE TableName = 'global-serverless-prod-items' GROUP BY ReceivingRegion ORDER BY AVG() DESC"
    )


def test_a_single_region_stack_has_no_replication_alarm():
    run = program(["eu-west-1"], backend="alb", front_door="route53", alarms={"email": "ops@example.com"})
    assert not [a for a in run.of_type(ALARM) if "-replication-" in a.name]


def test_route53_health_checks_are_alarmed_in_us_east_1(run):
    checks = {c.state["id"] if "id" in c.state else c.id for c in run.of_type("aws:route53/healthCheck:HealthCheck")}
    alarms = [a for a in run.of_type(ALARM) if a.inputs.get("metricName") == "HealthCheckStatus"]
    assert len(alarms) == len(REGIONS) and {a.region for a in alarms} == {"us-east-1"}
    assert {a.inputs["dimensions"]["HealthCheckId"] for a in alarms} <= checks | {
        c.id for c in run.of_type("aws:route53/healthCheck:HealthCheck")
    }


def test_the_dashboard_shows_every_region_and_replica_pair(run):
    (dashboard,) = run.of_type("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.region == "us-east-1" and dashboard.inputs["dashboardName"] == "global-serverless-test"
    widgets = {
        w["properties"]["title"]: w["properties"]["metrics"]
        for w in json.loads(dashboard.inputs["dashboardBody"])["widgets"]
    }
    assert set(widgets) == {
        "Requests per region", "5xx per region", "5xx per front door (function's count)",
        "Function p99 duration (ms)", "Throttles",
        "Replication latency (ms)", "Route 53 health checks (1 = healthy)",
        "Requests per front door (function's count)", "p99 latency per front door, in the function (ms)",
        "Probe latency p50 per door (ms)", "Probe latency p99 per door (ms)",
        "Probe availability per door (share of successes)",
        *(f"Probe failures by reason, from {region}" for region in REGIONS),
    }  # fmt: skip
    vantages = [(m[3], m[5]) for m in widgets["Probe availability per door (share of successes)"]]
    assert vantages == [("route53", region) for region in REGIONS]
    # Why probes failed: a widget a vantage, as one Metrics Insights query (a widget holds one) read where it
    # publishes; each door and reason a series.
    regions = {
        w["properties"]["title"]: w["properties"]["region"]
        for w in json.loads(dashboard.inputs["dashboardBody"])["widgets"]
    }
    for region in REGIONS:
        ((query,),) = widgets[f"Probe failures by reason, from {region}"]
        assert regions[f"Probe failures by reason, from {region}"] == region
        assert query["region"] == region
        assert query["expression"] == (
            'SELECT SUM(Failures) FROM SCHEMA("GlobalServerless/Probes", Door, Reason, Vantage) '
            f"WHERE Vantage = '{region}' GROUP BY Door, Reason"
        )
    doors = {m[3] for m in widgets["Requests per front door (function's count)"]}
    assert doors == {"route53", "direct"}
    assert [m[-1]["region"] for m in widgets["5xx per region"]] == REGIONS
    assert len(widgets["Replication latency (ms)"]) == len(REGIONS) * (len(REGIONS) - 1)


def test_existing_topics_named_per_region_are_used_instead():
    run = program(
        REGIONS,
        backend="alb",
        front_door="globalaccelerator",
        alarms={"topicArn": "arn:aws:sns:{region}:123456789012:ops"},
    )
    assert run.of_type("aws:sns/topic:Topic") == []
    assert all(a.inputs["alarmActions"] == [f"arn:aws:sns:{a.region}:123456789012:ops"] for a in run.of_type(ALARM))


def test_a_single_region_topic_for_a_multi_region_stack_is_a_named_error():
    with pytest.raises(ConfigError) as caught:
        program(
            REGIONS,
            backend="alb",
            front_door="globalaccelerator",
            alarms={"topicArn": "arn:aws:sns:us-east-1:123456789012:ops"},
        )
    assert (
        caught.value.key == "global-serverless:alarms" and "arn:aws:sns:{region}:123456789012:ops" in caught.value.fix
    )
