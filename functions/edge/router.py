"""One origin-request in, the same request pointed at the chosen region out.

Health probes go through the distribution itself. Behind CloudFront alone the regional entries admit only
CloudFront (an ALB admits CloudFront's origin-facing prefix list and forwards only requests carrying the
origin secret; an HTTP API's function refuses requests without it), so the router cannot probe an origin
directly. It probes `https://<distribution domain><healthPath>` with the header
`x-gs-probe-region: <region>` (contract.PROBE_REGION_HEADER); CloudFront runs the origin-request trigger on
that request too, and this router, seeing the header name a region of its table on a GET/HEAD of the
health path, sends it straight to that region's origin with no health walk (reason "probe"). So probing
never recurses, a probe measures exactly one region, and CloudFront adds the origin's custom headers
(the secret) itself: the router never holds the secret. An unknown region in the header, or the header on
any other path, is ignored (normal routing). With a probe token in the table (the program always bakes
one), only a request carrying it (contract.PROBE_TOKEN_HEADER, compared in constant time) may force a
region: a viewer cannot, and the distribution's web ACL exempts the router's probes from its per-address
rate rule by the same token.

The distribution's domain comes from the event: CloudFront's Lambda@Edge event structure documents, under
"Config values", `distributionDomainName (read-only)`: "The domain name of the distribution that's
associated with the request." (Records[0].cf.config; https://docs.aws.amazon.com/AmazonCloudFront/latest/
DeveloperGuide/lambda-event-structure.html). Before its first request a container knows no domain, so it
probes nothing; the first invocation sets the probe targets and starts the first round (and, with no
verdict yet, waits at most one probe timeout for its preferred regions, walking the preference order, as
health.py describes). An event without a usable domain leaves the targets as they are; a container that
never had one routes on preference alone (no region is known unhealthy).
"""

import hmac
import re
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from random import random
from typing import Optional

from . import contract
from .health import HealthMonitor, Target, timing
from .origin import route_request
from .routing import Decision, choose, preference
from .table import RoutingTable
from .viewer import viewer_from_headers

PACKAGED_TABLE = Path(__file__).with_name(contract.ROUTING_TABLE_FILE)
PROBE_SCHEME = "https"  # CloudFront's default domain answers HTTPS on 443; tests inject "http"
_PROBE_HEADER = contract.PROBE_REGION_HEADER
_TOKEN_HEADER = contract.PROBE_TOKEN_HEADER
# A hostname, optionally with a port (a test's stand-in distribution on 127.0.0.1:<port>).
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?$")
_PROBE_METHODS = ("GET", "HEAD")


def _header(headers, name: str) -> str:
    """A CloudFront-shaped request header's first value ("" when absent or not text)."""
    entries = headers.get(name) if isinstance(headers, dict) else None
    if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
        return ""
    value = entries[0].get("value")
    return value if isinstance(value, str) and value.isascii() else ""


class Router:
    def __init__(
        self,
        table: RoutingTable,
        health: Optional[HealthMonitor] = None,
        draw: Callable[[], float] = random,
        *,
        probe_scheme: str = PROBE_SCHEME,
    ):
        self.table = table
        self.draw = draw  # the dice for traffic dials
        self.health = (
            health if health is not None else HealthMonitor(**timing(table.health_interval, table.failure_threshold))
        )
        self.probe_scheme = probe_scheme
        self.distribution: Optional[str] = None  # the domain the probes go through, once known

    @classmethod
    def from_file(cls, path: Path = PACKAGED_TABLE, **kwargs) -> "Router":
        return cls(RoutingTable.from_file(path), **kwargs)

    def handle(self, event: dict) -> dict:
        record = event["Records"][0]["cf"]
        request = record["request"]
        forced = self.probed_region(request)
        if forced is not None:
            return route_request(request, self.table.regions[forced], contract.PROBE_REASON)
        self._probe_through(record.get("config"))
        decision = self.decide(request.get("headers"))
        return route_request(request, self.table.regions[decision.region], decision.reason)

    def probed_region(self, request: dict) -> Optional[str]:
        """The region a health probe through the distribution asks for, or None for any other request."""
        if request.get("uri") != self.table.health_path or request.get("method") not in _PROBE_METHODS:
            return None
        headers = request.get("headers")
        token = self.table.probe_token
        if token is not None and not hmac.compare_digest(_header(headers, _TOKEN_HEADER).encode(), token.encode()):
            return None  # not the router's own probe: the header is ignored, the request routed as any other
        value = _header(headers, _PROBE_HEADER)
        region = value.strip().lower()
        return region if region in self.table.regions else None

    def probe_targets(self, domain: str) -> dict[str, Target]:
        url = f"{self.probe_scheme}://{domain}{self.table.health_path}"
        token = {} if self.table.probe_token is None else {_TOKEN_HEADER: self.table.probe_token}
        return {code: Target(url, {_PROBE_HEADER: code, **token}) for code in self.table.regions}

    def _probe_through(self, config) -> None:
        domain = config.get("distributionDomainName") if isinstance(config, dict) else None
        if isinstance(domain, str) and domain != self.distribution and _DOMAIN.match(domain):
            self.distribution = domain
            self.health.set_targets(self.probe_targets(domain))

    def decide(self, headers) -> Decision:
        basis, order = preference(self.table, viewer_from_headers(headers))
        walked: list[str] = []  # what the health walk ranked; the rest is ranked only if needed

        def ranked():
            for region in order:
                walked.append(region)
                yield region

        try:
            unhealthy = self.health.unhealthy_among(ranked())
            return choose(basis, chain(walked, order), unhealthy, self.table.dials, self.draw)
        finally:
            self.health.end_invocation()
