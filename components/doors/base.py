"""The one interface every front door implements."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, overload

import pulumi

from components.config import HealthCheckSettings
from components.doors.dns import DnsContext
from components.regional.endpoint import RegionalEndpoint
from components.stack.providers import Providers


@dataclass(frozen=True)
class FrontDoorArgs:
    endpoints: tuple[RegionalEndpoint, ...]
    health: HealthCheckSettings
    home_region: str
    providers: Providers
    # The DNS name this door answers on: the main name, or `<strategy>.<main>` in an A/B split.
    hostname: Optional[str] = None
    # Other names clients may send to this door (the main name, when an A/B split points at it).
    extra_hostnames: tuple[str, ...] = ()
    dns: Optional[DnsContext] = None
    traffic_dials: Mapping[str, int] = field(default_factory=dict)  # region -> 0..100 (GA)
    # CloudFront's origin secret, and what accepts it beyond the entries' gates (the parameters the
    # function reads): the door starts sending a new value only after them.
    origin_secret: Optional[pulumi.Input[str]] = None
    origin_accepted_by: tuple[pulumi.Resource, ...] = ()
    # What admits this door at every entry (security-group rules, listener rules, listeners): the door's
    # resources depend on them, so they exist before it serves and go only after it is gone.
    entry_gates: tuple[pulumi.Resource, ...] = ()
    # How this door reaches an entry (DoorFacts.reaches_entry): a per-region resource of the door waits for
    # its own region's gates only (endpoint.gates_for(reaches_entry)), not every region's.
    reaches_entry: str = ""
    # The router's probe token (components/doors.router_probe_token), for a door that routes at the edge.
    probe_token: Optional[pulumi.Input[str]] = None
    web_acl_arn: Optional[pulumi.Input[str]] = None  # a web ACL of the door's own scope (catalogue web_acl_scope)

    def domain(self) -> tuple[str, DnsContext]:
        """The door's hostname and the DNS it is recorded in, for a door with a hostname (build_front_doors
        sets both or neither)."""
        if self.hostname is None or self.dns is None:
            raise ValueError(f"a door's hostname ({self.hostname}) needs the stack's DNS context, and the other way")
        return self.hostname, self.dns


class FrontDoor(pulumi.ComponentResource):
    """A global entry point over the regional endpoints. Subclasses set `url` and `hostname`."""

    url: pulumi.Output[str]
    hostname: pulumi.Output[str]
    # What an operator looks this door up by (stack output frontDoorDetails), e.g. static IPs or an id.
    details: Mapping[str, pulumi.Input] = {}

    # Callers build a door as Door(name, args, opts) (components/doors.build_front_doors, every subclass's
    # signature); a subclass registers itself with super().__init__(TYPE, name, None, opts) (ComponentResource's).
    @overload
    def __init__(self, name: str, args: FrontDoorArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None: ...
    @overload
    def __init__(self, t: str, name: str, props: None, opts: Optional[pulumi.ResourceOptions] = None) -> None: ...
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
