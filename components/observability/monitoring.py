"""Where alarms go, the alarms that span regions, and the stack's dashboard.

- AlarmTopics: one SNS topic per region that has alarms (CloudWatch alarm actions must be in the
  alarm's region), subscribed to `alarms.email`; or the existing topics `alarms.topicArn` names.
- StackMonitoring: replication latency to every other replica, one alarm per sending region (a
  Metrics Insights query grouped by receiving region: each pair is a contributor), Route 53
  health-check status per region (alarmed in us-east-1, where Route 53 publishes it), and one
  CloudWatch dashboard with per-region requests, 5xx, p99 duration and throttles, replication latency,
  the health checks, and the probes' latency, availability and failures by reason per door and vantage.
- Replication stalled, per sending region: a receiving region that stops reporting ReplicationLatency
  while this region writes. The latency alarm cannot see it: a series with no data is no contributor of a
  Metrics Insights query, and alarms on AWS/DynamoDB metrics always ignore missing data whatever
  treat_missing_data says (CloudWatch API Reference, PutMetricAlarm, TreatMissingData). So a metric math
  alarm turns absence into a value: FILL(m, 0) ("Using metric math", FILL) per receiver, gated on this
  region's writes (SuccessfulRequestLatency SampleCount of UpdateItem: the API's only write), so a quiet
  table is no stall.
- CloudFront, per distribution, in us-east-1 (AWS/CloudFront, DistributionId, Region=Global: CloudFront
  Developer Guide, "Types of metrics for CloudFront"): 5xxErrorRate, and Lambda@Edge's execution errors
  and invalid responses (LambdaExecutionError, LambdaValidationError: "Viewing the default Lambda@Edge
  function metrics"). These count the router's errors at every edge, wherever it ran, in one place; the
  function's own AWS/Lambda metrics are per region it ran in (FunctionName us-east-1.<name>), a set of
  regions the stack does not choose, so they are not alarmed here.
- WAF, per web ACL, where its metrics are: AWS/WAFV2 BlockedRequests, WebACL = the ACL's metric name,
  Rule = ALL, and Region for REGIONAL (none for CLOUDFRONT, whose metrics are in us-east-1): AWS WAF
  Developer Guide, "AWS WAF metrics and dimensions".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

import pulumi
import pulumi_aws as aws

from components.config import AlarmsSettings
from components.observability.alarms import (
    MAX_ALARM_METRICS,
    AlarmSpec,
    MathAlarmSpec,
    MathMetric,
    QueryAlarmSpec,
    math_alarm,
    metric_alarm,
    query_alarm,
)
from components.regional import function_settings as plan
from components.registry import DOORS, EDGE_REGION, PROBE_NAMESPACE, component_type
from components.stack import naming
from components.stack.providers import Providers
from functions.api import contract
from functions.probe import contract as probe_contract

TOPICS_TYPE = component_type("AlarmTopics")
MONITORING_TYPE = component_type("StackMonitoring")

if TYPE_CHECKING:
    from components.security.web_acl import AclMetric


# Alarm thresholds of the signals issue 20 added.
CLOUDFRONT_5XX_PERCENT = 5  # AWS's own example: 5% of viewer requests for 5 continuous minutes
STALLED_PERIOD_SECONDS = 300
STALLED_PERIODS = 3  # 15 minutes of writes here and no replication to a receiver reported
WAF_BLOCKED_PERIOD_SECONDS = 300  # the rate rule's own window


@dataclass(frozen=True)
class MonitoredStack:
    """What monitoring takes of the stack config (built in __main__.py): no component gets the whole settings."""

    project: str
    stack: str
    home_region: str
    regions: tuple[str, ...]
    strategies: tuple[str, ...]  # the front doors
    probe_regions: tuple[str, ...]  # the stack's regions, then the probes' extra vantages
    alarms: Optional[AlarmsSettings] = None  # where alarms go (None: the stack's own topics, unsubscribed)
    acls: tuple[AclMetric, ...] = ()  # the web ACLs' metrics (web_acl.acl_metrics)
    waf_rate_limit: int = 0  # waf.rateLimit, when there are web ACLs


def _edge_alarms(settings: MonitoredStack) -> bool:
    """Alarms in us-east-1: Route 53's health checks, CloudFront's metrics, a CLOUDFRONT web ACL's."""
    return any(DOORS[s].alarms_in_edge_region for s in settings.strategies)


