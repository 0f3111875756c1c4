"""Whole origin-request events through the router: what CloudFront gets back."""

import copy

import pytest

from functions.edge import contract
from functions.edge.health import HealthMonitor
from functions.edge.router import Router
from functions.edge.table import RoutingTable
from tests.functions.edge.fakes import (
    ALB_HOST,
    API_GATEWAY_HOST,
    CUSTOM_DOMAIN_HOST,
    DISTRIBUTION,
    FRANKFURT,
    NEW_YORK,
    SYDNEY,
    Spawner,
    header,
    monitor,
    origin_request_event,
    routing_table,
    viewer_headers,
)
from tests.functions.edge.fakes import TABLE as TABLE_DICT

TABLE = routing_table()


@pytest.fixture
def router(clock, prober):
    return Router(TABLE, monitor(TABLE, prober, clock, Spawner()))


def routed(request: dict) -> tuple:
    headers = request["headers"]
    return (headers[contract.ROUTED_REGION_HEADER][0]["value"], headers[contract.ROUTED_REASON_HEADER][0]["value"])


def test_viewer_in_frankfurt_is_sent_to_the_http_only_alb_in_ireland(router):
    request = router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT, country="DE")))

    assert routed(request) == ("eu-west-1", "nearest")
    assert request["origin"] == {
        "custom": {
            "customHeaders": {"x-origin-verify": [{"key": "X-Origin-Verify", "value": "s3cr3t"}]},
            "domainName": ALB_HOST,
            "keepaliveTimeout": 5,
            "path": "",
            "port": 80,
            "protocol": "http",
            "readTimeout": 30,
            "sslProtocols": ["TLSv1.2"],
        }
    }
    assert request["headers"]["host"] == [{"key": "Host", "value": ALB_HOST}]


def test_health_probes_go_through_the_distribution_naming_one_region_and_never_carry_the_secret(router, prober):
    """The entries admit only CloudFront: the router probes its own distribution; CloudFront adds the secret."""
    router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT, country="DE")))

    assert prober.calls and all(url == f"https://{DISTRIBUTION}/health" for url in prober.calls)
    assert [sent[contract.PROBE_REGION_HEADER] for sent in prober.headers] == prober.expected
    assert set(prober.expected) <= set(TABLE.regions)
    assert not any("x-origin-verify" in sent for sent in prober.headers)


def probe_event(region: str, **kwargs) -> dict:
    return origin_request_event(
        {**viewer_headers(coordinates=FRANKFURT), **header(contract.PROBE_REGION_HEADER, region)},
        uri=kwargs.pop("uri", "/health"),
        querystring="",
        **kwargs,
    )


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2"])
def test_a_probe_goes_straight_to_the_region_it_names_without_probing_anything(router, prober, region):
    prober.set(TABLE.regions[region].origin_host, False)  # even a region believed down: it measures that region

    request = router.handle(probe_event(region))

    assert routed(request) == (region, contract.PROBE_REASON)
    assert request["origin"]["custom"]["domainName"] == TABLE.regions[region].origin_host
    assert prober.calls == []  # no health walk: a probe never starts probes (no recursion)
    assert router.distribution is None  # nor does it set up this container's probing


def test_the_probe_header_value_is_read_case_and_space_insensitively(router):
    assert routed(router.handle(probe_event(" EU-West-1 "))) == ("eu-west-1", contract.PROBE_REASON)


@pytest.mark.parametrize("region", ["eu-central-1", "", "../eu-west-1"])
def test_an_unknown_region_in_the_probe_header_is_ignored(router, prober, region):
    request = router.handle(probe_event(region))

    assert routed(request) == ("eu-west-1", "nearest")
    assert prober.calls  # normal routing, health walk included


@pytest.mark.parametrize("change", [{"uri": "/items/42"}, {"method": "PUT"}])
def test_the_probe_header_forces_a_region_only_for_a_get_of_the_health_path(router, change):
    assert routed(router.handle(probe_event("ap-southeast-2", **change))) == ("eu-west-1", "nearest")


