"""Failover while the regional entries admit only CloudFront (issue 18).

Real HTTP on 127.0.0.1: three regional origins that refuse (403) anything without the origin secret, and a
stand-in distribution that runs the real router on every request and forwards where it says, adding the
secret as CloudFront adds origin custom headers. The router's health probes go through that distribution
(the probe scheme is injected as http; production uses https on 443). Time is a fake clock moved one
second per viewer request; probes run inline, so the round trips are real and the timing deterministic.
"""

import json
import urllib.error
import urllib.request

import pytest

from functions.edge import contract
from functions.edge.health import HealthMonitor, timing
from functions.edge.probe import probe_health
from functions.edge.router import Router
from functions.edge.table import RoutingTable
from tests.functions.edge.fakes import FRANKFURT, TABLE
from tests.functions.edge.standins import ERROR, REFUSE, Distribution, RegionOrigin
from tests.support.clock import FakeClock

INTERVAL, THRESHOLD = 10, 3
BUDGET = INTERVAL * THRESHOLD  # the detection time the stack's healthCheck configures
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
DEAD = "eu-west-1"  # nearest to Frankfurt
VIEWER = {"CloudFront-Viewer-Latitude": FRANKFURT[0], "CloudFront-Viewer-Longitude": FRANKFURT[1]}
FAILS_AT, RECOVERS_AT, ENDS_AT = 20.5, 80.5, 110.0


@pytest.fixture
def lockdown():
    origins = {region: RegionOrigin(region) for region in REGIONS}
    raw = json.loads(json.dumps(TABLE))
    for region, origin in origins.items():
        raw["regions"][region].update(originHost="127.0.0.1", protocol="http", port=origin.port)
    raw["healthCheck"] = {"intervalSeconds": INTERVAL, "failureThreshold": THRESHOLD}
    table = RoutingTable.from_dict(raw)
    clock = FakeClock(0.0)

    def container() -> Router:
        health = HealthMonitor(
            prober=probe_health, clock=clock, spawn=lambda work: work(), **timing(INTERVAL, THRESHOLD)
        )
        return Router(table, health, probe_scheme="http")

    distribution = Distribution(container)
    try:
        yield origins, distribution, clock
    finally:
        distribution.stop()
        for origin in origins.values():
            origin.stop()


def get(distribution: Distribution, path: str, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://{distribution.domain}{path}", headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, dict(error.headers)


@pytest.mark.parametrize("how", [REFUSE, ERROR], ids=["alb-like-connection-refused", "api-gateway-like-503"])
def test_a_dead_region_is_dropped_within_the_budget_and_back_one_interval_after_recovery(lockdown, how):
    origins, distribution, clock = lockdown
    served = []  # (time, status, routed region, reason, served by)
    while clock.now < ENDS_AT:
        if clock.now >= FAILS_AT and origins[DEAD].mode == "up" and clock.now < RECOVERS_AT:
            origins[DEAD].go_down(how)
        if clock.now >= RECOVERS_AT and origins[DEAD].mode != "up":
            origins[DEAD].recover()
        status, headers = get(distribution, "/items/42", VIEWER)
        served.append(
            (
                clock.now,
                status,
                headers.get(contract.ROUTED_REGION_HEADER),
                headers.get(contract.ROUTED_REASON_HEADER),
                headers.get(contract.SERVED_BY_HEADER),
            )
        )
        clock.advance(1.0)

    before = [s for s in served if s[0] < FAILS_AT]
    assert before and all(s[1:] == (200, DEAD, "nearest", DEAD) for s in before)
    # From failure + interval x threshold on, nothing more goes to the dead region: the healthy regions
    # serve every request, and the router never fails open.
    dropped = [s for s in served if FAILS_AT + BUDGET <= s[0] < RECOVERS_AT]
    assert dropped and all(s[1:] == (200, "us-east-1", "nearest;failover", "us-east-1") for s in dropped)
    assert not any("fail-open" in (s[3] or "") for s in served)
    # Back within about one interval of the recovery, and for good.
    back = next(s[0] for s in served if s[0] >= RECOVERS_AT and s[2] == DEAD)
    assert back <= RECOVERS_AT + INTERVAL + 1
    assert all(s[1:] == (200, DEAD, "nearest", DEAD) for s in served if s[0] >= back)
    # Every request that reached an origin, probes included, carried the secret CloudFront adds.
    assert sum(origin.forbidden for origin in origins.values()) == 0
    # The probes went through the distribution: the viewer's container sent them, others answered them.
    assert len(distribution.containers) >= 2
    assert distribution.containers[0].distribution == distribution.domain


def test_direct_probes_are_refused_by_the_locked_entries(lockdown):
    """The defect: probing <origin><healthPath> without the secret sees every region down."""
    origins, _, _ = lockdown

    assert all(
        probe_health(f"http://127.0.0.1:{origin.port}/health", 2.0, expect_region=region) is False
        for region, origin in origins.items()
    )
    assert all(origin.forbidden == 1 for origin in origins.values())


def test_a_probe_through_the_distribution_reaches_exactly_the_region_it_names(lockdown):
    origins, distribution, _ = lockdown
    url = f"http://{distribution.domain}/health"

    for region in REGIONS:
        assert probe_health(url, 2.0, {contract.PROBE_REGION_HEADER: region}, region) is True
        status, headers = get(distribution, "/health", {contract.PROBE_REGION_HEADER: region})
        assert (status, headers[contract.ROUTED_REASON_HEADER], headers[contract.SERVED_BY_HEADER]) == (
            200,
            contract.PROBE_REASON,
            region,
        )
    # A probe answered by another region is not health (nearest for a viewer without location: home).
    assert probe_health(url, 2.0, {contract.PROBE_REGION_HEADER: "eu-central-1"}, "eu-central-1") is False