def topic_regions(settings: MonitoredStack) -> tuple[str, ...]:
    """Every region with alarms: the backends', plus us-east-1 for Route 53's and CloudFront's metrics."""
    regions = settings.probe_regions
    extra = (EDGE_REGION,) if _edge_alarms(settings) and EDGE_REGION not in regions else ()
    return (*regions, *extra)


class AlarmTopics(pulumi.ComponentResource):
    def __init__(
        self, name: str, stack: MonitoredStack, providers: Providers, opts: Optional[pulumi.ResourceOptions] = None
    ):
        super().__init__(TOPICS_TYPE, name, None, opts)
        self.arns: dict[str, pulumi.Output[str]] = {}
        alarms = stack.alarms
        for region in topic_regions(stack):
            if alarms is not None and alarms.topic_arn is not None:
                self.arns[region] = pulumi.Output.from_input(alarms.topic_arn.replace("{region}", region))
                continue
            provider = providers[region] if region in stack.probe_regions else providers.edge
            child = pulumi.ResourceOptions(parent=self, provider=provider)
            topic = aws.sns.Topic(naming.regional(name, region), opts=child)
            if alarms is not None and alarms.email is not None:
                # Email subscriptions wait for the address to confirm (one message per region).
                aws.sns.TopicSubscription(
                    f"{naming.regional(name, region)}-email",
                    topic=topic.arn,
                    protocol="email",
                    endpoint=alarms.email,
                    opts=child,
                )
            self.arns[region] = topic.arn
        self.register_outputs({})


@dataclass(frozen=True)
class StackMonitoringArgs:
    stack: MonitoredStack
    table_name: pulumi.Input[str]
    function_names: Mapping[str, pulumi.Input[str]]  # region -> API function name
    topic_arns: Mapping[str, pulumi.Input[str]]  # region -> alarm topic
    health_check_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)  # region -> Route 53 check
    distribution_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)  # door -> CloudFront distribution


class StackMonitoring(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: StackMonitoringArgs, providers: Providers, opts: Optional[pulumi.ResourceOptions] = None
    ):
        super().__init__(MONITORING_TYPE, name, None, opts)
        settings = args.stack
        if len(settings.regions) > 1:
            replication = replication_alarm(args.table_name)  # the same query in every sending region
            for source in settings.regions:
                query_alarm(
                    f"{name}-replication-{source}",
                    replication,
                    args.topic_arns[source],
                    pulumi.ResourceOptions(parent=self, provider=providers[source]),
                )
            for source in settings.regions:
                for spec in replication_stalled_alarms(args.table_name, source, settings.regions):
                    math_alarm(
                        f"{name}-replication-stalled-{source}",
                        spec,
                        args.topic_arns[source],
                        pulumi.ResourceOptions(parent=self, provider=providers[source]),
                    )
        edge = pulumi.ResourceOptions(parent=self, provider=providers.edge)
        for door, distribution_id in args.distribution_ids.items():
            for spec in cloudfront_alarms(distribution_id):
                metric_alarm(f"{name}-cloudfront-{door}", spec, args.topic_arns[EDGE_REGION], edge)
        for acl in settings.acls:
            where = edge if acl.region == EDGE_REGION and acl.scope == "CLOUDFRONT" else None
            opts = where or pulumi.ResourceOptions(parent=self, provider=providers[acl.region])
            metric_alarm(
                f"{name}-waf-{'edge' if acl.scope == 'CLOUDFRONT' else acl.region}",
                waf_blocked_alarm(acl.scope, acl.region, acl.metric_name, settings.waf_rate_limit),
                args.topic_arns[acl.region],
                opts,
            )
        for region, check_id in args.health_check_ids.items():
            metric_alarm(
                f"{name}-health-{region}", health_check_alarm(check_id, region), args.topic_arns[EDGE_REGION], edge
            )
        home = pulumi.ResourceOptions(parent=self, provider=providers.home)
        body = pulumi.Output.all(
            table=args.table_name,
            functions=pulumi.Output.all(**dict(args.function_names)),
            checks=pulumi.Output.all(**dict(args.health_check_ids)),
        ).apply(
            lambda values: json.dumps(dashboard_body(settings, values["table"], values["functions"], values["checks"]))
        )
        self.dashboard = aws.cloudwatch.Dashboard(
            name, dashboard_name=f"{settings.project}-{settings.stack}", dashboard_body=body, opts=home
        )
        home_region = settings.home_region
        self.dashboard_url = self.dashboard.dashboard_name.apply(
            lambda dashboard: (
                f"https://console.aws.amazon.com/cloudwatch/home?region={home_region}#dashboards:name={dashboard}"
            )
        )
        self.register_outputs({"dashboardUrl": self.dashboard_url})


