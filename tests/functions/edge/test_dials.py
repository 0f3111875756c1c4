"""Traffic dials at the edge, as Global Accelerator applies them: shares, zeros, and failing open."""

import random

import pytest

from functions.edge.routing import choose, decide
from functions.edge.table import RoutingTable
from functions.edge.viewer import Viewer
from tests.functions.edge.fakes import FRANKFURT, routing_table

ORDER = ("eu-west-1", "us-east-1", "ap-southeast-2")


def always(value: float):
    return lambda: value


def test_a_region_at_zero_gets_nothing_while_another_is_healthy():
    decision = choose("nearest", ORDER, frozenset(), {"eu-west-1": 0}, always(0.0))
    assert decision.region == "us-east-1" and decision.reason == "nearest;dial"


def test_a_region_at_zero_still_serves_when_every_other_is_down():
    decision = choose("nearest", ORDER, frozenset({"us-east-1", "ap-southeast-2"}), {"eu-west-1": 0}, always(0.0))
    assert decision.region == "eu-west-1" and not decision.fail_open


@pytest.mark.parametrize(("draw", "region"), [(0.29, "eu-west-1"), (0.31, "us-east-1")])
def test_a_partial_dial_takes_its_share_and_passes_the_rest_on(draw, region):
    assert choose("nearest", ORDER, frozenset(), {"eu-west-1": 30}, always(draw)).region == region


def test_when_every_healthy_region_passes_a_request_on_the_first_with_a_dial_above_zero_takes_it():
    dials = {"eu-west-1": 0, "us-east-1": 10, "ap-southeast-2": 10}
    assert choose("nearest", ORDER, frozenset(), dials, always(0.99)).region == "us-east-1"


def test_every_region_down_still_fails_open_to_the_first():
    decision = choose("nearest", ORDER, frozenset(ORDER), {"eu-west-1": 0}, always(0.0))
    assert decision.region == "eu-west-1" and decision.fail_open


def test_over_many_requests_a_dial_of_30_gets_about_30_percent():
    table = RoutingTable.from_dict({**routing_table_dict(), "dials": {"eu-west-1": 30}})
    rng = random.Random(7)
    viewer = Viewer(lat=float(FRANKFURT[0]), lon=float(FRANKFURT[1]))
    share = sum(decide(table, viewer, draw=rng.random).region == "eu-west-1" for _ in range(20000)) / 20000
    assert 0.28 <= share <= 0.32


@pytest.mark.parametrize("dials", [{"mars-1": 0}, {"eu-west-1": 101}, {"eu-west-1": "50"}, []])
def test_a_bad_dial_in_the_table_is_refused(dials):
    with pytest.raises(ValueError, match="dial"):
        RoutingTable.from_dict({**routing_table_dict(), "dials": dials})


def routing_table_dict() -> dict:
    table = routing_table()
    return {
        "homeRegion": table.home_region,
        "healthPath": table.health_path,
        "regions": {
            code: {"originHost": r.origin_host, "protocol": r.protocol, "port": r.port, "lat": r.lat, "lon": r.lon}
            for code, r in table.regions.items()
        },
        "countries": dict(table.countries),
    }
