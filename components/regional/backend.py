"""RegionalBackend: everything one region needs to serve the API, identical in every region."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.observability.alarms import AlarmSpec, metric_alarm
from components.regional import function_settings as plan
from components.regional.endpoint import RegionalEndpoint
from components.regional.entries.base import DomainBinding, EntryArgs, EntryOptions, RegionalEntry
from components.regional.release import (
    ALIAS_RESOURCE_DIMENSION,
    CodeDeployRelease,
    CodeDeployReleaseArgs,
    FunctionReleaseArgs,
    alias_resource,
    live_alias,
)
from components.registry import BACKENDS, LAMBDA_PRINCIPAL, backend_class, component_type
from components.security import exposure as reach
from components.security.iam import allow, assume_role_policy, policy_document
from components.stack.packaging import API_SOURCE, package_files
from functions.api import contract

TYPE = component_type("RegionalBackend")


@dataclass(frozen=True)
class RegionalBackendArgs:
    region: str
    entry: EntryOptions  # how the entry is built, the same in every region (entries/base.py entry_options)
    table_name: pulumi.Input[str]
    table_arn: pulumi.Input[str]  # the replica in this region
    chaos_parameter_name: str
    environment: dict  # from function_settings.function_environment, minus Output values
    domain: Optional[DomainBinding] = None
    alarm_topic_arn: Optional[pulumi.Input[str]] = None  # this region's alarm topic (alarm actions stay in-region)
    # CloudFront is a door: the secret it sends now (its version: entry.origin_secret_version).
    origin_secret: Optional[pulumi.Input[str]] = None
    # The function checks the secret (exposure.guard_in_function): where it reads the accepted values,
    # the environment that says so, and what the function's role may read.
    origin_guard_environment: Optional[Mapping[str, pulumi.Input[str]]] = None
    origin_guard_access: Optional[dict] = None  # an iam.allow statement
    # How new code reaches clients (components/regional/release.py): who moves the `live` alias, SnapStart,
    # provisioned concurrency.
    release: FunctionReleaseArgs = FunctionReleaseArgs()
    # CodeDeploy's application name (release_plan.codedeploy_application_name) when CodeDeploy moves the alias.
    codedeploy_application: Optional[str] = None


def api_code_archive() -> pulumi.AssetArchive:
    return pulumi.AssetArchive(
        {name: pulumi.FileAsset(str(path)) for name, path in package_files(API_SOURCE, contract.PACKAGE_NAME).items()}
    )


class RegionalBackend(pulumi.ComponentResource):
    endpoint: RegionalEndpoint

    def __init__(
        self,
        name: str,
        args: RegionalBackendArgs,
        provider: aws.Provider,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        region = args.region

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/global-serverless/{name}/{pulumi.get_stack()}",
            retention_in_days=plan.LOG_RETENTION_DAYS,
            opts=child,
        )
        chaos = aws.ssm.Parameter(
            f"{name}-chaos",
            name=args.chaos_parameter_name,
            type="String",
            value=contract.CHAOS_NONE,
            description='Fault injection for game days: {"mode": "none"|"latency"|"error"|"down"}',
            # Game days flip this by hand; a later `pulumi up` must not silently undo the experiment.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(ignore_changes=["value"])),
        )
        role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role_policy(LAMBDA_PRINCIPAL), opts=child)
        access = aws.iam.RolePolicy(
            f"{name}-access",
            role=role.id,
            policy=policy_document(
                allow("Table", list(plan.table_access_actions()), args.table_arn),
                allow(
                    "Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], log_group.arn.apply(lambda arn: f"{arn}:*")
                ),
                allow("Chaos", list(contract.FUNCTION_CHAOS_ACTIONS), chaos.arn),
                *([args.origin_guard_access] if args.origin_guard_access is not None else []),
            ),
            opts=child,
        )
        layer = aws.ssm.get_parameter_output(
            name=plan.powertools_layer_parameter(), opts=pulumi.InvokeOutputOptions(provider=provider)
        ).value
        guard_environment = dict(args.origin_guard_environment or {})
        function = aws.lambda_.Function(
            f"{name}-fn",
            runtime=plan.FUNCTION_RUNTIME,
            architectures=[plan.FUNCTION_ARCHITECTURE],
            handler=contract.HANDLER,
            code=api_code_archive(),
            memory_size=plan.FUNCTION_MEMORY_MB,
            timeout=plan.FUNCTION_TIMEOUT_SECONDS,
            role=role.arn,
            layers=[layer],
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables={**args.environment, contract.ENV_TABLE_NAME: args.table_name, **guard_environment}
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
            # Every code or configuration change publishes a version; entries invoke the `live` alias of one.
            publish=True,
            snap_start=args.release.function_snap_start(),
            # Without its permissions in place the first invocations after a deploy would fail.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[access])),
        )

        alias = live_alias(name, function, args.release, child)

        entry_name = f"{name}-{args.entry.backend}"
        entry_class: type[RegionalEntry] = backend_class(args.entry.backend)
        entry = entry_class(
            entry_name,
            EntryArgs(
                region=region,
                function=function,
                alias=alias,
                options=args.entry,
                domain=args.domain,
                origin_secret=args.origin_secret,
            ),
            provider=provider,
            opts=pulumi.ResourceOptions(parent=self),
        )

        rollback_alarms = self._alarms(name, function, entry, args.alarm_topic_arn, child)
        if args.release.deployment_config is not None:
            if args.codedeploy_application is None:
                raise ValueError(f"{name}: CodeDeploy moves the alias but no application name was given")
            CodeDeployRelease(
                f"{name}-deploy",
                CodeDeployReleaseArgs(
                    region=region,
                    application_name=args.codedeploy_application,
                    deployment_config=args.release.deployment_config,
                    alarm_names=[alarm.name for alarm in rollback_alarms],
                ),
                provider=provider,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[alias]),
            )
        self.function = function
        self.alias = alias
        self.entry = entry
        endpoint = (
            entry.endpoint
            if args.domain is None
            else self._regional_record(name, entry_name, entry, args.domain, child)
        )
        if BACKENDS[args.entry.backend].origin_guard_in_function:
            # The function's origin check changes with the doors: a direct door (whose health checks use
            # the regional name) waits for its new environment.
            gates = dict(endpoint.gates)
            gates[reach.CLIENT] = (*gates.get(reach.CLIENT, ()), function)
            endpoint = replace(endpoint, gates=gates)
        self.endpoint = endpoint
        self.register_outputs({"url": self.endpoint.url, "functionArn": function.arn, "aliasArn": alias.arn})

    @staticmethod
    def _regional_record(
        name: str, entry_name: str, entry: RegionalEntry, domain: DomainBinding, opts: pulumi.ResourceOptions
    ) -> RegionalEndpoint:
        """`<region>.<name>`: one record per region whatever the backend, so a backend switch updates it in place.

        Health checks and CloudFront origins read the endpoint's hostname through this record, so they
        are created after it.
        """
        endpoint = entry.endpoint
        regional_name = domain.hostnames.regional[endpoint.region]
        target = endpoint.alias_for(regional_name)
        record = aws.route53.Record(
            f"{name}-regional",
            zone_id=domain.zone_id,
            name=regional_name,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(name=target.dns_name, zone_id=target.zone_id, evaluate_target_health=True)
            ],
            # Before it moved here, the record was the entry's child, named after it.
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    aliases=[pulumi.Alias(name=f"{entry_name}-regional", parent=entry)],
                    # A new ALB (a scheme change) gets the name only once it listens.
                    depends_on=list(entry.serving),
                ),
            ),
        )
        return endpoint.with_hostname(record.name.apply(lambda _: regional_name))

    @staticmethod
    def _alarms(
        name: str,
        function: aws.lambda_.Function,
        entry: RegionalEntry,
        topic_arn: Optional[pulumi.Input[str]],
        opts: pulumi.ResourceOptions,
    ) -> list[aws.cloudwatch.MetricAlarm]:
        """The region's alarms; returns those a release rolls back on (the entries' 5xx, the alias's errors)."""
        namespace, metric, dimensions = entry.server_error_metric
        function_dimensions = {"FunctionName": function.name}
        alias_dimensions = {**function_dimensions, ALIAS_RESOURCE_DIMENSION: alias_resource(function.name)}
        specs = [
            AlarmSpec(
                "5xx",
                "The regional entry answered 5xx: a front door may be failing this region over.",
                namespace, metric, dimensions, "Sum", 60, plan.ALARM_5XX_PER_MINUTE, "GreaterThanOrEqualToThreshold",
            ),
            AlarmSpec(
                "p99",
                "p99 function duration is close to the timeout.",
                "AWS/Lambda", "Duration", function_dimensions, "p99", 300, plan.ALARM_P99_MS, "GreaterThanThreshold",
            ),
            AlarmSpec(
                "throttles",
                "The function is throttled: raise reserved or account concurrency.",
                "AWS/Lambda", "Throttles", function_dimensions, "Sum", 60, 1, "GreaterThanOrEqualToThreshold",
            ),
            AlarmSpec(
                "errors",
                "The live alias's function failed (an exception or a timeout): a release rolls back on this.",
                "AWS/Lambda", "Errors", alias_dimensions, "Sum", 60, plan.ALARM_5XX_PER_MINUTE,
                "GreaterThanOrEqualToThreshold",
            ),
        ]  # fmt: skip
        rollback = {"5xx", "errors", "elb-5xx"}
        if entry.balancer_error_metric is not None:
            balancer_namespace, balancer_metric, balancer_dimensions = entry.balancer_error_metric
            specs.append(
                AlarmSpec(
                    "elb-5xx",
                    "The load balancer itself answered 5xx (no healthy target, a timeout, a refused connection).",
                    balancer_namespace,
                    balancer_metric,
                    balancer_dimensions,
                    "Sum",
                    60,
                    plan.ALARM_5XX_PER_MINUTE,
                    "GreaterThanOrEqualToThreshold",
                )  # fmt: skip
            )
        alarms = {spec.suffix: metric_alarm(name, spec, topic_arn, opts) for spec in specs}
        return [alarm for suffix, alarm in alarms.items() if suffix in rollback]
