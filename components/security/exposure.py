"""Who reaches a regional entry, and how: decided once per door set and backend, from AWS's own mechanisms.

Pure planning (no pulumi import). Nothing here reads what an earlier update left in AWS: every
decision follows from the stack's config alone, and every change between two decisions is carried out
by resources the engine orders by their dependencies (docs/security.md, "Who reaches a regional entry"):

- An ALB is **internal** when every door reaches it privately: Global Accelerator reaches internal ALBs
  in a VPC with an internet gateway (Global Accelerator developer guide, "Endpoints for standard
  accelerators"). CloudFront could reach an internal ALB as a **VPC origin**, but "VPC origins do not
  support ... Origin request and origin response triggers with Lambda@Edge" (CloudFront developer guide,
  "Restrict access with VPC origins", restrictions), and this product's router is a Lambda@Edge
  origin-request function (the only documented way to pick a VPC origin per request is a CloudFront
  Function's cf.selectRequestOriginById). So CloudFront reaches internet-facing ALBs as custom origins
  that send the stack's secret header. Adding or removing Global Accelerator as the only door changes
  the scheme, and that replaces the ALB with everything that can belong to one load balancer only
  (components/regional/entries/alb.py).
- Behind CloudFront alone, an internet-facing ALB admits only CloudFront's origin-facing prefix list
  (its own security group) and forwards only requests carrying the secret (one listener rule per secret
  version); a direct door adds an "open" rule and public ingress rules of its own.
- An HTTP API always has a public endpoint (API Gateway offers private endpoints for REST APIs only).
  Behind CloudFront alone the function refuses requests without the stack's origin secret, except on
  the door names whose API Gateway custom domains exist only while a direct door does (API Gateway
  routes a custom domain name only while it and its API mapping exist).
- A security-group rule per kind of client is a resource of its own (aws.vpc.SecurityGroupIngressRule),
  so the rule for a door is created before that door and deleted after it (dependents first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from components.registry import BACKENDS, DOORS

# DoorFacts.reaches_entry values.
CLIENT = "client"  # clients connect to the entry themselves (DNS): the entry must be public
PRIVATE_NETWORK = "private-network"  # the door reaches entries without a public address (Global Accelerator)
EDGE = "edge"  # CloudFront: a public custom origin that sends the stack's secret header

INTERNAL, INTERNET_FACING = "internal", "internet-facing"


@dataclass(frozen=True)
class Exposure:
    """How every regional entry of a stack is reached."""

    private: bool  # the entries have no public address (internal ALBs)
    direct_doors: tuple[str, ...]  # doors whose clients connect to the entries themselves
    origin_secret: bool  # CloudFront is a door: it adds the stack's secret header to every origin request
    # Only CloudFront reaches the served port (no direct door): the entry refuses requests without the
    # secret there (ALB: listener rules; HTTP API: the function, on names other than a direct door's).
    locked: bool
    guard_in_function: bool  # the function checks the secret (the entry cannot)
    summary: str  # one line for the plan and the README

    @property
    def scheme(self) -> str:
        return INTERNAL if self.private else INTERNET_FACING


def plan_exposure(strategies: tuple[str, ...], backend: str) -> Exposure:
    facts = BACKENDS[backend]
    reach = {s: DOORS[s].reaches_entry for s in strategies}
    direct = tuple(s for s in strategies if reach[s] == CLIENT)
    private = facts.private_network and all(r == PRIVATE_NETWORK for r in reach.values())
    secret = EDGE in reach.values()
    locked = secret and not direct and (facts.listener_rules or facts.origin_guard_in_function)
    guard = locked and facts.origin_guard_in_function
    if private:
        summary = "regional entries are internal load balancers: only Global Accelerator reaches them"
    elif direct:
        summary = f"regional entries are public: {', '.join(direct)} sends clients to them directly (by design)"
    elif locked:
        others = [s for s in strategies if reach[s] != EDGE]
        beside = (
            f"; {', '.join(others)} reaches them on a port of its own, which anyone who finds the entry can "
            "reach too (Global Accelerator keeps the clients' addresses, so no rule can tell its traffic apart)"
            if others
            else ""
        )
        summary = f"regional entries answer 403 to any request without CloudFront's origin secret{beside}"
    else:
        summary = f"regional entries are public: the {backend} backend cannot refuse other callers"
    return Exposure(
        private=private,
        direct_doors=direct,
        origin_secret=secret,
        locked=locked,
        guard_in_function=guard,
        summary=summary,
    )


def plaintext_hop(backend: str, has_domain: bool, strategies: tuple[str, ...]) -> Optional[str]:
    """The first unencrypted internet hop this combination would have, or None when every hop is TLS."""
    if has_domain or BACKENDS[backend].https_without_domain:
        return None
    hops = [DOORS[s].plaintext_hop for s in strategies if DOORS[s].plaintext_hop]
    return f"without a domain the {backend} backend has no certificate, so " + "; ".join(hops) if hops else None


def health_checked(strategies: tuple[str, ...]) -> bool:
    """Whether a door's own health checkers request the entries' health path (DoorFacts.checks_entries)."""
    return any(DOORS[s].checks_entries for s in strategies)


@dataclass(frozen=True)
class WafCoverage:
    edge: bool  # a CLOUDFRONT-scope web ACL on the distribution
    regional: bool  # a REGIONAL web ACL on each regional entry
    uncovered: tuple[str, ...]  # paths no web ACL sees, e.g. "route53 -> HTTP API"
    # CloudFront reaches the same public entries as another door: the regional ACL's rate rule must not
    # count CloudFront's shared edge addresses as clients (the edge ACL limits those clients already).
    exempt_cloudfront: bool = False


def waf_coverage(strategies: tuple[str, ...], backend: str) -> WafCoverage:
    """Where web ACLs go. Requests through a door that takes one are filtered there (it sees the real
    client address); the entries get one only if some door sends clients to them without one, and only
    if the entry can take one (an HTTP API cannot)."""
    edge = any(DOORS[s].web_acl_scope for s in strategies)
    direct = [s for s in strategies if not DOORS[s].web_acl_scope]
    regional = bool(direct) and BACKENDS[backend].takes_web_acl
    uncovered = () if regional else tuple(f"{s} -> {backend}" for s in direct)
    exempt = regional and edge and plan_exposure(strategies, backend).origin_secret
    return WafCoverage(edge=edge, regional=regional, uncovered=uncovered, exempt_cloudfront=exempt)


def security_summary(
    strategies: tuple[str, ...],
    backend: str,
    has_domain: bool,
    allow_plaintext: bool,
    waf_rate_limit: int | None = None,
    auth_issuer: str | None = None,
    protect_reads: bool = False,
) -> list[str]:
    """What protects this stack's entries, one line each, for the offline plan."""
    exposure = plan_exposure(strategies, backend)
    lines = [exposure.summary]
    facts = BACKENDS[backend]
    own = facts.summary_with_domain if has_domain else facts.summary_without_domain
    if own:
        lines.append(own)
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
        if coverage.exempt_cloudfront:
            lines.append(
                "WAF: the ALBs' rate rule skips requests carrying CloudFront's origin secret (the edge ACL "
                "limits those clients by their own address)"
            )
        lines.extend(f"WAF: not covered: {path} (HTTP APIs cannot take a web ACL)" for path in coverage.uncovered)
    return lines


PUBLIC, PRIVATE, CLOUDFRONT_ONLY = "public", "internal", "cloudfront-only"


def access(exposure: Exposure, strategies: tuple[str, ...]) -> str:
    """Who can reach an entry: "internal" (no public address: reach it from inside its VPC),
    "cloudfront-only" (refuses requests without the origin secret) or "public" (answers anyone on some port)."""
    if exposure.private:
        return PRIVATE
    only_edge = all(DOORS[s].reaches_entry == EDGE for s in strategies)
    return CLOUDFRONT_ONLY if exposure.locked and only_edge else PUBLIC


def entry_access(exposure: Exposure, strategies: tuple[str, ...], regions: tuple[str, ...]) -> dict[str, str]:
    """Region -> access(...), for the stack output `entryAccess`."""
    return dict.fromkeys(regions, access(exposure, strategies))


def probes_entries(exposure: Exposure, strategies: tuple[str, ...]) -> bool:
    """Whether a probe from outside can reach the entries' served names (internal or CloudFront-only ones
    cannot, nor the served port of a stack locked to CloudFront beside Global Accelerator: probing them
    would only measure the lockdown)."""
    return access(exposure, strategies) == PUBLIC and not exposure.locked
