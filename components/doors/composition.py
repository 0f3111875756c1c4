"""The front doors a stack deploys, composed: each door's component (registered in components/registry.py) and,
for an A/B map, the weighted split of the main name."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi

from components.config import HealthCheckSettings
from components.doors.base import FrontDoorArgs
from components.doors.dns import DnsContext
from components.doors.weighted_split import WeightedSplit, WeightedSplitArgs
from components.regional.endpoint import RegionalEndpoint
from components.registry import DOORS, door_class
from components.stack.providers import Providers


@dataclass(frozen=True)
class FrontDoors:
    url: pulumi.Output[str]
    urls: Mapping[str, pulumi.Output[str]]  # strategy -> URL
    # What clients reach the stack through (the doors, and the main name's records): what must be in
    # place before an entry stops answering strangers.
    serving: tuple[pulumi.Resource, ...] = ()
    health_check_ids: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)  # region -> Route 53 check
    details: Mapping[str, Mapping[str, pulumi.Input]] = field(default_factory=dict)  # strategy -> door's details


def router_probe_token(strategies: tuple[str, ...]) -> Optional[pulumi.Output[str]]:
    """The token the CloudFront router's health probes carry (functions/edge/contract.PROBE_TOKEN_HEADER):
    only its probes may force a region, and the edge web ACL lets them past its per-address rate rule.
    None when no door routes at the edge."""
    if not any(DOORS[strategy].needs_edge_region for strategy in strategies):
        return None
    import pulumi_random as random

    # Not a RandomPassword: it travels in the router's package, readable wherever the code is.
    return random.RandomString("router-probe-token", length=32, special=False).result


@dataclass(frozen=True)
class DoorChoice:
    """What the front doors take of the config (built in __main__.py): no component gets the whole settings."""

    strategies: tuple[str, ...]  # the doors, in the config's order
    health: HealthCheckSettings
    home_region: str
    traffic_dials: Mapping[str, int]  # region -> 0..100, for every region


def build_front_doors(
    choice: DoorChoice,
    endpoints: list[RegionalEndpoint],
    providers: Providers,
    dns: Optional[DnsContext],
    origin_secret: Optional[pulumi.Input[str]] = None,
    origin_accepted_by: tuple[pulumi.Resource, ...] = (),
    web_acl_arns: Optional[Mapping[str, pulumi.Input[str]]] = None,
    probe_token: Optional[pulumi.Input[str]] = None,
) -> FrontDoors:
    """Each door on its own hostname; with a domain, the main name is a weighted set over them.

    Each door waits for what admits it at every entry (RegionalEndpoint.gates, by how it reaches them):
    so an entry opens to a door before the door serves, and closes to it only after the door's own
    resources are deleted (the engine deletes dependents first)."""
    hostnames = None if dns is None else dns.hostnames
    doors = {
        strategy: door_class(strategy)(
            strategy,
            FrontDoorArgs(
                endpoints=tuple(endpoints),
                health=choice.health,
                home_region=choice.home_region,
                providers=providers,
                hostname=None if hostnames is None else hostnames.doors[strategy],
                extra_hostnames=() if hostnames is None else (hostnames.main,),
                dns=dns,
                traffic_dials=dict(choice.traffic_dials),
                origin_secret=origin_secret,
                origin_accepted_by=origin_accepted_by,
                entry_gates=tuple(
                    gate for endpoint in endpoints for gate in endpoint.gates_for(DOORS[strategy].reaches_entry)
                ),
                reaches_entry=DOORS[strategy].reaches_entry,
                web_acl_arn=(web_acl_arns or {}).get(DOORS[strategy].web_acl_scope),
                probe_token=probe_token,
            ),
        )
        for strategy in choice.strategies
    }
    urls = {strategy: door.url for strategy, door in doors.items()}
    checks = {r: c for door in doors.values() for r, c in getattr(door, "health_check_ids", {}).items()}
    details = {strategy: dict(door.details) for strategy, door in doors.items() if door.details}
    if dns is None:
        return FrontDoors(
            url=next(iter(urls.values())),
            urls=urls,
            serving=tuple(doors.values()),
            health_check_ids=checks,
            details=details,
        )
    split = WeightedSplit(
        "main",
        WeightedSplitArgs(dns=dns, targets={strategy: door.hostname for strategy, door in doors.items()}),
        provider=providers.home,
    )
    return FrontDoors(
        url=split.url, urls=urls, serving=(*doors.values(), split), health_check_ids=checks, details=details
    )
