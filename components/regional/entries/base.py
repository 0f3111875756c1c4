"""The one interface every regional entry (the thing in front of a region's function) implements."""

from dataclasses import dataclass
from typing import Any, Optional, overload

import pulumi
import pulumi_aws as aws

from components.config import AuthSettings, HealthCheckSettings, Settings
from components.regional.endpoint import RegionalEndpoint
from components.registry import DEFAULT_ACCESS_LOG_DAYS, DOORS, own_port
from components.security.exposure import Exposure
from components.stack.hostnames import HostnamePlan
from functions.api import contract as api_contract

ITEMS_PATH = api_contract.ITEMS_PATH  # the API's item routes (functions/api/routes.py)


@dataclass(frozen=True)
class DomainBinding:
    """The custom domain as one region sees it."""

    hostnames: HostnamePlan
    zone_id: pulumi.Input[str]
    certificate_arn: pulumi.Input[str]  # validated, in this region


@dataclass(frozen=True)
class EntryOptions:
    """How every region's entry is built: the same in every region, built once (entry_options) from the
    validated settings and the exposure plan, and handed through RegionalBackend unchanged."""

    backend: str  # a key of components/registry.py BACKENDS
    health: HealthCheckSettings
    deletion_protection: bool
    access_log_days: int = DEFAULT_ACCESS_LOG_DAYS  # how long an entry's own access logs are kept
    auth: Optional[AuthSettings] = None  # JWT bearer tokens (the entry may check them too)
    # How the doors reach the entry (components/security/exposure.py).
    internal: bool = False  # no public address: the doors reach it privately
    # Doors that reach the entry on a listener of their own (DoorFacts.own_port_offset): see own_port.
    own_port_doors: tuple[str, ...] = ()
    direct_clients: bool = False  # a door sends clients to the entry itself (route53): open to everyone
    locked: bool = False  # only CloudFront may use the served port: requests without the secret get 403
    origin_secret_version: int = 1  # the version of the secret CloudFront sends now (when it is a door)

    def own_port(self, public_port: int) -> Optional[int]:
        """The port the entry listens on for a door of its own, for the served port (None: no such door)."""
        ports = {port for door in self.own_port_doors if (port := own_port(door, public_port)) is not None}
        return min(ports) if ports else None


def entry_options(settings: Settings, exposure: Exposure) -> EntryOptions:
    """The entry's options, once per stack (__main__.py)."""
    return EntryOptions(
        backend=settings.backend,
        health=settings.health_check,
        deletion_protection=settings.deletion_protection,
        access_log_days=settings.access_log_days,
        auth=settings.auth,
        internal=exposure.private,
        own_port_doors=tuple(s for s in settings.strategies if DOORS[s].own_port_offset),
        direct_clients=bool(exposure.direct_doors),
        locked=exposure.locked,
        origin_secret_version=settings.origin_secret_version,
    )


@dataclass(frozen=True)
class EntryArgs:
    region: str
    function: aws.lambda_.Function
    options: EntryOptions
    # What the entry invokes, never the unqualified function: its `live` alias (components/regional/release.py).
    alias: aws.lambda_.Alias
    domain: Optional[DomainBinding] = None
    # CloudFront is a door: the value it sends in ORIGIN_SECRET_HEADER now (options.origin_secret_version).
    origin_secret: Optional[pulumi.Input[str]] = None


class RegionalEntry(pulumi.ComponentResource):
    """Subclasses take (name, EntryArgs, provider, opts) and set these two before register_outputs."""

    endpoint: RegionalEndpoint
    # (CloudWatch namespace, metric name, dimensions) of the entry's own 5xx count, for the region's alarm.
    server_error_metric: tuple[str, str, dict]
    # The load balancer's own 5xx (no target answered), where the entry has one.
    balancer_error_metric: Optional[tuple[str, str, dict]] = None
    # The listener serving the API and where it forwards (ALB entries).
    served_listener_arn: Optional[pulumi.Output[str]] = None
    target_group_arn: Optional[pulumi.Output[str]] = None
    # What must exist before a name points at the entry (a new ALB's listeners): the regional record waits.
    serving: tuple[pulumi.Resource, ...] = ()

    # Callers build an entry as Entry(name, args, provider, opts) (components/regional/backend.py, every
    # subclass's signature); a subclass registers itself with super().__init__(TYPE, name, None, opts).
    @overload
    def __init__(
        self, name: str, args: EntryArgs, provider: aws.Provider, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None: ...
    @overload
    def __init__(self, t: str, name: str, props: None, opts: Optional[pulumi.ResourceOptions] = None) -> None: ...
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
