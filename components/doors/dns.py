"""The custom domain's zone and certificates, built once and shared by backends and front doors."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.config import DomainSettings, Settings
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


def certificate_regions(settings: Settings) -> tuple[str, ...]:
    """Home first (it writes the validation record), every backend region, us-east-1 for CloudFront."""
    regions = [settings.home_region] + [r for r in settings.regions if r != settings.home_region]
    if any(DOORS[s].needs_edge_region for s in settings.strategies) and EDGE_REGION not in regions:
        regions.append(EDGE_REGION)
    return tuple(regions)


def build_dns(settings: Settings, providers: Providers) -> Optional[DnsContext]:
    if settings.domain is None:
        return None
    zone_id = aws.route53.get_zone_output(
        name=settings.domain.zone, private_zone=False, opts=pulumi.InvokeOutputOptions(provider=providers.home)
    ).zone_id
    regions = certificate_regions(settings)
    region_providers = {r: providers.by_region.get(r, providers.edge) for r in regions}
    certificates = DomainCertificates(
        "tls", DomainCertificatesArgs(domain=settings.domain, zone_id=zone_id, regions=regions), region_providers
    )
    return DnsContext(
        domain=settings.domain, zone_id=zone_id, certificate_arns=certificates.arns, hostnames=settings.hostnames
    )
