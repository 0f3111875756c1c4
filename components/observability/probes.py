"""Probes: a small function in each vantage region, run every minute, that probes every door's own
hostname (and its own region's entry, when the entries answer strangers) on the health path and publishes
success, latency and failures by reason to CloudWatch; the answering region goes to its log
(functions/probe/handler.py). A probe succeeds only on 2xx from one of the stack's regions. Each door's
availability is alarmed per vantage."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.observability.alarms import AlarmSpec, metric_alarm
from components.regional import function_settings as plan
from components.registry import (
    LAMBDA_PRINCIPAL,
    PROBE_AVAILABILITY_ALARM,
    PROBE_RATE,
    SCHEDULER_PRINCIPAL,
    component_type,
)
from components.security.iam import allow, assume_role_policy, policy_document, service_trust_policy
from components.stack.packaging import PROBE_SOURCE, package_files
from functions.probe import contract

TYPE = component_type("Probes")
PACKAGE = contract.PACKAGE_NAME
MEMORY_MB = 128
TIMEOUT_SECONDS = 30  # every target at once, each within 5 s
# A probe is for its minute: a late or repeated one would skew the per-minute figures. Scheduler's and
# Lambda's async retries are off, and an event older than this is dropped (both services' minimum).
MAX_EVENT_AGE_SECONDS = 60
SCHEDULE_GROUP = "default"  # the schedules' group (the Scheduler default): the trust policy's SourceArn


@dataclass(frozen=True)
class ProbesArgs:
    vantage: str
    # target (a door's strategy, or "entry-<region>") -> health URL; the vantage probes every door and
    # only its own region's entry (each entry is probed from its region alone: linear, not n x n)
    targets: pulumi.Input[dict]
    doors: tuple[str, ...]  # the targets that are doors, alarmed on availability
    topic_arn: pulumi.Input[str]
    regions: tuple[str, ...]  # the stack's regions: a probe succeeds only on an answer naming one of them


def probe_code() -> pulumi.AssetArchive:
    return pulumi.AssetArchive(
        {name: pulumi.FileAsset(str(path)) for name, path in package_files(PROBE_SOURCE, PACKAGE).items()}
    )


class Probes(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ProbesArgs, provider: aws.Provider, opts: Optional[pulumi.ResourceOptions] = None
    ):
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role_policy(LAMBDA_PRINCIPAL), opts=child)
        logs = aws.cloudwatch.LogGroup(f"{name}-logs", retention_in_days=plan.LOG_RETENTION_DAYS, opts=child)
        access = aws.iam.RolePolicy(
            f"{name}-access",
            role=role.id,
            policy=policy_document(
                # PutMetricData takes no resource ARN: the namespace condition keeps it to the probes' own.
                {
                    **allow("Metrics", ["cloudwatch:PutMetricData"], "*"),
                    "Condition": {"StringEquals": {"cloudwatch:namespace": contract.NAMESPACE}},
                },
                allow("Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], logs.arn.apply(lambda arn: f"{arn}:*")),
            ),
            opts=child,
        )
        function = aws.lambda_.Function(
            f"{name}-fn",
            runtime=plan.FUNCTION_RUNTIME,
            architectures=[plan.FUNCTION_ARCHITECTURE],
            handler=contract.HANDLER,
            code=probe_code(),
            memory_size=MEMORY_MB,
            timeout=TIMEOUT_SECONDS,
            role=role.arn,
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables={
                    contract.ENV_TARGETS: pulumi.Output.from_input(args.targets).apply(
                        lambda targets: json.dumps(vantage_targets(targets, args.vantage))
                    ),
                    contract.ENV_VANTAGE: args.vantage,
                    contract.ENV_NAMESPACE: contract.NAMESPACE,
                    contract.ENV_REGIONS: json.dumps(list(args.regions)),
                }
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=logs.name),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[access])),
        )
        aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-async",
            function_name=function.name,
            maximum_retry_attempts=0,
            maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS,
            opts=child,
        )
        invoker = aws.iam.Role(f"{name}-scheduler", assume_role_policy=scheduler_trust(args.vantage, child), opts=child)
        invoke = aws.iam.RolePolicy(
            f"{name}-invoke",
            role=invoker.id,
            policy=policy_document(allow("Invoke", ["lambda:InvokeFunction"], function.arn)),
            opts=child,
        )
        aws.scheduler.Schedule(
            f"{name}-every-minute",
            schedule_expression=PROBE_RATE,
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=function.arn,
                role_arn=invoker.arn,
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=0, maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS
                ),
            ),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[invoke])),
        )
        for door in args.doors:
            metric_alarm(
                f"{name}-{door}",
                AlarmSpec(
                    "availability",
                    f"Probes from {args.vantage} through {door} succeeded less than {PROBE_AVAILABILITY_ALARM:.0%} "
                    "of the time for 5 minutes.",
                    contract.NAMESPACE,
                    contract.METRIC_SUCCESS,
                    {contract.DIMENSION_DOOR: door, contract.DIMENSION_VANTAGE: args.vantage},
                    "Average",
                    60,
                    PROBE_AVAILABILITY_ALARM,
                    "LessThanThreshold",
                    evaluation_periods=5,
                    missing_data="breaching",
                ),
                args.topic_arn,
                child,
            )
        self.function = function
        self.register_outputs({})


def scheduler_trust(region: str, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """Scheduler may assume the invoking role only for this account's schedules in this region's group."""
    invoke = pulumi.InvokeOutputOptions(provider=opts.provider)
    account = aws.get_caller_identity_output(opts=invoke).account_id
    partition = aws.get_partition_output(opts=invoke).partition
    source = pulumi.Output.concat(
        "arn:", partition, f":scheduler:{region}:", account, f":schedule-group/{SCHEDULE_GROUP}"
    )
    return service_trust_policy(SCHEDULER_PRINCIPAL, account, source)


def vantage_targets(targets: dict[str, str], vantage: str) -> dict[str, str]:
    """What one vantage probes: every door, and of the entries only its own region's (if it has one)."""
    own = f"{contract.ENTRY_PREFIX}{vantage}"
    return {t: url for t, url in targets.items() if not t.startswith(contract.ENTRY_PREFIX) or t == own}


def probe_targets(door_urls: dict, health_path: str, regional_hosts: dict[str, str] | None) -> pulumi.Output:
    """Target -> URL: each door's own URL on the health path, and each region's entry when it has a name
    (every vantage gets the doors and its own entry: vantage_targets)."""
    entries = {
        f"{contract.ENTRY_PREFIX}{region}": f"https://{host}{health_path}"
        for region, host in (regional_hosts or {}).items()
    }
    return pulumi.Output.all(**door_urls).apply(
        lambda urls: {**{door: f"{url}{health_path}" for door, url in urls.items()}, **entries}
    )
