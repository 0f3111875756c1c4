"""Per-container health: fake clock, scripted probe answers, probes held the way a frozen container holds them."""

import pytest

from functions.edge.health import MAX_STALE_SECONDS, TTL_SECONDS, HealthMonitor, timing
from functions.edge.routing import decide, plan_route
from functions.edge.viewer import Viewer
from tests.functions.edge.fakes import ALB_HOST, API_GATEWAY_HOST, CUSTOM_DOMAIN_HOST, Spawner, monitor, routing_table

TABLE = routing_table()
FRANKFURT = Viewer(lat=50.1109, lon=8.6821)
ORDER = plan_route(TABLE, FRANKFURT).regions  # eu-west-1, us-east-1, ap-southeast-2
EU_HEALTH = f"http://{ALB_HOST}/health"
US_HEALTH = f"https://{API_GATEWAY_HOST}/health"


@pytest.fixture
def spawner():
    return Spawner()


@pytest.fixture
def health(clock, prober, spawner):
    return monitor(TABLE, prober, clock, spawner)


def request(health: HealthMonitor, order=ORDER) -> frozenset:
    try:
        return health.unhealthy_among(order)
    finally:
        health.end_invocation()


def test_cold_container_probes_every_region_once(health, prober):
    assert request(health) == frozenset()
    assert sorted(prober.calls) == sorted(TABLE.health_urls().values())


def test_probes_http_and_https_origins_on_the_health_path(health, prober):
    request(health)

    assert EU_HEALTH in prober.calls and US_HEALTH in prober.calls


def test_refreshes_at_most_once_per_ttl(health, prober, clock):
    request(health)
    for _ in range(9):
        clock.advance(1)
        request(health)
    assert len(prober.calls) == 3

    clock.advance(TTL_SECONDS - 9)
    request(health)
    assert len(prober.calls) == 6


def test_region_answering_non_200_is_skipped(health, prober):
    prober.set(ALB_HOST, False)

    assert request(health) == {"eu-west-1"}


def test_walk_stops_at_the_first_healthy_region(health, prober):
    prober.set(ALB_HOST, False)
    prober.set(API_GATEWAY_HOST, False)

    assert request(health) == {"eu-west-1", "us-east-1"}
    assert request(health, ("us-east-1", "ap-southeast-2", "eu-west-1")) == {"us-east-1"}


def test_no_answer_within_a_running_invocation_is_unhealthy(health, prober):
    prober.set(ALB_HOST, None)

    assert request(health) == {"eu-west-1"}


def test_200_slower_than_the_probe_timeout_is_unhealthy(health, prober):
    prober.delays[ALB_HOST] = 3.0  # the fake clock moves while the container is running

    assert request(health) == {"eu-west-1"}


def test_stale_verdict_serves_while_the_refresh_runs_in_the_background(health, prober, spawner, clock):
    request(health)
    clock.advance(TTL_SECONDS + 2)
    spawner.hold = 3

    assert request(health) == frozenset()  # answered from the 12 s old verdicts, without waiting
    assert len(spawner.held) == 3  # the refresh round is under way


def test_an_answer_that_lands_after_a_freeze_still_counts(health, prober, spawner, clock):
    request(health)
    clock.advance(TTL_SECONDS + 2)
    spawner.hold = 3
    request(health)  # the round's probes are frozen with the container
    prober.set(ALB_HOST, False)
    clock.advance(5)
    spawner.release()  # thaw: the 503 arrives

    assert request(health) == {"eu-west-1"}


def test_a_timeout_spanning_a_freeze_is_not_evidence(health, prober, spawner, clock):
    request(health)
    started = clock.now
    clock.advance(TTL_SECONDS + 2)
    spawner.hold = 3
    request(health)
    prober.set(ALB_HOST, None)
    clock.advance(5)
    spawner.release()  # the socket timer expired while frozen

    assert health.verdicts()["eu-west-1"].healthy is True
    assert health.verdicts()["eu-west-1"].checked_at == started
    assert request(health) == frozenset()


def test_a_slow_200_spanning_a_freeze_still_counts_as_healthy(health, prober, spawner, clock):
    prober.set(ALB_HOST, False)
    request(health)
    clock.advance(TTL_SECONDS)
    spawner.hold = 3
    request(health)
    prober.set(ALB_HOST, True)
    clock.advance(30)
    spawner.release()

    assert health.verdicts()["eu-west-1"].healthy is True


