"""A/B between front doors: weighted Route 53 records on the main name, one per strategy.

Each strategy's door answers on its own hostname (`<strategy>.<name>.<zone>`); the main name's weighted
records alias those names in the same hosted zone (Route 53 aliases may target "another resource
record set in this hosted zone"), so moving weight is a config change and a `pulumi up`.
"""

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from components.dns import DnsContext

TYPE = "global-serverless:components:WeightedSplit"


@dataclass(frozen=True)
class WeightedSplitArgs:
    dns: DnsContext
    weights: Mapping[str, int]  # strategy -> Route 53 weight
    targets: Mapping[str, pulumi.Output[str]]  # strategy -> the hostname its front door answers on


class WeightedSplit(pulumi.ComponentResource):
    url: pulumi.Output[str]

    def __init__(self, name: str, args: WeightedSplitArgs, provider: aws.Provider,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(TYPE, name, None, opts)
        if args.dns is None:
            raise ValueError(f"the A/B split {name!r} needs a domain: its weighted records live in the hosted zone")
        if set(args.weights) != set(args.targets):
            raise ValueError(f"the A/B split {name!r} has weights for {sorted(args.weights)} "
                             f"but front doors for {sorted(args.targets)}")
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        main_name = args.dns.domain.fqdn
        records = [
            aws.route53.Record(
                f"{name}-{strategy}",
                zone_id=args.dns.zone_id,
                name=main_name,
                type="A",
                set_identifier=strategy,
                weighted_routing_policies=[aws.route53.RecordWeightedRoutingPolicyArgs(weight=weight)],
                aliases=[aws.route53.RecordAliasArgs(name=args.targets[strategy], zone_id=args.dns.zone_id,
                                                     evaluate_target_health=True)],
                opts=child,
            )
            for strategy, weight in args.weights.items()
        ]
        self.url = pulumi.Output.all(*[r.name for r in records]).apply(lambda _: f"https://{main_name}")
        self.register_outputs({"url": self.url})