def replication_query(table_name: str) -> str:
    """Average replication latency from this region to each other replica, one series per receiving region.

    DynamoDB publishes ReplicationLatency in the sending region with exactly the dimensions TableName and
    ReceivingRegion. GROUP BY makes each receiving region a contributor of its own (a multi-time-series
    alarm needs GROUP BY and ORDER BY); AVG per group is the Average statistic a per-pair alarm used.
    """
    return (
        'SELECT AVG(ReplicationLatency) FROM SCHEMA("AWS/DynamoDB", ReceivingRegion, TableName) '
        f"WHERE TableName = '{table_name}' GROUP BY ReceivingRegion ORDER BY AVG() DESC"
    )


def replication_alarm(table_name: pulumi.Input[str]) -> QueryAlarmSpec:
    return QueryAlarmSpec(
        "latency",
        f"Replication from this region to the region this alarm names as contributor has been slower than "
        f"{plan.ALARM_REPLICATION_MS} ms for 5 minutes: writes answered here reach that region late (or not, if "
        "it is down).",
        pulumi.Output.from_input(table_name).apply(replication_query),
        60,
        plan.ALARM_REPLICATION_MS,
        "GreaterThanThreshold",
        evaluation_periods=5,
    )


def replication_stalled_alarms(
    table_name: pulumi.Input[str], source: str, regions: tuple[str, ...] | list[str]
) -> list[MathAlarmSpec]:
    """Writes in `source` but no ReplicationLatency reported towards a receiver: that replica is stalled or gone.

    One alarm per sending region (more only past 9 receivers: an alarm reads at most 10 metrics, one of
    them the writes). Per period each receiver scores 1 when this region wrote (SampleCount of UpdateItem's
    SuccessfulRequestLatency > 0) and the pair has no ReplicationLatency sample (FILL(r, 0) == 0); the
    alarm breaches on the highest score for STALLED_PERIODS periods in a row.
    """
    receivers = [r for r in regions if r != source]
    per_alarm = MAX_ALARM_METRICS - 1
    chunks = [receivers[i : i + per_alarm] for i in range(0, len(receivers), per_alarm)]
    writes = MathMetric(
        "w",
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table_name, "Operation": "UpdateItem"},
        "SampleCount",
    )
    specs = []
    for index, chunk in enumerate(chunks, start=1):
        metrics = tuple(
            MathMetric(
                f"r{n}",
                "AWS/DynamoDB",
                "ReplicationLatency",
                {"TableName": table_name, "ReceivingRegion": receiver},
                "SampleCount",
            )
            for n, receiver in enumerate(chunk)
        )
        scores = [f"IF(FILL(w, 0) > 0 AND FILL({m.id}, 0) == 0, 1, 0)" for m in metrics]
        # MAX of an array is a time series; MAX of one series is a scalar, which an alarm cannot watch.
        expression = scores[0] if len(scores) == 1 else f"MAX([{', '.join(scores)}])"
        specs.append(
            MathAlarmSpec(
                str(index),
                f"This region has written for {STALLED_PERIODS * STALLED_PERIOD_SECONDS // 60} minutes but DynamoDB "
                f"reported no replication to {', '.join(chunk)} (one of them, see the dashboard's replication "
                "latency): that replica is stalled or its region is down, and the latency alarm cannot see it.",
                (writes, *metrics),
                expression,
                STALLED_PERIOD_SECONDS,
                1,
                "GreaterThanOrEqualToThreshold",
                evaluation_periods=STALLED_PERIODS,
                # AWS/DynamoDB alarms ignore missing data whatever this says (PutMetricAlarm, TreatMissingData);
                # FILL is what makes absence count, and no data at all means no writes here either.
                missing_data="notBreaching",
            )
        )
    return specs


