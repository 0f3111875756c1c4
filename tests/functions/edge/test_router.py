"""Whole origin-request events through the router: what CloudFront gets back."""

import copy

import pytest

from functions.edge import contract
from functions.edge.router import Router
from tests.functions.edge.fakes import (
    ALB_HOST,
    API_GATEWAY_HOST,
    CUSTOM_DOMAIN_HOST,
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


def test_health_probes_carry_the_distributions_origin_secret(router, prober):
    """A locked-down entry answers 403 without it: a probe without it would take every region for down."""
    router.handle(origin_request_event(viewer_headers(coordinates=FRANKFURT, country="DE")))
    assert prober.headers and all(sent == {"x-origin-verify": "s3cr3t"} for sent in prober.headers)


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
