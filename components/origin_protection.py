"""Who may reach a regional entry directly: planned from the stack's doors and backend.

An A/B map is the union of its doors: an entry can refuse strangers only when every door that sends it
traffic can prove itself the same way (today: CloudFront's secret header, enforced by the ALB). Any door
whose clients connect to the entry themselves (route53, globalaccelerator) keeps the entry public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from components.catalogue import ALB_SCHEME_TAG, BACKENDS, DOORS, FRONT_DOORS_TAG, front_doors_tag


@dataclass(frozen=True)
class OriginGuard:
    secret_header: bool  # CloudFront sends the stack's secret; the entry answers 403 without it
    summary: str  # one line for the plan and the README: what protects the entries, or why nothing does
    internal_entries: bool = False  # the doors reach entries without a public address (Global Accelerator)


def plan_origin_guard(strategies: tuple[str, ...], backend: str) -> OriginGuard:
    guards = {DOORS[strategy].origin_guard for strategy in strategies}
    public = [s for s in strategies if DOORS[s].origin_guard == "none"]
    if public:
        return OriginGuard(
            False, f"regional entries are public: {', '.join(public)} sends clients to them directly (by design)"
        )
    if len(guards) > 1:
        return OriginGuard(False, f"regional entries are public: {', '.join(strategies)} reach them in different ways")
    (guard,) = guards
    if guard not in BACKENDS[backend].origin_guards:
        return OriginGuard(False, f"regional entries are public: the {backend} backend does not enforce {guard} yet")
    if guard == "internal-entry":
        return OriginGuard(
            False, "regional entries are internal load balancers: only Global Accelerator reaches them", True
        )
    return OriginGuard(True, "regional entries answer 403 to any request without CloudFront's origin secret")


INTERNAL, INTERNET_FACING = "internal", "internet-facing"


def alb_scheme(guard: OriginGuard, deployed_tags: dict[str, str]) -> str:
    """An ALB's scheme is fixed when it is created (changing it replaces the ALB, and with deletion
    protection the old one cannot go). A new stack whose doors reach internal entries gets internal
    ALBs; a deployed stack keeps what its table's alb-scheme tag says until a door that needs public
    entries arrives (then the ALBs are replaced, and the diff says so)."""
    if not guard.internal_entries:
        return INTERNET_FACING
    if not deployed_tags:
        return INTERNAL
    return INTERNAL if deployed_tags.get(ALB_SCHEME_TAG) == INTERNAL else INTERNET_FACING


LOCKED, PENDING, OPEN = "locked", "pending", "open"


def lock_state(guard: OriginGuard, strategies: tuple[str, ...], deployed_tags: dict[str, str]) -> str:
    """Whether the entries refuse strangers on this update.

    Locking must wait until no other door sends traffic. In an update that switches to CloudFront, the
    old door's records are deleted last, after every create and update, so the main name still sends
    some clients through the old door while the update runs. Locking therefore happens in the first
    update that starts from a stack already serving through CloudFront alone (the table's front-doors
    tag says what the last update left), or at once on a new stack.
    """
    if not guard.secret_header:
        return OPEN
    if not deployed_tags or deployed_tags.get(FRONT_DOORS_TAG) == front_doors_tag(strategies):
        return LOCKED
    return PENDING


def plaintext_hop(backend: str, has_domain: bool, strategies: tuple[str, ...]) -> Optional[str]:
    """The first unencrypted internet hop this combination would have, or None when every hop is TLS."""
    if has_domain or BACKENDS[backend].https_without_domain:
        return None
    hops = [DOORS[s].plaintext_hop for s in strategies if DOORS[s].plaintext_hop]
    return f"without a domain the {backend} backend has no certificate, so " + "; ".join(hops) if hops else None


def accepted_versions(version: int) -> tuple[int, ...]:
    """Secret versions an entry accepts: the current one and, while rotating, the one before."""
    return (version, version - 1) if version > 1 else (version,)


def security_summary(
    strategies: tuple[str, ...],
    backend: str,
    has_domain: bool,
    allow_plaintext: bool,
    lock: str = LOCKED,
    waf_rate_limit: int | None = None,
    auth_issuer: str | None = None,
    protect_reads: bool = False,
) -> list[str]:
    """What protects this stack's entries, one line each, for the offline plan."""
    lines = [plan_origin_guard(strategies, backend).summary]
    if lock == PENDING:
        lines.append(
            "pending: the entries accept the secret now and refuse strangers from the next pulumi up, once "
            "no other door sends them traffic"
        )
    if backend == "apigateway":
        lines.append(
            "the HTTP APIs' default execute-api endpoints are disabled (every door uses the custom domain)"
            if has_domain
            else "the HTTP APIs answer on their execute-api names (no domain): those names are the entries"
        )
    hop = plaintext_hop(backend, has_domain, strategies)
    if hop is not None and allow_plaintext:
        lines.append(f"advisory: {hop} (accepted by allowPlaintext)")
    if auth_issuer is None:
        lines.append(
            "auth: none: anyone who reaches the API can PUT and DELETE any item (set auth: {issuer, audience})"
        )
    else:
        what = "every item request" if protect_reads else "PUT and DELETE"
        lines.append(f"auth: JWT bearer tokens from {auth_issuer} on {what}; /health stays open")
    if waf_rate_limit is None:
        lines.append("WAF: none (set waf: {rateLimit: N} for web ACLs)")
    else:
        coverage = waf_coverage(strategies, backend)
        where = ["CloudFront (CLOUDFRONT scope)"] * coverage.edge + ["each ALB (REGIONAL scope)"] * coverage.regional
        lines.append(
            f"WAF: managed rules and {waf_rate_limit} requests per client IP per 5 minutes on {' and '.join(where)}"
        )
        lines.extend(f"WAF: not covered: {path} (HTTP APIs cannot take a web ACL)" for path in coverage.uncovered)
    return lines


@dataclass(frozen=True)
class WafCoverage:
    edge: bool  # a CLOUDFRONT-scope web ACL on the distribution
    regional: bool  # a REGIONAL web ACL on each regional entry
    uncovered: tuple[str, ...]  # paths no web ACL sees, e.g. "route53 -> HTTP API"


def waf_coverage(strategies: tuple[str, ...], backend: str) -> WafCoverage:
    """Where web ACLs go. Requests through a door that takes one are filtered there (it sees the real
    client address); the entries get one only if some door sends clients to them directly, and only if
    the entry can take one (an HTTP API cannot)."""
    edge = any(DOORS[s].web_acl_scope for s in strategies)
    direct = [s for s in strategies if not DOORS[s].web_acl_scope]
    regional = bool(direct) and BACKENDS[backend].takes_web_acl
    uncovered = () if regional else tuple(f"{s} -> {backend}" for s in direct)
    return WafCoverage(edge=edge, regional=regional, uncovered=uncovered)
