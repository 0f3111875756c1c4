"""Alarms notify someone, when they fire and when they recover.

- alarms-notify: every CloudWatch metric alarm (single-metric and Metrics Insights query alarms alike:
  both are aws:cloudwatch/metricAlarm:MetricAlarm) has alarm actions and OK actions, each an SNS topic
  in the alarm's own region (CloudWatch does not notify topics in other regions). Without OK actions
  nobody hears that an incident ended, and a query alarm's contributors recover silently.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies.common import arn_region, elements, get, is_unknown, message, region_of, show

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
# property -> (what it is for, the constructor argument)
ACTIONS = {"alarmActions": ("when it fires", "alarm_actions"), "okActions": ("when it recovers", "ok_actions")}
FIX_WHERE = "components/observability/alarms.py _alarm, set alarms: {email: ...}"


def _alarms_notify(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != METRIC_ALARM:
        return
    region = region_of(args)
    for prop, (when, argument) in ACTIONS.items():
        actions = list(elements(args.props, prop))
        if is_unknown(get(args.props, prop)) or any(is_unknown(a) for a in actions):
            continue
        if not actions:
            report_violation(
                message(
                    args,
                    f"the alarm notifies nobody {when} (no {prop})",
                    f"{argument}=[the region's alarm topic] ({FIX_WHERE})",
                ),
                None,
            )
            continue
        for action in actions:
            topic_region = arn_region(action)
            if (
                ":sns:" in str(action)
                and not is_unknown(region)
                and region is not None
                and topic_region not in (None, region)
            ):
                report_violation(
                    message(
                        args,
                        f"{prop} {show(action)} is a topic in {topic_region}; CloudWatch only notifies topics in "
                        "the alarm's own region",
                        "use the topic of the alarm's region (components/observability/monitoring.py AlarmTopics)",
                    ),
                    None,
                )


ALARMS_NOTIFY = ResourceValidationPolicy(
    name="alarms-notify",
    description="Every metric alarm (metric or query) notifies an SNS topic in its own region when it fires "
    "(alarmActions) and when it recovers (okActions).",
    validate=_alarms_notify,
)
