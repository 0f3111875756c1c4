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
