"""The DynamoDB global table: version 2019.11.21, streams, on-demand, PITR and deletion protection everywhere."""

from collections.abc import Mapping
from typing import Any, Optional

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies import tokens as t
from policies.common import (
    EXPECTED_REGIONS_PROPERTY,
    config,
    config_list,
    constant,
    elements,
    get,
    is_unknown,
    message,
    region_of,
    show,
)
from policies.graph import StackGraph

STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"
# DynamoDB multi-Region strong consistency: exactly this many regions, all of one region set.
MRSC_REGION_COUNT: int = constant("MRSC_REGION_COUNT")
MRSC_REGION_SETS: Mapping[str, tuple[str, ...]] = constant("MRSC_REGION_SETS")


def mrsc_set_of(region: str) -> Optional[str]:
    return next((name for name, members in MRSC_REGION_SETS.items() if region in members), None)


BILLING_MODE = "PAY_PER_REQUEST"


def _replicas(props: Any) -> list[Any]:
    return [r for r in elements(props, "replicas") if not is_unknown(r)]


def _replica_where(replica: Any) -> str:
    region = get(replica, "regionName")
    return f"its replica in {show(region)}"


# -- global-table-version-2019 ----------------------------------------------------------------


def _no_legacy_global_table(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == t.DYNAMODB_LEGACY_GLOBAL_TABLE:
        report_violation(
            message(
                args,
                "the legacy global tables version 2017.11.29 (aws.dynamodb.GlobalTable) cannot be managed "
                "with replicas, PITR or deletion protection per replica",
                "declare one aws.dynamodb.Table with replicas=[TableReplicaArgs(region_name=...)] (version 2019.11.21)",
            ),
            None,
        )


GLOBAL_TABLE_VERSION = ResourceValidationPolicy(
    name="global-table-version-2019",
    description="Global tables use version 2019.11.21 (aws.dynamodb.Table replicas), never the legacy GlobalTable.",
    validate=_no_legacy_global_table,
)


# -- global-table-no-replica-mix --------------------------------------------------------------


def _no_replica_mix(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    inline = [table for table in graph.of_type(t.DYNAMODB_TABLE) if _replicas(table.props)]
    if not inline:
        return
    for replica in graph.of_type(t.DYNAMODB_TABLE_REPLICA):
        targets = graph.linked(
            replica, "globalTableArn", get(replica.props, "globalTableArn"), (t.DYNAMODB_TABLE,), ("arn",)
        )
        # An unresolvable link still mixes the two styles in one stack: report it.
        if not targets or any(target in inline for target in targets):
            table = targets[0].name if targets else inline[0].name
            report_violation(
                message(
                    replica,
                    f"adds a replica to table '{table}', which already declares inline replicas; "
                    "the two fight over the replica set and every `pulumi up` shows a diff",
                    f"remove this TableReplica and list its region in '{table}' replicas",
                ),
                replica.urn,
            )


GLOBAL_TABLE_NO_REPLICA_MIX = StackValidationPolicy(
    name="global-table-no-replica-mix",
    description="A table's replicas come from its inline `replicas` only, never also from aws.dynamodb.TableReplica.",
    validate=_no_replica_mix,
)


# -- table-streams-new-and-old-images ---------------------------------------------------------


def _streams(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.DYNAMODB_TABLE:
        return
    enabled = get(args.props, "streamEnabled")
    view = get(args.props, "streamViewType")
    if enabled is not True and not is_unknown(enabled):
        report_violation(
            message(
                args,
                f"streams are off (streamEnabled {show(enabled)}); replication between replicas needs them",
                f'set stream_enabled=True, stream_view_type="{STREAM_VIEW_TYPE}"',
            ),
            None,
        )
    elif view != STREAM_VIEW_TYPE and not is_unknown(view):
        report_violation(
            message(
                args,
                f"streamViewType is {show(view)}; global table replication needs {STREAM_VIEW_TYPE}",
                f'set stream_view_type="{STREAM_VIEW_TYPE}"',
            ),
            None,
        )


TABLE_STREAMS = ResourceValidationPolicy(
    name="table-streams-new-and-old-images",
    description="Tables have streams enabled with NEW_AND_OLD_IMAGES (required by global table replication).",
    validate=_streams,
)


# -- table-pay-per-request --------------------------------------------------------------------


def _pay_per_request(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.DYNAMODB_TABLE:
        return
    mode = get(args.props, "billingMode", default="PROVISIONED")
    if mode != BILLING_MODE and not is_unknown(mode):
        report_violation(
            message(
                args,
                f"billingMode is {show(mode)}; provisioned capacity must then be kept identical in every "
                "replica region or writes throttle where it is lower",
                f'set billing_mode="{BILLING_MODE}"',
            ),
            None,
        )


TABLE_PAY_PER_REQUEST = ResourceValidationPolicy(
    name="table-pay-per-request",
    description="Tables bill PAY_PER_REQUEST, so every replica scales the same way.",
    validate=_pay_per_request,
)


# -- table-point-in-time-recovery -------------------------------------------------------------


def _require_on_table_and_replicas(
    args: ResourceValidationArgs,
    report_violation: ReportViolation,
    *,
    feature: str,
    table_path: tuple[str, ...],
    replica_key: str,
    table_fix: str,
    replica_fix: str,
) -> None:
    """A flag that must be true on the table and on every replica (where it defaults to false)."""
    if args.resource_type != t.DYNAMODB_TABLE:
        return
    enabled = get(args.props, *table_path)
    if enabled is not True and not is_unknown(enabled):
        report_violation(
            message(args, f"{feature} is off on the table ({'.'.join(table_path)} {show(enabled)})", table_fix), None
        )
    for replica in _replicas(args.props):
        replica_enabled = get(replica, replica_key)
        if replica_enabled is not True and not is_unknown(replica_enabled):
            report_violation(
                message(
                    args,
                    f"{feature} is off on {_replica_where(replica)} "
                    f"({replica_key} {show(replica_enabled)}; replicas default to false)",
                    replica_fix,
                ),
                None,
            )


def _point_in_time_recovery(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _require_on_table_and_replicas(
        args,
        report_violation,
        feature="point-in-time recovery",
        table_path=("pointInTimeRecovery", "enabled"),
        replica_key="pointInTimeRecovery",
        table_fix="set point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True)",
        replica_fix="set point_in_time_recovery=True in that TableReplicaArgs",
    )


TABLE_POINT_IN_TIME_RECOVERY = ResourceValidationPolicy(
    name="table-point-in-time-recovery",
    description="Point-in-time recovery is on for the table and every replica.",
    validate=_point_in_time_recovery,
)


# -- table-deletion-protection ----------------------------------------------------------------


def _deletion_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _require_on_table_and_replicas(
        args,
        report_violation,
        feature="deletion protection",
        table_path=("deletionProtectionEnabled",),
        replica_key="deletionProtectionEnabled",
        table_fix="set global-serverless:deletionProtection true (deletion_protection_enabled=True)",
        replica_fix="set deletion_protection_enabled=True in that TableReplicaArgs",
    )


TABLE_DELETION_PROTECTION = ResourceValidationPolicy(
    name="table-deletion-protection",
    description="Deletion protection is on for the table and every replica.",
    validate=_deletion_protection,
)


# -- table-replica-regions --------------------------------------------------------------------


def _replica_regions(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    expected = config_list(args, "expectedRegions")
    if expected is None:
        expected = graph.backend_regions()
    home_expected = config(args, "homeRegion", None)
    for table in graph.of_type(t.DYNAMODB_TABLE):
        _check_table_regions(table, expected, home_expected, report_violation)


def _check_table_regions(table: Any, expected: list, home_expected: Any, report_violation: ReportViolation) -> None:
    home = region_of(table)
    replicas = list(elements(table.props, "replicas"))
    replica_regions = [get(r, "regionName") for r in replicas]
    if is_unknown(get(table.props, "replicas")) or is_unknown(home) or any(is_unknown(r) for r in replica_regions):
        return
    if home_expected and home != home_expected:
        report_violation(
            message(
                table,
                f"the table's home region is {home}, but the stack's home region (aws:region) is {home_expected}",
                "build the table with the home region's provider (providers.home)",
            ),
            table.urn,
        )
    for region in sorted({r for r in replica_regions if replica_regions.count(r) > 1 or r == home}):
        report_violation(
            message(
                table,
                f"replica region {region} is listed twice or is the home region itself",
                "list each non-home region exactly once in replicas",
            ),
            table.urn,
        )
    actual = {home, *replica_regions}
    missing = sorted(set(expected) - actual)
    extra = sorted(actual - set(expected))
    if missing or extra:
        parts = ([f"no replica in {', '.join(missing)}"] if missing else []) + (
            [f"a replica in {', '.join(extra)} where no backend is configured"] if extra else []
        )
        report_violation(
            message(
                table,
                f"home region + replicas are {show(sorted(actual))} but the configured regions are "
                f"{show(sorted(expected))}: {' and '.join(parts)}",
                "derive replicas from global-serverless:regions (every region but the home one)",
            ),
            table.urn,
        )


TABLE_REPLICA_REGIONS = StackValidationPolicy(
    name="table-replica-regions",
    description="The table's home region plus its replicas are exactly the configured regions.",
    validate=_replica_regions,
    config_schema=PolicyConfigSchema(
        properties={
            "expectedRegions": EXPECTED_REGIONS_PROPERTY,
            "homeRegion": {"type": "string", "description": "The stack's aws:region."},
        }
    ),
)


# -- table-strong-consistency -----------------------------------------------------------------


def _strong_consistency_rules(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """DynamoDB's MRSC rules (components/registry.py): AWS refuses the table, or the update, otherwise."""
    if args.resource_type != t.DYNAMODB_TABLE:
        return
    replicas = _replicas(args.props)
    modes = [get(r, "consistencyMode") for r in replicas]
    witness = get(args.props, "globalTableWitness", "regionName")
    if any(is_unknown(m) for m in modes) or is_unknown(witness):
        return
    strong = [m for m in modes if m == "STRONG"]
    if not strong:
        if witness:
            report_violation(
                message(
                    args,
                    f"a witness region ({witness}) is set but no replica is STRONG",
                    "remove global_table_witness, or set tableConsistency strong",
                ),
                None,
            )
        return
    if len(strong) != len(replicas):
        report_violation(
            message(
                args,
                f"replica consistency modes are {show(modes)}: a global table cannot mix modes",
                'set consistency_mode="STRONG" on every replica',
            ),
            None,
        )
    regions = [region_of(args), *[get(r, "regionName") for r in replicas]] + ([witness] if witness else [])
    if len(regions) != MRSC_REGION_COUNT:
        report_violation(
            message(
                args,
                f"an MRSC table spans {show(regions)}: it needs exactly {MRSC_REGION_COUNT} "
                "regions (three replicas, or two and a witness)",
                "configure three regions, or two regions plus witnessRegion",
            ),
            None,
        )
    sets = {mrsc_set_of(r) for r in regions if not is_unknown(r)}
    if None in sets or len(sets) > 1:
        report_violation(
            message(
                args,
                f"MRSC regions {show(regions)} are not all in one region set",
                f"choose regions of one set ({', '.join(MRSC_REGION_SETS)})",
            ),
            None,
        )
    if get(args.props, "ttl", "enabled") is True:
        report_violation(
            message(
                args,
                "TTL is enabled on an MRSC table, which DynamoDB does not support",
                "leave ttl unset for tableConsistency strong",
            ),
            None,
        )


TABLE_STRONG_CONSISTENCY = ResourceValidationPolicy(
    name="table-strong-consistency",
    description="A strong (MRSC) table follows DynamoDB's rules: every replica STRONG, three regions of one set "
    "(or two and a witness), no TTL.",
    validate=_strong_consistency_rules,
)
