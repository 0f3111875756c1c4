"""What serves a region's API and what moves it: the `live` alias of the function's published versions,
provisioned concurrency on that alias, and (canary or linear releases) the CodeDeploy deployment group that
moves the alias when `python -m ops.release` asks.

Every entry invokes the alias, never the unqualified function ($LATEST), so a `pulumi up` that publishes new
code changes what clients run only where the alias moves:
- all-at-once: the alias follows the function's newest version, so `pulumi up` moves it in every region;
- canary/linear: the alias is CodeDeploy's. The program creates it at the version published then (a new
  stack, or the update that introduces it: there is no other published version to point at) and never resets
  it: `ignore_changes` on its version and routing, so `pulumi up` publishes and ops.release moves.
Switching a live stack from canary/linear to all-at-once makes the next `pulumi up` move the alias to the newest
version (and drop any weighted routing a stopped deployment left); the other way round leaves it where it is.

AWS facts relied on (Lambda developer guide): SnapStart applies to published versions only and is refused with
provisioned concurrency ("Improving startup performance with Lambda SnapStart", supported features and
limitations); provisioned concurrency is configured on a version or an alias, never $LATEST
("Configuring provisioned concurrency"). CodeDeploy (user guide): a Lambda deployment group shifts an alias
between versions (deployment type BLUE_GREEN with traffic control), rolls back on the group's alarms, and its
service role holds AWSCodeDeployRoleForLambdaLimited ("Step 2: Create a service role for CodeDeploy"); the
role's trust names the deployment group in aws:SourceArn and the account in aws:SourceAccount
("Cross-service confused deputy prevention").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.regional.release_plan import ALIAS_NAME, DEPLOYMENT_GROUP_NAME
from components.registry import component_type
from components.security.iam import service_trust_policy

CODEDEPLOY_TYPE = component_type("CodeDeployRelease")
CODEDEPLOY_PRINCIPAL = "codedeploy.amazonaws.com"
COMPUTE_PLATFORM = "Lambda"
LATEST = "$LATEST"  # the unpublished code: Lambda's version name for it
# The AWS managed policy for Lambda deployments that publishes to no SNS topic but CodeDeployTopic_* ones
# (the groups have no triggers): UpdateAlias/GetAlias, GetProvisionedConcurrencyConfig, DescribeAlarms.
SERVICE_ROLE_POLICY = "AWSCodeDeployRoleForLambdaLimited"
SNAP_START_ON = "PublishedVersions"  # Lambda's only SnapStart apply_on value
# The alias's own metrics: Lambda reports them with dimensions FunctionName and Resource = "<function>:<alias>".
ALIAS_RESOURCE_DIMENSION = "Resource"
# CodeDeploy rolls a deployment back on these (auto_rollback_configuration events).
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM")
# An alarm configuration takes at most 10 alarms (CodeDeploy CreateDeploymentGroup, AlarmConfiguration).
MAX_DEPLOYMENT_ALARMS = 10


@dataclass(frozen=True)
class FunctionReleaseArgs:
    """How the region's function reaches clients: the settings' release strategy, SnapStart and provisioned
    concurrency, narrowed to what the resources need."""

    # The CodeDeploy deployment config (e.g. CodeDeployDefault.LambdaCanary10Percent5Minutes) when CodeDeploy
    # moves the alias (canary, linear); None when `pulumi up` moves it (all-at-once).
    deployment_config: Optional[str] = None
    snap_start: bool = False
    provisioned_concurrency: Optional[int] = None  # on the alias; None or 0: none

    def __post_init__(self) -> None:
        if self.provisioned_concurrency is not None and self.provisioned_concurrency < 0:
            raise ValueError(f"provisioned concurrency {self.provisioned_concurrency}: 0 or more")
        if self.snap_start and self.provisioned_concurrency:
            raise ValueError("Lambda refuses SnapStart together with provisioned concurrency: choose one")

    @property
    def codedeploy_moves_alias(self) -> bool:
        return self.deployment_config is not None

    def function_snap_start(self) -> Optional[aws.lambda_.FunctionSnapStartArgs]:
        return aws.lambda_.FunctionSnapStartArgs(apply_on=SNAP_START_ON) if self.snap_start else None


class UnpublishedVersion(Exception):
    """The function's version output reads $LATEST: the alias would be moved onto unpublished code."""


def published_version(function_arn: str, version: str) -> str:
    """`version` when it is a published version; $LATEST stops the program with the recovery.

    The provider publishes only when the function's code, configuration or `publish` changes in this update. An
    update that failed after changing the code (before publishing) leaves nothing for the next `pulumi up` to
    change, so it publishes nothing and the version output reads back as $LATEST: the alias would move onto it,
    where provisioned concurrency is refused ("Configuring provisioned concurrency": on a version or an alias,
    never $LATEST), SnapStart never applies (published versions only) and CodeDeploy has no version to shift.
    """
    if version != LATEST:
        return version
    # arn:<partition>:lambda:<region>:<account>:function:<name>
    parts = function_arn.split(":")
    region, function_name = (parts[3], parts[6]) if len(parts) >= 7 else ("<region>", function_arn)
    raise UnpublishedVersion(
        f"the function {function_name} has no version published from its current code (its version output "
        f"reads {LATEST}: an earlier update stopped between updating the code and publishing it), and the "
        f"{ALIAS_NAME} alias must never point at {LATEST}: publish it, then refresh and update: "
        f"aws lambda publish-version --function-name {function_name} --region {region}; pulumi refresh; pulumi up "
        "(check: pulumi up --refresh shows the alias on the new version)"
    )


