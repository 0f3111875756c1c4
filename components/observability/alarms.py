"""Metric alarms, all built one way: every alarm notifies its region's alarm topic (alarm and OK).

AlarmSpec watches one metric; QueryAlarmSpec a Metrics Insights query, which can watch many series
in one alarm (with GROUP BY, each series is a contributor with its own state and the notification
names it). A query alarm is what keeps per-pair watching linear in regions. MathAlarmSpec watches a
metric math expression over several metrics: what turns a series that stops reporting into a value the
alarm can judge (FILL), where treat_missing_data cannot.
"""

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AlarmSpec:
    suffix: str
    description: str
    namespace: str
    metric: str
    dimensions: dict[str, Any]
    statistic: str  # "Sum", "Average", "Minimum", "Maximum" or a percentile like "p99"
    period: int  # seconds
    threshold: float
    comparison: str
    evaluation_periods: int = 1
    missing_data: str = "notBreaching"


@dataclass(frozen=True)
class QueryAlarmSpec:
    suffix: str
    description: str
    query: Any  # pulumi.Input[str]: a Metrics Insights query
    period: int  # seconds, a multiple of 60 (Metrics Insights has no high-resolution data)
    threshold: float
    comparison: str
    evaluation_periods: int = 1
    missing_data: str = "notBreaching"


@dataclass(frozen=True)
class MathMetric:
    """One metric a math expression reads (not itself alarmed: return_data False)."""

    id: str
    namespace: str
    metric: str
    dimensions: dict[str, Any]
    statistic: str


@dataclass(frozen=True)
class MathAlarmSpec:
    suffix: str
    description: str
    metrics: tuple[MathMetric, ...]
    expression: str  # over the metrics' ids; must return one time series
    period: int  # seconds
    threshold: float
    comparison: str
    evaluation_periods: int = 1
    missing_data: str = "notBreaching"


# CloudWatch: an alarm on a metric math expression reads at most 10 metrics ("Create a CloudWatch alarm
# based on a metric math expression", Amazon CloudWatch User Guide).
MAX_ALARM_METRICS = 10


def metric_alarm(
    name: str, spec: AlarmSpec, topic_arn: Optional[pulumi.Input[str]], opts: pulumi.ResourceOptions
) -> aws.cloudwatch.MetricAlarm:
    percentile = spec.statistic.startswith("p")
    return _alarm(
        name,
        spec,
        topic_arn,
        opts,
        namespace=spec.namespace,
        metric_name=spec.metric,
        dimensions=spec.dimensions,
        statistic=None if percentile else spec.statistic,
        extended_statistic=spec.statistic if percentile else None,
        period=spec.period,
    )


def query_alarm(
    name: str, spec: QueryAlarmSpec, topic_arn: Optional[pulumi.Input[str]], opts: pulumi.ResourceOptions
) -> aws.cloudwatch.MetricAlarm:
    query = aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id="q1", expression=spec.query, period=spec.period, return_data=True
    )
    return _alarm(name, spec, topic_arn, opts, metric_queries=[query])


def math_alarm(
    name: str, spec: MathAlarmSpec, topic_arn: Optional[pulumi.Input[str]], opts: pulumi.ResourceOptions
) -> aws.cloudwatch.MetricAlarm:
    if len(spec.metrics) > MAX_ALARM_METRICS:
        raise ValueError(f"{name}-{spec.suffix}: {len(spec.metrics)} metrics, CloudWatch takes {MAX_ALARM_METRICS}")
    queries = [
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=m.id,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=m.namespace,
                metric_name=m.metric,
                dimensions=m.dimensions,
                stat=m.statistic,
                period=spec.period,
            ),
            return_data=False,
        )
        for m in spec.metrics
    ]
    queries.append(aws.cloudwatch.MetricAlarmMetricQueryArgs(id="e1", expression=spec.expression, return_data=True))
    return _alarm(name, spec, topic_arn, opts, metric_queries=queries)


def _alarm(
    name: str,
    spec: AlarmSpec | QueryAlarmSpec | MathAlarmSpec,
    topic_arn: Optional[pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
    **watched: Any,
) -> aws.cloudwatch.MetricAlarm:
    actions = [topic_arn] if topic_arn is not None else []
    return aws.cloudwatch.MetricAlarm(
        f"{name}-{spec.suffix}",
        alarm_description=spec.description,
        evaluation_periods=spec.evaluation_periods,
        threshold=spec.threshold,
        comparison_operator=spec.comparison,
        treat_missing_data=spec.missing_data,
        alarm_actions=actions,
        ok_actions=actions,
        opts=opts,
        **watched,
    )