def test_a_request_through_the_distribution_while_every_probe_is_refused_fails_open(router, prober):
    for host in (ALB_HOST, API_GATEWAY_HOST, CUSTOM_DOMAIN_HOST):
        prober.set(host, False)

    assert routed(router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT))))[1] == "nearest;fail-open"


def test_without_a_distribution_domain_nothing_is_probed_and_routing_follows_preference(clock, prober):
    router = Router(TABLE, HealthMonitor(prober=prober, clock=clock, spawn=Spawner()))
    prober.set(ALB_HOST, False)

    request = router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT), distribution=None))

    assert routed(request) == ("eu-west-1", "nearest")
    assert prober.calls == []


def test_the_first_request_gives_the_container_its_distribution_and_probing_starts_there(clock, prober):
    router = Router(TABLE, HealthMonitor(prober=prober, clock=clock, spawn=Spawner()))
    prober.set(ALB_HOST, False)

    request = router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT)))

    assert router.distribution == DISTRIBUTION
    assert routed(request) == ("us-east-1", "nearest;failover")


def test_the_routers_own_monitor_takes_the_tables_health_timing():
    raw = {**copy.deepcopy(TABLE_DICT), "healthCheck": {"intervalSeconds": 30, "failureThreshold": 4}}
    health = Router(RoutingTable.from_dict(raw)).health

    assert (health._ttl, health._max_stale, health._threshold) == (30.0, 120.0, 4)


def test_viewer_in_new_york_is_sent_to_the_https_api_in_virginia(router):
    request = router.handle(origin_request_event(viewer_headers(coordinates=NEW_YORK)))

    assert routed(request) == ("us-east-1", "nearest")
    custom = request["origin"]["custom"]
    assert (custom["domainName"], custom["protocol"], custom["port"]) == (API_GATEWAY_HOST, "https", 443)
    assert request["headers"]["host"][0]["value"] == API_GATEWAY_HOST


def test_everything_but_the_origin_and_routing_headers_is_left_alone(router):
    event = origin_request_event(
        viewer_headers(coordinates=SYDNEY),
        origin={
            "custom": {
                "customHeaders": {},
                "domainName": API_GATEWAY_HOST,
                "keepaliveTimeout": 10,
                "path": "/prod",
                "port": 443,
                "protocol": "https",
                "readTimeout": 45,
                "sslProtocols": ["TLSv1.2"],
            }
        },
        uri="/items/a%20b",
        querystring="x=1&y=2",
        method="PUT",
    )
    before = copy.deepcopy(event["Records"][0]["cf"]["request"])

    request = router.handle(event)

    custom = request["origin"]["custom"]
    assert (custom["domainName"], custom["path"], custom["readTimeout"], custom["keepaliveTimeout"]) == (
        CUSTOM_DOMAIN_HOST,
        "/prod",
        45,
        10,
    )
    for key in ("clientIp", "method", "querystring", "uri"):
        assert request[key] == before[key]
    untouched = {name for name in before["headers"] if name != "host"}
    assert all(request["headers"][name] == before["headers"][name] for name in untouched)


def test_valid_affinity_cookie_pins_the_region(router):
    request = router.handle(
        origin_request_event(viewer_headers(coordinates=FRANKFURT, cookie="gs-region=ap-southeast-2"))
    )

    assert routed(request) == ("ap-southeast-2", "affinity")


@pytest.mark.parametrize("cookie", ["gs-region=eu-central-1", "gs-region=../../etc", "gs-region=", "gs-region"])
def test_unknown_or_invalid_affinity_cookie_is_ignored(router, cookie):
    request = router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT, cookie=cookie)))

    assert routed(request) == ("eu-west-1", "nearest")


def test_country_map_without_coordinates(router):
    request = router.handle(origin_request_event(viewer_headers(country="NZ")))

    assert routed(request) == ("ap-southeast-2", "country")