def alias_resource(function_name: pulumi.Input[str]) -> pulumi.Output[str]:
    """The `Resource` dimension value of the alias's metrics."""
    return pulumi.Output.from_input(function_name).apply(lambda fn: f"{fn}:{ALIAS_NAME}")


def live_alias(
    name: str, function: aws.lambda_.Function, args: FunctionReleaseArgs, opts: pulumi.ResourceOptions
) -> aws.lambda_.Alias:
    """The `live` alias (and its provisioned concurrency) beside the function, as children of `opts.parent`."""
    owned_by_codedeploy = pulumi.ResourceOptions(ignore_changes=["functionVersion", "routingConfig"])
    alias = aws.lambda_.Alias(
        f"{name}-live",
        name=ALIAS_NAME,
        function_name=function.name,
        # Publishing (publish=True) makes `version` the newest published version, never $LATEST: the alias is
        # created on a real version, and with all-at-once every `pulumi up` that publishes moves it there.
        # Except after a failed update: see published_version.
        function_version=pulumi.Output.all(function.arn, function.version).apply(
            lambda v: published_version(v[0], v[1])
        ),
        # The same whoever moves it: any update of an alias CodeDeploy owns would send the version pulumi last set
        # (UpdateAlias takes the version with the rest) and take the region back to it.
        description="What every entry invokes (moved by pulumi up, or by CodeDeploy when python -m ops.release asks)",
        opts=pulumi.ResourceOptions.merge(opts, owned_by_codedeploy) if args.codedeploy_moves_alias else opts,
    )
    if args.provisioned_concurrency:
        aws.lambda_.ProvisionedConcurrencyConfig(
            f"{name}-provisioned",
            function_name=function.name,
            qualifier=alias.name,
            provisioned_concurrent_executions=args.provisioned_concurrency,
            opts=opts,
        )
    return alias


@dataclass(frozen=True)
class CodeDeployReleaseArgs:
    region: str
    application_name: str  # release_plan.codedeploy_application_name(project, stack): the same in every region
    deployment_config: str
    # The region's alarms that stop and roll back a deployment (the entry's 5xx, the alias's errors).
    alarm_names: Sequence[pulumi.Input[str]]


class CodeDeployRelease(pulumi.ComponentResource):
    """One region's CodeDeploy application (compute platform Lambda) and its `live` deployment group."""

    application: aws.codedeploy.Application
    group: aws.codedeploy.DeploymentGroup

    def __init__(
        self,
        name: str,
        args: CodeDeployReleaseArgs,
        provider: aws.Provider,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__(CODEDEPLOY_TYPE, name, None, opts)
        if not args.alarm_names or len(args.alarm_names) > MAX_DEPLOYMENT_ALARMS:
            raise ValueError(f"{name}: {len(args.alarm_names)} alarms; a deployment group takes 1 to 10")
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        invoke = pulumi.InvokeOutputOptions(provider=provider)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        group_arn = pulumi.Output.all(partition, account).apply(
            lambda v: (
                f"arn:{v[0]}:codedeploy:{args.region}:{v[1]}:deploymentgroup:"
                f"{args.application_name}/{DEPLOYMENT_GROUP_NAME}"
            )
        )
        role = aws.iam.Role(
            f"{name}-role",
            # CodeDeploy assumes it only for this region's `live` group of this stack's application.
            assume_role_policy=service_trust_policy(CODEDEPLOY_PRINCIPAL, account, group_arn),
            opts=child,
        )
        managed = aws.iam.RolePolicyAttachment(
            f"{name}-policy",
            role=role.name,
            policy_arn=partition.apply(lambda p: f"arn:{p}:iam::aws:policy/service-role/{SERVICE_ROLE_POLICY}"),
            opts=child,
        )
        application = aws.codedeploy.Application(
            f"{name}-app", name=args.application_name, compute_platform=COMPUTE_PLATFORM, opts=child
        )
        group = aws.codedeploy.DeploymentGroup(
            f"{name}-group",
            app_name=application.name,
            deployment_group_name=DEPLOYMENT_GROUP_NAME,
            service_role_arn=role.arn,
            deployment_config_name=args.deployment_config,
            deployment_style=aws.codedeploy.DeploymentGroupDeploymentStyleArgs(
                deployment_type="BLUE_GREEN", deployment_option="WITH_TRAFFIC_CONTROL"
            ),
            auto_rollback_configuration=aws.codedeploy.DeploymentGroupAutoRollbackConfigurationArgs(
                enabled=True, events=list(ROLLBACK_EVENTS)
            ),
            alarm_configuration=aws.codedeploy.DeploymentGroupAlarmConfigurationArgs(
                enabled=True, alarms=list(args.alarm_names)
            ),
            # CodeDeploy checks the role's permissions when the group is created.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[managed])),
        )
        self.application = application
        self.group = group
        self.register_outputs({"applicationName": application.name, "deploymentGroupName": group.deployment_group_name})
