"""The deploy-time routing table planner (components/doors/edge_routing.py)."""

import json

import pytest

from components.doors.edge_routing import (
    EdgeOrigin,
    country_coordinates,
    country_coordinates_source,
    nearest_region_by_country,
    plan_routing_table,
    routing_table_json,
)
from components.stack import regions as region_catalogue
from functions.edge import contract
from functions.edge.health import timing
from functions.edge.routing import decide
from functions.edge.table import RoutingTable
from functions.edge.viewer import Viewer

THREE = ["us-east-1", "eu-west-1", "ap-southeast-2"]
ORIGINS = {
    "us-east-1": EdgeOrigin("a1b2c3.execute-api.us-east-1.amazonaws.com"),
    "eu-west-1": EdgeOrigin("gs-dev-eu-west-1-123.eu-west-1.elb.amazonaws.com", "http"),
    "ap-southeast-2": EdgeOrigin("ap-southeast-2.api.example.com", "https", 8443),
}
# The first 20 catalogue regions other than the home region: the benchmark's table shape.
TWENTY = ["us-east-1", *[code for code in region_catalogue.catalogue() if code != "us-east-1"][:19]]


def plan(**overrides):
    args = {"home_region": "us-east-1", "regions": THREE, "origins": ORIGINS, "health_path": "/health"}
    args.update(overrides)
    return plan_routing_table(**args)


def test_table_follows_the_contract_schema():
    table = plan(health_interval_seconds=30, health_failure_threshold=3, probe_token="Abc123")

    assert sorted(table) == sorted(contract.TABLE_KEYS)
    assert table["probeToken"] == "Abc123" and "probeToken" not in plan()
    assert (table["homeRegion"], table["healthPath"]) == ("us-east-1", "/health")
    assert list(table["regions"]) == THREE  # configured order kept: it breaks distance ties
    assert all(list(region) == list(contract.REGION_KEYS) for region in table["regions"].values())


def test_origins_get_the_protocol_default_port_unless_given():
    regions = plan()["regions"]

    assert (regions["us-east-1"]["protocol"], regions["us-east-1"]["port"]) == ("https", 443)
    assert (regions["eu-west-1"]["protocol"], regions["eu-west-1"]["port"]) == ("http", 80)
    assert regions["ap-southeast-2"]["port"] == 8443
    assert regions["eu-west-1"]["originHost"] == ORIGINS["eu-west-1"].host


def test_coordinates_come_from_the_region_catalogue():
    dublin = region_catalogue.catalogue()["eu-west-1"]

    assert (plan()["regions"]["eu-west-1"]["lat"], plan()["regions"]["eu-west-1"]["lon"]) == (dublin.lat, dublin.lon)


def test_every_known_country_maps_to_its_nearest_configured_region():
    countries = plan()["countries"]

    assert set(countries) == set(country_coordinates())
    assert set(countries.values()) <= set(THREE)
    assert (countries["DE"], countries["GB"], countries["US"], countries["MX"]) == ("eu-west-1",) * 2 + (
        "us-east-1",
    ) * 2
    assert (countries["AU"], countries["NZ"], countries["JP"]) == ("ap-southeast-2",) * 3


def test_country_map_follows_the_configured_regions():
    countries = plan(
        regions=["us-east-1", "eu-central-1"],
        origins={"us-east-1": EdgeOrigin("us.example.com"), "eu-central-1": EdgeOrigin("eu.example.com")},
    )["countries"]

    assert (countries["DE"], countries["IN"], countries["BR"]) == ("eu-central-1", "eu-central-1", "us-east-1")


def test_single_region_takes_every_country():
    table = plan(regions=["us-east-1"], origins={"us-east-1": ORIGINS["us-east-1"]})

    assert set(table["countries"].values()) == {"us-east-1"}


def test_nearest_region_ties_go_to_the_earlier_region():
    twins = {"a": {"lat": 10.0, "lon": 10.0}, "b": {"lat": 10.0, "lon": 10.0}}

    assert set(nearest_region_by_country(twins).values()) == {"a"}


def test_json_text_is_what_the_router_parses_and_is_stable():
    text = routing_table_json("us-east-1", THREE, ORIGINS, "/health")

    assert text == routing_table_json("us-east-1", THREE, ORIGINS, "/health")
    table = RoutingTable.from_dict(json.loads(text))
    assert table.codes == tuple(THREE)
    assert table.health_urls()["ap-southeast-2"] == "https://ap-southeast-2.api.example.com:8443/health"
    assert table.health_urls()["eu-west-1"] == "http://gs-dev-eu-west-1-123.eu-west-1.elb.amazonaws.com/health"


def test_planned_table_routes_a_frankfurt_viewer_to_ireland():
    table = RoutingTable.from_dict(plan())

    assert decide(table, Viewer(lat=50.1109, lon=8.6821)).region == "eu-west-1"
    assert decide(table, Viewer(country="DE")).region == "eu-west-1"