def cloudfront_alarms(distribution_id: pulumi.Input[str]) -> list[AlarmSpec]:
    """CloudFront's 5xx rate and Lambda@Edge's errors for one distribution (us-east-1, Region=Global)."""
    dimensions = {"DistributionId": distribution_id, "Region": "Global"}
    return [
        AlarmSpec(
            "5xx",
            f"More than {CLOUDFRONT_5XX_PERCENT}% of CloudFront's answers were 5xx for 5 minutes.",
            "AWS/CloudFront",
            "5xxErrorRate",
            dimensions,
            "Average",  # the metric's only valid statistic
            60,
            CLOUDFRONT_5XX_PERCENT,
            "GreaterThanThreshold",
            evaluation_periods=5,
        ),
        AlarmSpec(
            "edge-execution-errors",
            "The Lambda@Edge router failed (an exception or timeout): CloudFront answered those requests 503.",
            "AWS/CloudFront",
            "LambdaExecutionError",
            dimensions,
            "Sum",
            300,
            0,
            "GreaterThanThreshold",
        ),
        AlarmSpec(
            "edge-validation-errors",
            "The Lambda@Edge router returned a response CloudFront rejected: CloudFront answered those requests 502.",
            "AWS/CloudFront",
            "LambdaValidationError",
            dimensions,
            "Sum",
            300,
            0,
            "GreaterThanThreshold",
        ),
    ]


def waf_blocked_alarm(scope: str, region: str, metric_name: str, rate_limit: int) -> AlarmSpec:
    """A web ACL blocked more requests in 5 minutes than one client may send in that window."""
    dimensions = {"WebACL": metric_name, "Rule": "ALL"}
    if scope == "REGIONAL":
        dimensions["Region"] = region
    return AlarmSpec(
        "blocked",
        f"The {scope} web ACL {metric_name} blocked more than {rate_limit} requests in 5 minutes (the rate limit "
        "of one client): an attack, or legitimate traffic WAF takes for one (see its sampled requests or logs).",
        "AWS/WAFV2",
        "BlockedRequests",
        dimensions,
        "Sum",
        WAF_BLOCKED_PERIOD_SECONDS,
        rate_limit,
        "GreaterThanThreshold",
    )


def health_check_alarm(check_id: pulumi.Input[str], region: str) -> AlarmSpec:
    return AlarmSpec(
        "status",
        f"Route 53 sees {region} unhealthy: its latency record is out of rotation.",
        "AWS/Route53",
        "HealthCheckStatus",
        {"HealthCheckId": check_id},
        "Minimum",
        60,
        1,
        "LessThanThreshold",
        missing_data="breaching",
    )


