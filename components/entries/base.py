"""The one interface every regional entry (the thing in front of a region's function) implements."""

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.config import AuthSettings, HealthCheckSettings
from components.endpoint import RegionalEndpoint
from components.hostnames import HostnamePlan


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
    # Enforce CloudFront's origin secret: any of these values in catalogue.ORIGIN_SECRET_HEADER.
    origin_secrets: Optional[pulumi.Input[list]] = None
    access_log_days: int = 90  # how long an entry's own access logs are kept (config accessLogDays)
    auth: Optional[AuthSettings] = None  # JWT bearer tokens on writes (the entry may check them too)
    origin_locked: bool = False  # only the guarded door may reach the entry (origin_protection.lock_state)
    internal: bool = False  # no public address: only Global Accelerator reaches it (origin_protection.alb_scheme)
    global_accelerator: bool = False  # a door of the stack: it gets a listener port of its own


class RegionalEntry(pulumi.ComponentResource):
    """Subclasses take (name, EntryArgs, provider, opts) and set these two before register_outputs."""

    endpoint: RegionalEndpoint
    # (CloudWatch namespace, metric name, dimensions) of the entry's own 5xx count, for the region's alarm.
    server_error_metric: tuple[str, str, dict]
    # The load balancer's own 5xx (no target answered), where the entry has one.
    balancer_error_metric: Optional[tuple[str, str, dict]] = None
    # Entries that can refuse strangers (components/origin_lockdown.py): the listener serving the API
    # and where it forwards; and, when guarded, the rule that lets the secret through (the door waits for it).
    served_listener_arn: Optional[pulumi.Output[str]] = None
    target_group_arn: Optional[pulumi.Output[str]] = None
    origin_accept_rule: Optional[pulumi.Resource] = None
    # What must stop refusing strangers before another door sends clients here (its network rules).
    origin_gates: tuple[pulumi.Resource, ...] = ()
