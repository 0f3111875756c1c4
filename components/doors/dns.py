"""The custom domain's zone and certificates, built once and shared by backends and front doors."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.config import DomainSettings
from components.doors.certificates import DomainCertificates, DomainCertificatesArgs
from components.registry import DOORS, EDGE_REGION
from components.stack.hostnames import HostnamePlan
from components.stack.providers import Providers


@dataclass(frozen=True)
class DnsContext:
    domain: DomainSettings
    zone_id: pulumi.Output[str]
    certificate_arns: Mapping[str, pulumi.Output[str]]  # region -> validated certificate ARN
    hostnames: HostnamePlan


def certificate_regions(home_region: str, regions: Sequence[str], strategies: Sequence[str]) -> tuple[str, ...]:
    """Home first (it writes the validation record), every backend region, us-east-1 for an edge door."""
    planned = [home_region] + [r for r in regions if r != home_region]
    if any(DOORS[s].needs_edge_region for s in strategies) and EDGE_REGION not in planned:
        planned.append(EDGE_REGION)
    return tuple(planned)


@dataclass(frozen=True)
class DnsArgs:
    """The custom domain, the names planned on it, and where certificates are needed (certificate_regions)."""

    domain: DomainSettings
    hostnames: HostnamePlan
    certificate_regions: tuple[str, ...]


def build_dns(args: Optional[DnsArgs], providers: Providers) -> Optional[DnsContext]:
    """The zone's id and a validated certificate per region; None for a stack without a domain."""
    if args is None:
        return None
    zone_id = aws.route53.get_zone_output(
        name=args.domain.zone, private_zone=False, opts=pulumi.InvokeOutputOptions(provider=providers.home)
    ).zone_id
    regions = args.certificate_regions
    region_providers = {r: providers.by_region.get(r, providers.edge) for r in regions}
    certificates = DomainCertificates(
        "tls", DomainCertificatesArgs(domain=args.domain, zone_id=zone_id, regions=regions), region_providers
    )
    return DnsContext(domain=args.domain, zone_id=zone_id, certificate_arns=certificates.arns, hostnames=args.hostnames)
