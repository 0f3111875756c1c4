"""Test doubles and builders for the edge router: a routing table, real CloudFront event shapes,
a fake clock, a scripted prober and a spawner that can hold probes the way a frozen container does."""

import copy
from collections.abc import Callable
from typing import Optional

from functions.edge import contract
from functions.edge.health import HealthMonitor
from functions.edge.table import RoutingTable
from tests.support.clock import FakeClock

# Three regions, one of each origin kind the program deploys.
API_GATEWAY_HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
ALB_HOST = "gs-dev-eu-west-1-1234567890.eu-west-1.elb.amazonaws.com"
CUSTOM_DOMAIN_HOST = "ap-southeast-2.api.example.com"

TABLE = {
    "homeRegion": "us-east-1",
    "healthPath": "/health",
    "regions": {
        "us-east-1": {
            "originHost": API_GATEWAY_HOST,
            "protocol": "https",
            "port": 443,
            "lat": 38.9940541,
            "lon": -77.4524237,
        },
        "eu-west-1": {"originHost": ALB_HOST, "protocol": "http", "port": 80, "lat": 53.3498, "lon": -6.2603},
        "ap-southeast-2": {
            "originHost": CUSTOM_DOMAIN_HOST,
            "protocol": "https",
            "port": 443,
            "lat": -33.8688,
            "lon": 151.2093,
        },
    },
    "countries": {"DE": "eu-west-1", "US": "us-east-1", "AU": "ap-southeast-2", "NZ": "ap-southeast-2"},
}

FRANKFURT = ("50.11090", "8.68213")
NEW_YORK = ("40.71280", "-74.00600")
SYDNEY = ("-33.86880", "151.20930")


def routing_table(**overrides) -> RoutingTable:
    raw = copy.deepcopy(TABLE)
    raw.update(overrides)
    return RoutingTable.from_dict(raw)


def header(name: str, value: str) -> dict:
    return {name.lower(): [{"key": name, "value": value}]}


def viewer_headers(*, coordinates=None, country=None, cookie=None) -> dict:
    headers = {}
    if coordinates is not None:
        headers.update(header("CloudFront-Viewer-Latitude", coordinates[0]))
        headers.update(header("CloudFront-Viewer-Longitude", coordinates[1]))
    if country is not None:
        headers.update(header("CloudFront-Viewer-Country", country))
    if cookie is not None:
        headers.update(header("Cookie", cookie))
    return headers


DISTRIBUTION = "d111111abcdef8.cloudfront.net"


def origin_request_event(
    headers=None, *, origin=None, uri="/items/42", querystring="verbose=1", method="GET", distribution=DISTRIBUTION
) -> dict:
    """An origin-request event as CloudFront sends it (the shape in the Lambda@Edge event docs)."""
    base_headers = {
        "x-forwarded-for": [{"key": "X-Forwarded-For", "value": "203.0.113.178"}],
        "user-agent": [{"key": "User-Agent", "value": "Amazon CloudFront"}],
        "via": [{"key": "Via", "value": "2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)"}],
        "host": [{"key": "Host", "value": "api.example.com"}],
        "cache-control": [{"key": "Cache-Control", "value": "no-cache"}],
    }
    request_headers = base_headers if headers is None else headers
    if isinstance(headers, dict):
        request_headers = {**base_headers, **headers}
    return {
        "Records": [
            {
                "cf": {
                    "config": {
                        "distributionDomainName": distribution,
                        "distributionId": "EDFDVBD6EXAMPLE",
                        "eventType": "origin-request",
                        "requestId": "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
                    },
                    "request": {
                        "clientIp": "203.0.113.178",
                        "headers": request_headers,
                        "method": method,
                        "origin": origin
                        if origin is not None
                        else {
                            "custom": {
                                "customHeaders": {"x-origin-verify": [{"key": "X-Origin-Verify", "value": "s3cr3t"}]},
                                "domainName": API_GATEWAY_HOST,
                                "keepaliveTimeout": 5,
                                "path": "",
                                "port": 443,
                                "protocol": "https",
                                "readTimeout": 30,
                                "sslProtocols": ["TLSv1.2"],
                            }
                        },
                        "querystring": querystring,
                        "uri": uri,
                    },
                }
            }
        ]
    }


class ScriptedProber:
    """Answers per origin host: True (200), False (other answer), None (no answer). Default healthy.

    A probe through the distribution names its region in the probe header: it is answered as that
    region's origin host (from `hosts`, the test table's by default)."""

    def __init__(self, clock: Optional[FakeClock] = None, hosts: Optional[dict[str, str]] = None):
        self.answers: dict[str, Optional[bool]] = {}
        self.delays: dict[str, float] = {}  # fake seconds a probe takes (advances the fake clock)
        self.calls: list[str] = []
        self.headers: list[dict] = []  # the headers each probe sent
        self.expected: list[Optional[str]] = []  # the region each probe wanted to be served by
        self.hosts = hosts if hosts is not None else {code: r["originHost"] for code, r in TABLE["regions"].items()}
        self._clock = clock

    def set(self, host: str, answer: Optional[bool]) -> None:
        self.answers[host] = answer

    def __call__(
        self, url: str, timeout: float, headers: Optional[dict] = None, expect_region: Optional[str] = None
    ) -> Optional[bool]:
        host = url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
        probed = (headers or {}).get(contract.PROBE_REGION_HEADER)
        if probed is not None:
            host = self.hosts[probed]
        self.calls.append(url)
        self.headers.append(dict(headers or {}))
        self.expected.append(expect_region)
        if host in self.delays and self._clock is not None:
            self._clock.advance(self.delays[host])
        return self.answers.get(host, True)


class Spawner:
    """Runs probes at once, except the next `hold` ones: kept until `release()`, like probe threads a
    frozen container does not run."""

    def __init__(self):
        self.hold = 0
        self.held: list[Callable[[], None]] = []

    def __call__(self, work: Callable[[], None]) -> None:
        if self.hold > 0:
            self.hold -= 1
            self.held.append(work)
        else:
            work()

    def release(self) -> None:
        held, self.held = self.held, []
        for work in held:
            work()


def monitor(table: RoutingTable, prober: ScriptedProber, clock: FakeClock, spawner: Spawner, **timing) -> HealthMonitor:
    return HealthMonitor(table.health_urls(), prober=prober, clock=clock, spawn=spawner, **timing)