def dashboard_body(
    settings: MonitoredStack, table: str, functions: Mapping[str, str], checks: Mapping[str, str]
) -> dict:
    """The dashboard's widgets: pure, so a test reads what operators will see."""
    c = contract
    service = c.SERVICE_NAME
    namespace = c.METRICS_NAMESPACE

    def per_region(metric: str, stat: str) -> list:
        # The function's region dimension set (contract.REGION_DIMENSIONS), one series a region.
        return [
            [
                namespace,
                metric,
                c.DIMENSION_REGION,
                r,
                c.DIMENSION_SERVICE,
                service,
                {"region": r, "stat": stat, "label": r},
            ]
            for r in settings.regions
        ]

    def per_door(metric: str, stat: str) -> list:
        # The same metric under the door dimension set (contract.DOOR_DIMENSIONS): a door in a region a series.
        doors = (*settings.strategies, c.DIRECT_DOOR)
        return [
            [
                namespace,
                metric,
                c.DIMENSION_FRONT_DOOR,
                d,
                c.DIMENSION_REGION,
                r,
                c.DIMENSION_SERVICE,
                service,
                {"region": r, "stat": stat, "label": f"{d} {r}"},
            ]
            for d in doors
            for r in settings.regions
        ]

    widgets: list[dict[str, Any]] = [
        _widget("Requests per region", per_region(c.METRIC_REQUESTS, "Sum")),
        _widget("Requests per front door (function's count)", per_door(c.METRIC_REQUESTS, "Sum")),
        _widget("p99 latency per front door, in the function (ms)", per_door(c.METRIC_LATENCY, "p99")),
        _widget("5xx per region", per_region(c.METRIC_STATUS_5XX, "Sum")),
        _widget("5xx per front door (function's count)", per_door(c.METRIC_STATUS_5XX, "Sum")),
        _widget(
            "Function p99 duration (ms)",
            [
                ["AWS/Lambda", "Duration", "FunctionName", fn, {"region": r, "stat": "p99", "label": r}]
                for r, fn in functions.items()
            ],
        ),
        _widget(
            "Throttles",
            [
                ["AWS/Lambda", "Throttles", "FunctionName", fn, {"region": r, "stat": "Sum", "label": r}]
                for r, fn in functions.items()
            ],
        ),
        _widget(
            "Replication latency (ms)",
            [
                [
                    "AWS/DynamoDB",
                    "ReplicationLatency",
                    "TableName",
                    table,
                    "ReceivingRegion",
                    to,
                    {"region": src, "label": f"{src} -> {to}"},
                ]
                for src in settings.regions
                for to in settings.regions
                if to != src
            ],
        ),
    ]

    def per_probe(metric: str, stat: str) -> list:
        return [
            [
                PROBE_NAMESPACE,
                metric,
                probe_contract.DIMENSION_DOOR,
                d,
                probe_contract.DIMENSION_VANTAGE,
                v,
                {"region": v, "stat": stat, "label": f"{d} from {v}"},
            ]
            for d in settings.strategies
            for v in settings.probe_regions
        ]

    widgets += [
        _widget("Probe latency p50 per door (ms)", per_probe(probe_contract.METRIC_LATENCY, "p50")),
        _widget("Probe latency p99 per door (ms)", per_probe(probe_contract.METRIC_LATENCY, "p99")),
        _widget(
            "Probe availability per door (share of successes)", per_probe(probe_contract.METRIC_SUCCESS, "Average")
        ),
    ]
    # Why probes failed, per door and reason: a widget per vantage, since a widget holds one Metrics Insights
    # query and a query reads one region (where that vantage publishes).
    for v in settings.probe_regions:
        query = [[{"expression": probe_failures_query(v), "id": "failures", "region": v, "period": 60}]]
        widget = _widget(f"Probe failures by reason, from {v}", query)
        widget["properties"].update(region=v, stat="Sum")  # the widget reads where the query runs
        widgets.append(widget)
    if checks:
        widgets.append(
            _widget(
                "Route 53 health checks (1 = healthy)",
                [
                    [
                        "AWS/Route53",
                        "HealthCheckStatus",
                        "HealthCheckId",
                        check,
                        {"region": EDGE_REGION, "stat": "Minimum", "label": r},
                    ]
                    for r, check in checks.items()
                ],
            )
        )
    for index, widget in enumerate(widgets):
        widget.update(x=(index % 2) * 12, y=(index // 2) * 6)
    return {"widgets": widgets}


def probe_failures_query(vantage: str) -> str:
    """Failed probes from one vantage, per door and reason (functions/probe: Failures{Door,Vantage,Reason})."""
    c = probe_contract
    dimensions = f"{c.DIMENSION_DOOR}, {c.DIMENSION_REASON}, {c.DIMENSION_VANTAGE}"
    return (
        f'SELECT SUM({c.METRIC_FAILURES}) FROM SCHEMA("{PROBE_NAMESPACE}", {dimensions}) '
        f"WHERE {c.DIMENSION_VANTAGE} = '{vantage}' GROUP BY {c.DIMENSION_DOOR}, {c.DIMENSION_REASON}"
    )


def _widget(title: str, metrics: list) -> dict:
    return {
        "type": "metric",
        "width": 12,
        "height": 6,
        "properties": {"title": title, "metrics": metrics, "view": "timeSeries", "period": 60, "region": EDGE_REGION},
    }
