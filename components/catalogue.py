"""Facts about the front doors and backends the program can deploy, in one place.

Config parsing, hostname planning, components and tooling read these instead of repeating them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DoorFacts:
    needs_domain: bool  # its records live in the hosted zone, so it cannot work without `domain`
    backends: tuple[str, ...]  # regional entries it can put in front of
    # Clients' TLS and Host reach the regional entry unchanged (DNS or TCP doors), so each entry
    # must serve this door's hostname; CloudFront instead rewrites Host to the regional name.
    passes_client_host: bool
    ipv6: bool  # answers AAAA on its hostname
    why_backends: str = ""  # shown when a backend is refused


DOORS: dict[str, DoorFacts] = {
    "route53": DoorFacts(needs_domain=True, backends=("alb", "apigateway"), passes_client_host=True, ipv6=False),
    "globalaccelerator": DoorFacts(
        needs_domain=False, backends=("alb",), passes_client_host=True, ipv6=False,
        why_backends="Global Accelerator endpoints are ALB, NLB, EC2 or Elastic IP only",
    ),
    "cloudfront": DoorFacts(needs_domain=False, backends=("alb", "apigateway"), passes_client_host=False, ipv6=True),
}
STRATEGIES: tuple[str, ...] = tuple(DOORS)
BACKENDS: tuple[str, ...] = ("alb", "apigateway")

TABLE_CONSISTENCY_MODES: tuple[str, ...] = ("eventual", "strong")
# DynamoDB multi-Region strong consistency (MRSC): exactly three Regions of one set (three replicas, or
# two and a witness, which holds no data API), chosen at creation and never changed; no TTL, no
# transactions, no LSIs. Source: AWS DynamoDB developer guide, "Multi-Region strong consistency", and
# the CloudFormation GlobalTableWitness reference (region sets), read 2026-12-01.
MRSC_REGION_SETS: dict[str, tuple[str, ...]] = {
    "US": ("us-east-1", "us-east-2", "us-west-2"),
    "EU": ("eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"),
    "AP": ("ap-northeast-1", "ap-northeast-2", "ap-northeast-3"),
}
MRSC_REGION_COUNT = 3


def mrsc_set_of(region: str) -> str | None:
    return next((name for name, members in MRSC_REGION_SETS.items() if region in members), None)
