"""The pure decision: preference order by rule, health only skips."""

from functions.edge.routing import AFFINITY, COUNTRY, HOME, NEAREST, decide, plan_route
from functions.edge.viewer import Viewer
from tests.functions.edge.fakes import TABLE as RAW_TABLE
from tests.functions.edge.fakes import routing_table

TABLE = routing_table()
FRANKFURT = Viewer(lat=50.1109, lon=8.6821)
NEW_YORK = Viewer(lat=40.7128, lon=-74.006)
SYDNEY = Viewer(lat=-33.8688, lon=151.2093)
EVERYTHING = frozenset(TABLE.regions)


def test_viewer_in_frankfurt_goes_to_ireland_not_virginia():
    decision = decide(TABLE, FRANKFURT)

    assert (decision.region, decision.basis, decision.reason) == ("eu-west-1", NEAREST, "nearest")
    assert plan_route(TABLE, FRANKFURT).regions == ("eu-west-1", "us-east-1", "ap-southeast-2")


def test_nearest_region_by_coordinates():
    assert decide(TABLE, NEW_YORK).region == "us-east-1"
    assert decide(TABLE, SYDNEY).region == "ap-southeast-2"


def test_valid_affinity_cookie_wins_over_coordinates():
    decision = decide(TABLE, Viewer(affinity="ap-southeast-2", lat=50.1109, lon=8.6821))

    assert (decision.region, decision.basis) == ("ap-southeast-2", AFFINITY)


def test_affinity_for_a_region_not_in_the_table_is_ignored():
    # A real AWS region, but not one this stack deploys.
    assert decide(TABLE, Viewer(affinity="eu-central-1", lat=50.1109, lon=8.6821)).basis == NEAREST
    assert decide(TABLE, Viewer(affinity="not-a-region")).basis == HOME


def test_country_map_when_no_coordinates():
    decision = decide(TABLE, Viewer(country="NZ"))

    assert (decision.region, decision.basis) == ("ap-southeast-2", COUNTRY)


def test_country_outside_the_map_falls_back_to_home():
    decision = decide(TABLE, Viewer(country="BR"))

    assert (decision.region, decision.basis) == ("us-east-1", HOME)


def test_home_region_when_nothing_is_known():
    decision = decide(TABLE, Viewer())

    assert (decision.region, decision.basis, decision.failover) == ("us-east-1", HOME, False)


def test_unhealthy_nearest_region_is_skipped_for_the_next_nearest():
    decision = decide(TABLE, FRANKFURT, frozenset({"eu-west-1"}))

    assert (decision.region, decision.reason) == ("us-east-1", "nearest;failover")


def test_affinity_region_down_follows_geography():
    decision = decide(TABLE, Viewer(affinity="ap-southeast-2", lat=50.1109, lon=8.6821), frozenset({"ap-southeast-2"}))

    assert (decision.region, decision.reason) == ("eu-west-1", "affinity;failover")


def test_country_region_down_goes_to_the_region_nearest_to_it():
    decision = decide(TABLE, Viewer(country="DE"), frozenset({"eu-west-1"}))

    assert decision.region == "us-east-1"
    assert plan_route(TABLE, Viewer(country="AU")).regions == ("ap-southeast-2", "us-east-1", "eu-west-1")


def test_every_region_down_fails_open_to_the_first_preference():
    assert decide(TABLE, FRANKFURT, EVERYTHING).region == "eu-west-1"
    assert decide(TABLE, Viewer(affinity="ap-southeast-2"), EVERYTHING).region == "ap-southeast-2"
    decision = decide(TABLE, Viewer(), EVERYTHING)
    assert (decision.region, decision.reason, decision.fail_open) == ("us-east-1", "home;fail-open", True)


def test_equal_distances_keep_the_configured_order():
    twin = {"originHost": "twin.example.com", "protocol": "https", "port": 443, "lat": 53.3498, "lon": -6.2603}
    table = routing_table(regions={**RAW_TABLE["regions"], "eu-twin-1": twin})

    assert plan_route(table, FRANKFURT).regions[:2] == ("eu-west-1", "eu-twin-1")


# -- The fast ranking against an independent haversine ------------------------------------------

from math import asin, cos, radians, sin, sqrt  # noqa: E402

from components.doors.edge_routing import EdgeOrigin, plan_routing_table  # noqa: E402
from functions.edge.table import RoutingTable  # noqa: E402
from tests.support.regions import TWENTY_REGIONS  # noqa: E402

TWENTY = TWENTY_REGIONS


def haversine(lat1, lon1, lat2, lon2):
    """Written again here on purpose: the router's answer is checked against it, not against itself."""
    p1, p2, dp, dl = radians(lat1), radians(lat2), radians(lat2 - lat1), radians(lon2 - lon1)
    return 2 * 6371.0 * asin(sqrt(sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2))


def twenty_region_table():
    origins = {code: EdgeOrigin(host=f"{code}.api.example.com") for code in TWENTY}
    return RoutingTable.from_dict(plan_routing_table("us-east-1", TWENTY, origins))


def test_nearest_region_matches_haversine_on_a_five_degree_grid():
    table = twenty_region_table()
    misses = []
    for lat in range(-90, 91, 5):
        for lon in range(-180, 181, 5):
            expected = min(table.regions.values(), key=lambda r: haversine(lat, lon, r.lat, r.lon)).code
            got = decide(table, Viewer(lat=lat, lon=lon)).region
            if got != expected:
                misses.append((lat, lon, got, expected))
    assert misses == []


def test_the_lazy_order_is_the_full_distance_order():
    table = twenty_region_table()
    for lat, lon in ((50.1, 8.7), (-33.9, 151.2), (40.7, -74.0), (0.0, 0.0), (64.1, -21.9)):
        order = plan_route(table, Viewer(lat=lat, lon=lon)).regions
        by_haversine = tuple(
            sorted(TWENTY, key=lambda c: haversine(lat, lon, table.regions[c].lat, table.regions[c].lon))
        )
        assert order == by_haversine
