"""Who may reach a regional entry directly: planned from the stack's doors and backend.

An A/B map is the union of its doors: an entry can refuse strangers only when every door that sends it
traffic can prove itself the same way (today: CloudFront's secret header, enforced by the ALB). Any door
whose clients connect to the entry themselves (route53, globalaccelerator) keeps the entry public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from components.catalogue import BACKENDS, DOORS


@dataclass(frozen=True)
class OriginGuard:
    secret_header: bool  # CloudFront sends the stack's secret; the entry answers 403 without it
    summary: str  # one line for the plan and the README: what protects the entries, or why nothing does


def plan_origin_guard(strategies: tuple[str, ...], backend: str) -> OriginGuard:
    guards = {DOORS[strategy].origin_guard for strategy in strategies}
    public = [s for s in strategies if DOORS[s].origin_guard == "none"]
    if public:
        return OriginGuard(
            False, f"regional entries are public: {', '.join(public)} sends clients to them directly (by design)"
        )
    (guard,) = guards
    if guard not in BACKENDS[backend].origin_guards:
        return OriginGuard(False, f"regional entries are public: the {backend} backend does not enforce {guard} yet")
    return OriginGuard(True, "regional entries answer 403 to any request without CloudFront's origin secret")


def plaintext_hop(backend: str, has_domain: bool, strategies: tuple[str, ...]) -> Optional[str]:
    """The first unencrypted internet hop this combination would have, or None when every hop is TLS."""
    if has_domain or BACKENDS[backend].https_without_domain:
        return None
    hops = [DOORS[s].plaintext_hop for s in strategies if DOORS[s].plaintext_hop]
    return f"without a domain the {backend} backend has no certificate, so " + "; ".join(hops) if hops else None


def accepted_versions(version: int) -> tuple[int, ...]:
    """Secret versions an entry accepts: the current one and, while rotating, the one before."""
    return (version, version - 1) if version > 1 else (version,)
