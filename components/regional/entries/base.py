"""The one interface every regional entry (the thing in front of a region's function) implements."""

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.config import AuthSettings, HealthCheckSettings
from components.regional.endpoint import RegionalEndpoint
from components.stack.hostnames import HostnamePlan
from functions.api import contract as api_contract

ITEMS_PATH = api_contract.ITEMS_PATH  # the API's item routes (functions/api/routes.py)


def protected_item_methods(protect_reads: bool) -> tuple[str, ...]:
    """The item methods that need a token at the entry (the function asks for the same ones)."""
    return ("PUT", "DELETE", "GET") if protect_reads else ("PUT", "DELETE")


@dataclass(frozen=True)
class DomainBinding:
    """The custom domain as one region sees it."""

    hostnames: HostnamePlan
    zone_id: pulumi.Input[str]
    certificate_arn: pulumi.Input[str]  # validated, in this region


@dataclass(frozen=True)
class EntryArgs:
    region: str
    function: aws.lambda_.Function
    health: HealthCheckSettings
    deletion_protection: bool
    domain: Optional[DomainBinding] = None
    access_log_days: int = 90  # how long an entry's own access logs are kept (config accessLogDays)
    auth: Optional[AuthSettings] = None  # JWT bearer tokens on writes (the entry may check them too)
    # How the doors reach the entry (components/security/exposure.py).
    internal: bool = False  # no public address: the doors reach it privately
    global_accelerator: bool = False  # a door of the stack: it gets a listener port of its own
    direct_clients: bool = False  # a door sends clients to the entry itself (route53): open to everyone
    locked: bool = False  # only CloudFront may use the served port: requests without the secret get 403
    # CloudFront is a door: the value it sends in ORIGIN_SECRET_HEADER now, and that value's version.
    origin_secret: Optional[pulumi.Input[str]] = None
    origin_secret_version: int = 1


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
