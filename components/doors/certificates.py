"""DomainCertificates: one DNS-validated ACM certificate per region that terminates TLS.

ALBs and REGIONAL API Gateway domains need a certificate in their own region; CloudFront needs one in
us-east-1. Each certificate covers `name.zone` and `*.name.zone`. ACM gives the same validation CNAME
for a name and its wildcard, and for the same name in every certificate of one account, so the
validation record is written once and every region's certificate waits on it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from components.config import DomainSettings
from components.registry import component_type
from components.stack.naming import certificate_names

TYPE = component_type("DomainCertificates")


@dataclass(frozen=True)
class DomainCertificatesArgs:
    domain: DomainSettings
    zone_id: pulumi.Input[str]
    regions: tuple[str, ...]  # first one writes the validation record


def validation_record(options: Sequence[Any], domain_name: str) -> dict:
    """The CNAME ACM asks for `domain_name`, from a certificate's domain_validation_options."""
    for option in options:
        get = option.get if isinstance(option, dict) else (lambda k, o=option: getattr(o, k))
        if get("domain_name") == domain_name:
            return {
                "name": get("resource_record_name"),
                "type": get("resource_record_type"),
                "value": get("resource_record_value"),
            }
    raise ValueError(f"ACM returned no validation option for {domain_name}")


class DomainCertificates(pulumi.ComponentResource):
    arns: Mapping[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        args: DomainCertificatesArgs,
        providers: Mapping[str, aws.Provider],
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__(TYPE, name, None, opts)
        domain_name, alternative_names = certificate_names(args.domain)

        certificates = {
            region: aws.acm.Certificate(
                f"{name}-{region}",
                domain_name=domain_name,
                subject_alternative_names=list(alternative_names),
                validation_method="DNS",
                opts=pulumi.ResourceOptions(parent=self, provider=providers[region]),
            )
            for region in args.regions
        }
        first = certificates[args.regions[0]]
        record = first.domain_validation_options.apply(lambda options: validation_record(options, domain_name))
        validation = aws.route53.Record(
            f"{name}-validation",
            zone_id=args.zone_id,
            name=record["name"],
            type=record["type"],
            records=[record["value"]],
            ttl=300,
            # Re-validating an existing certificate for the same name finds the record already there.
            allow_overwrite=True,
            # ACM gives every certificate for this name in the account the same CNAME, so other stacks
            # (and certificates renewing later) may rely on it: destroying this stack leaves it.
            opts=pulumi.ResourceOptions(parent=self, provider=providers[args.regions[0]], retain_on_delete=True),
        )
        self.arns = {
            region: aws.acm.CertificateValidation(
                f"{name}-{region}",
                certificate_arn=certificate.arn,
                validation_record_fqdns=[validation.fqdn],
                opts=pulumi.ResourceOptions(parent=self, provider=providers[region]),
            ).certificate_arn
            for region, certificate in certificates.items()
        }
        self.register_outputs({})