def test_twenty_region_table_for_the_benchmark():
    table = RoutingTable.from_dict(
        plan(regions=TWENTY, origins={code: EdgeOrigin(f"{code}.example.com") for code in TWENTY})
    )

    assert len(table.regions) == 20
    assert decide(table, Viewer(lat=50.1109, lon=8.6821)).region == "eu-central-1"
    assert decide(table, Viewer(lat=50.1109, lon=8.6821), frozenset({"eu-central-1"})).failover


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"home_region": "eu-central-1"}, "home region 'eu-central-1' is not one of"),
        ({"regions": []}, "non-empty list"),
        ({"regions": "us-east-1"}, "non-empty list"),
        ({"regions": ["us-east-1", "eu-west-1", "us-east-1"]}, "repeat ['us-east-1']"),
        ({"regions": ["us-east-1", "eu-wset-1"]}, "not in the region catalogue"),
        ({"regions": ["us-east-1", "eu-west-1"]}, "unexpected ['ap-southeast-2']"),
        (
            {"origins": {"us-east-1": ORIGINS["us-east-1"], "eu-west-1": ORIGINS["eu-west-1"]}},
            "missing ['ap-southeast-2']",
        ),
        ({"origins": {**ORIGINS, "eu-west-1": EdgeOrigin("eu.example.com", "ftp")}}, "'protocol' must be one of"),
        ({"origins": {**ORIGINS, "eu-west-1": EdgeOrigin("https://eu.example.com")}}, "bare hostname"),
        ({"origins": {**ORIGINS, "eu-west-1": EdgeOrigin("")}}, "bare hostname"),
        ({"origins": {**ORIGINS, "eu-west-1": EdgeOrigin("eu.example.com", "http", 0)}}, "'port' must be an integer"),
        ({"health_path": "health"}, "'healthPath' must be a path"),
    ],
)
def test_bad_inputs_fail_with_a_message_naming_the_problem(overrides, message):
    with pytest.raises(ValueError) as error:
        plan(**overrides)

    assert message in str(error.value)


def test_typo_in_a_region_suggests_the_real_one():
    with pytest.raises(ValueError, match="eu-west-1"):
        plan(
            regions=["us-east-1", "eu-wset-1"],
            origins={"us-east-1": ORIGINS["us-east-1"], "eu-wset-1": ORIGINS["eu-west-1"]},
        )


def test_country_coordinates_carry_their_source_and_are_valid():
    assert country_coordinates_source() == "tobilg/aws-edge-locations data/aws-edge-locations.csv (MIT), May 2025"
    coordinates = country_coordinates()
    assert len(coordinates) >= 50
    assert all(len(code) == 2 and code.isupper() for code in coordinates)
    assert all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in coordinates.values())
    lat, lon = coordinates["DE"]
    assert 47 < lat < 55 and 6 < lon < 15  # the mean of Germany's edge cities lies in Germany


def test_the_edge_package_origin_tls_matches_the_catalogue():
    from components.registry import CLOUDFRONT_ORIGIN_SSL_PROTOCOLS
    from functions.edge.origin import SSL_PROTOCOLS

    assert SSL_PROTOCOLS == list(CLOUDFRONT_ORIGIN_SSL_PROTOCOLS)


def test_the_stacks_health_timing_is_the_routers_detection_budget():
    table = RoutingTable.from_dict(plan(health_interval_seconds=10, health_failure_threshold=4))

    assert plan(health_interval_seconds=10, health_failure_threshold=4)["healthCheck"] == {
        "intervalSeconds": 10,
        "failureThreshold": 4,
    }
    assert (table.health_interval, table.failure_threshold) == (10, 4)
    assert timing(table.health_interval, table.failure_threshold) == {
        "ttl": 10.0,
        "max_stale": 40.0,
        "failure_threshold": 4,
    }


def test_without_health_timing_the_table_is_as_before_and_the_router_keeps_its_defaults():
    table = plan()

    assert "healthCheck" not in table
    parsed = RoutingTable.from_dict(table)
    assert timing(parsed.health_interval, parsed.failure_threshold) == {
        "ttl": 10.0,
        "max_stale": 20.0,
        "failure_threshold": 1,
    }
    assert routing_table_json("us-east-1", THREE, ORIGINS, "/health") == routing_table_json(
        "us-east-1", THREE, ORIGINS, "/health", None, health_interval_seconds=None, health_failure_threshold=None
    )


@pytest.mark.parametrize(
    "interval, threshold, message",
    [
        (10, None, "both health_interval_seconds and health_failure_threshold"),
        (None, 3, "both health_interval_seconds and health_failure_threshold"),
        (15, 3, "'healthCheck.intervalSeconds' must be one of [10, 30]"),
        (30, 0, "'healthCheck.failureThreshold' must be an integer 1-10"),
        (30, 11, "'healthCheck.failureThreshold' must be an integer 1-10"),
        (30, True, "'healthCheck.failureThreshold' must be an integer 1-10"),
    ],
)
def test_bad_health_timing_is_refused_naming_it(interval, threshold, message):
    with pytest.raises(ValueError) as error:
        plan(health_interval_seconds=interval, health_failure_threshold=threshold)

    assert message in str(error.value)


def test_the_served_by_header_the_probes_check_is_the_one_the_api_sets():
    from functions.api import contract as api_contract

    assert contract.SERVED_BY_HEADER == api_contract.SERVED_BY_HEADER