def test_home_region_when_the_viewer_headers_are_missing(router):
    assert routed(router.handle(origin_request_event())) == ("us-east-1", "home")


def test_unhealthy_region_is_skipped_and_the_request_says_so(router, prober):
    prober.set(ALB_HOST, False)

    request = router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT)))

    assert routed(request) == ("us-east-1", "nearest;failover")
    assert request["origin"]["custom"]["domainName"] == API_GATEWAY_HOST


def test_skipped_region_gets_requests_again_once_it_recovers(router, prober, clock):
    prober.set(ALB_HOST, False)
    router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT)))
    prober.set(ALB_HOST, True)
    clock.advance(10)

    assert routed(router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT))))[0] == "eu-west-1"


def test_every_region_down_fails_open_to_the_nearest(router, prober):
    for host in (ALB_HOST, API_GATEWAY_HOST, CUSTOM_DOMAIN_HOST):
        prober.set(host, False)

    request = router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT)))

    assert routed(request) == ("eu-west-1", "nearest;fail-open")


@pytest.mark.parametrize(
    "headers",
    [
        None,
        [],
        {"cloudfront-viewer-latitude": "50.1", "cloudfront-viewer-longitude": [{"key": "x", "value": None}]},
        {**header("CloudFront-Viewer-Latitude", "ninety"), **header("CloudFront-Viewer-Longitude", "1e999")},
        {"cookie": [{"key": "Cookie"}], "cloudfront-viewer-country": [{"value": 49}]},
    ],
)
def test_malformed_headers_never_crash_and_route_home(router, headers):
    event = origin_request_event()
    event["Records"][0]["cf"]["request"]["headers"] = headers

    request = router.handle(event)

    assert routed(request) == ("us-east-1", "home")
    assert request["headers"]["host"] == [{"key": "Host", "value": API_GATEWAY_HOST}]


def test_request_without_a_custom_origin_gets_one(router):
    event = origin_request_event(viewer_headers(coordinates=NEW_YORK))
    event["Records"][0]["cf"]["request"]["origin"] = {"s3": {"domainName": "bucket.s3.amazonaws.com", "path": ""}}

    custom = router.handle(event)["origin"]["custom"]

    assert (custom["domainName"], custom["customHeaders"], custom["readTimeout"]) == (API_GATEWAY_HOST, {}, 30)


TOKEN = "Tok3nFromTheTable"


@pytest.fixture
def tokened(clock, prober):
    table = RoutingTable.from_dict({**copy.deepcopy(TABLE_DICT), "probeToken": TOKEN})
    return Router(table, monitor(table, prober, clock, Spawner()))


def test_with_a_probe_token_only_a_request_carrying_it_forces_a_region(tokened):
    """A viewer cannot pick a region (nor past the edge web ACL's rate rule): only the router's probes can."""
    assert routed(tokened.handle(probe_event("ap-southeast-2"))) == ("eu-west-1", "nearest")
    wrong = probe_event("ap-southeast-2")
    wrong["Records"][0]["cf"]["request"]["headers"].update(header(contract.PROBE_TOKEN_HEADER, TOKEN + "x"))
    assert routed(tokened.handle(wrong)) == ("eu-west-1", "nearest")
    right = probe_event("ap-southeast-2")
    right["Records"][0]["cf"]["request"]["headers"].update(header(contract.PROBE_TOKEN_HEADER, TOKEN))
    assert routed(tokened.handle(right)) == ("ap-southeast-2", contract.PROBE_REASON)


def test_with_a_probe_token_every_probe_carries_it(tokened, prober):
    tokened.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT, country="DE")))
    assert prober.headers and all(sent[contract.PROBE_TOKEN_HEADER] == TOKEN for sent in prober.headers)


@pytest.mark.parametrize("token", ["", "has space", "ünïcode", 7])
def test_a_bad_probe_token_in_the_table_is_refused(token):
    with pytest.raises(ValueError, match="probeToken"):
        RoutingTable.from_dict({**copy.deepcopy(TABLE_DICT), "probeToken": token})
