"""The main name: a Route 53 weighted record set with one member per front door.

Each door answers on its own hostname (`<strategy>.<name>.<zone>`); the main name's members alias
those names in the same hosted zone (Route 53 aliases may target "another resource record set in
this hosted zone"). A single door is a set of one, so switching doors, adding one to an A/B split or
moving weight adds, removes or updates members of one weighted set: never a simple record beside
a weighted or latency set on the same name.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.doors.dns import DnsContext
from components.registry import DOORS, component_type, door_type

TYPE = component_type("WeightedSplit")
# Logical names stacks deployed before the main name became one weighted set used for these records:
# the A/B split's component and records, and each single door's record(s) on the main name (each door's
# DoorFacts.legacy_main_records).
LEGACY_SPLIT_NAME = "ab"


@dataclass(frozen=True)
class WeightedSplitArgs:
    dns: DnsContext
    targets: Mapping[str, pulumi.Output[str]]  # strategy -> the hostname its front door answers on


def record_name(name: str, strategy: str, record_type: str) -> str:
    return f"{name}-{strategy}" if record_type == "A" else f"{name}-{strategy}-{record_type.lower()}"


def legacy_aliases(project: str, stack: str, strategy: str, record_type: str) -> list[pulumi.Alias]:
    """Where this member lived before: the A/B split's record, or the single door's record on the main name.

    The engine takes the first alias it finds in the state; an update in place changes the set
    identifier and routing policy in one atomic Route 53 change batch, so the name never goes dark.
    """
    aliases = []
    if record_type == "A":
        aliases.append(pulumi.Alias(name=f"{LEGACY_SPLIT_NAME}-{strategy}"))
    old_name = dict(DOORS[strategy].legacy_main_records).get(record_type)
    if old_name is not None:
        door_urn = f"urn:pulumi:{stack}::{project}::{door_type(strategy)}::{strategy}"  # doors are top-level components
        aliases.append(pulumi.Alias(name=old_name, parent=door_urn))
    return aliases


class WeightedSplit(pulumi.ComponentResource):
    url: pulumi.Output[str]

    def __init__(
        self, name: str, args: WeightedSplitArgs, provider: aws.Provider, opts: pulumi.ResourceOptions | None = None
    ):
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(name=LEGACY_SPLIT_NAME)])
        )
        super().__init__(TYPE, name, None, opts)
        hostnames = args.dns.hostnames
        if set(hostnames.weights) != set(args.targets):
            raise ValueError(
                f"the main name {name!r} has weights for {sorted(hostnames.weights)} "
                f"but front doors for {sorted(args.targets)}"
            )
        main_name = hostnames.main
        records = [
            aws.route53.Record(
                record_name(name, strategy, record_type),
                zone_id=args.dns.zone_id,
                name=main_name,
                type=record_type,
                set_identifier=strategy,
                weighted_routing_policies=[aws.route53.RecordWeightedRoutingPolicyArgs(weight=weight)],
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=args.targets[strategy], zone_id=args.dns.zone_id, evaluate_target_health=True
                    )
                ],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    provider=provider,
                    aliases=legacy_aliases(pulumi.get_project(), pulumi.get_stack(), strategy, record_type),
                ),
            )
            for strategy, weight in hostnames.weights.items()
            for record_type in hostnames.main_record_types
        ]
        self.url = pulumi.Output.all(*[r.name for r in records]).apply(lambda _: f"https://{main_name}")
        self.register_outputs({"url": self.url})
