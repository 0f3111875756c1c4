"""Alarms notify someone.

- alarms-notify: every CloudWatch metric alarm has an alarm action, an SNS topic in the alarm's own
  region (CloudWatch does not notify topics in other regions).
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies.common import arn_region, elements, is_unknown, message, region_of, show

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _alarms_notify(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != METRIC_ALARM:
        return
    actions = list(elements(args.props, "alarmActions"))
    if any(is_unknown(a) for a in actions):
        return
    if not actions:
        report_violation(
            message(
                args,
                "the alarm notifies nobody (no alarmActions)",
                "alarm_actions=[the region's alarm topic] (components/alarms.py, set alarms: {email: ...})",
            )
        )
        return
    region = region_of(args)
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
                    f"alarm action {show(action)} is a topic in {topic_region}; CloudWatch only notifies topics in the "
                    "alarm's own region",
                    "use the topic of the alarm's region (components/monitoring.py AlarmTopics)",
                )
            )


ALARMS_NOTIFY = ResourceValidationPolicy(
    name="alarms-notify",
    description="Every metric alarm notifies an SNS topic in its own region.",
    validate=_alarms_notify,
)
