"""Which front door a request came through, for the per-door metrics (the EMF dimension contract.DIMENSION_FRONT_DOOR).

- cloudfront: the edge router marks every request it routes (CLOUDFRONT_ROUTED_HEADER);
- globalaccelerator: it reaches the ALB on a listener port of its own (FRONT_DOOR_GA_PORT), which the
  ALB reports in X-Forwarded-Port;
- direct: a region's own name (<region>.<name>), or any request when the stack has no route53 door;
- route53: the rest (clients that resolved the main or the route53 name and came straight here).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import contract

DIRECT = contract.DIRECT_DOOR


@dataclass(frozen=True)
class DoorSettings:
    doors: tuple[str, ...] = ()
    ga_port: int | None = None
    direct_hosts: frozenset[str] = frozenset()


def front_door(header, host: str | None, settings: DoorSettings) -> str:
    """`header(name)` reads a request header (lower-case name); `host` is the name the client asked for."""
    if header(contract.CLOUDFRONT_ROUTED_HEADER):
        return "cloudfront"
    if settings.ga_port is not None and header("x-forwarded-port") == str(settings.ga_port):
        return "globalaccelerator"
    if host is not None and host.lower().split(":")[0] in settings.direct_hosts:
        return DIRECT
    return "route53" if "route53" in settings.doors else DIRECT