def test_verdict_older_than_max_stale_is_not_trusted_the_request_asks_again(health, prober, spawner, clock):
    first_round = clock.now
    request(health)
    clock.advance(TTL_SECONDS + 2)
    second_round = clock.now
    spawner.hold = 3
    request(health)
    for host in (ALB_HOST, API_GATEWAY_HOST, CUSTOM_DOMAIN_HOST):
        prober.set(host, None)
    clock.advance(1)
    spawner.release()  # frozen timeouts are dropped, so every verdict only ages
    prober.set(ALB_HOST, False)
    prober.set(API_GATEWAY_HOST, True)
    prober.calls.clear()
    clock.now = first_round + MAX_STALE_SECONDS + 1
    assert clock.now - second_round < TTL_SECONDS  # no new round: this request must ask by itself

    assert request(health) == {"eu-west-1"}
    assert prober.calls == [EU_HEALTH, US_HEALTH]  # its own probes, only as far down the order as needed


def test_a_request_waits_at_most_the_probe_timeout_then_counts_the_silence(clock, prober, spawner):
    health = monitor(TABLE, prober, clock, spawner, probe_timeout=0.05)
    spawner.hold = 3  # nothing answers while the request waits

    assert request(health) == set(TABLE.regions)
    assert decide(TABLE, FRANKFURT, set(TABLE.regions)).fail_open

    spawner.release()  # late answers do not undo a timeout
    assert not any(verdict.healthy for verdict in health.verdicts().values())


def test_a_prober_that_raises_counts_as_unhealthy(clock, spawner):
    def broken(url, timeout):
        raise RuntimeError("boom")

    health = HealthMonitor(TABLE.health_urls(), prober=broken, clock=clock, spawn=spawner)

    assert request(health) == set(TABLE.regions)


def test_ttl_must_not_exceed_max_stale():
    with pytest.raises(ValueError, match="ttl"):
        HealthMonitor({}, ttl=30, max_stale=20)


@pytest.mark.parametrize("interval", [0.5, 3.0, 7.0, 11.0, 19.0, 29.0])
def test_failed_region_stops_getting_requests_within_30s_and_comes_back(interval, clock, prober, spawner, health):
    start = clock.now
    failed_at, recovered_at, end = start + 33.3, start + 120.0, start + 200.0
    routed = []
    while clock.now < end:
        if failed_at <= clock.now < recovered_at:
            prober.set(ALB_HOST, False)
        else:
            prober.set(ALB_HOST, True)
        routed.append((clock.now, decide(TABLE, FRANKFURT, request(health)).region))
        clock.advance(interval)

    assert all(region == "eu-west-1" for t, region in routed if t < failed_at)
    assert all(region == "us-east-1" for t, region in routed if failed_at + 30 <= t < recovered_at)
    assert all(region == "eu-west-1" for t, region in routed if t >= recovered_at + 30)


def test_with_a_threshold_a_region_survives_fewer_failed_probes_and_goes_after_that_many(clock, prober, spawner):
    health = monitor(TABLE, prober, clock, spawner, **timing(10, 3))
    request(health)
    prober.set(ALB_HOST, False)
    for _ in range(2):
        clock.advance(10)
        assert request(health) == frozenset()  # one, then two failed rounds: still within the threshold
    clock.advance(10)

    assert request(health) == {"eu-west-1"}  # the third failed round
    prober.set(ALB_HOST, True)
    clock.advance(10)
    assert request(health) == frozenset()  # the next round brings it back


def test_a_probe_launched_after_the_budget_is_spent_is_not_recorded_as_down(clock, prober, spawner):
    """Never condemn a region for the time the walk spent waiting on others (no fail-open by poisoning)."""
    health = monitor(TABLE, prober, clock, spawner, probe_timeout=0.05)
    first_round = clock.now
    request(health)  # every region healthy
    clock.advance(TTL_SECONDS + 2)
    spawner.hold = 3
    request(health)  # the second round hangs with the container...
    for host in (ALB_HOST, API_GATEWAY_HOST, CUSTOM_DOMAIN_HOST):
        prober.set(host, None)
    spawner.release()  # ...and its timeouts, spanning a freeze, are dropped
    for host in (ALB_HOST, API_GATEWAY_HOST, CUSTOM_DOMAIN_HOST):
        prober.set(host, True)
    clock.now = first_round + MAX_STALE_SECONDS + 1  # stale verdicts, no round due: the request asks itself
    spawner.hold = 2  # its own probes hang too

    def order():
        yield "eu-west-1"
        clock.advance(1)  # the first wait used the budget before the next probe starts
        yield "us-east-1"

    assert request(health, order()) == {"eu-west-1", "us-east-1"}
    spawner.release()
    assert health.verdicts()["eu-west-1"].healthy is False  # it had the whole budget: a real timeout
    assert health.verdicts()["us-east-1"].healthy is True  # launched late: its own answer counts
