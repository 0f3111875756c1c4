"""The routing decision: pure, no I/O, so it can be tested exhaustively and timed by the benchmark.

Preference order for one request (each rule only orders; health decides who is skipped):
1. affinity: the affinity cookie names a configured region -> that region first;
2. nearest: the viewer's coordinates are known -> every region by great-circle distance;
3. country: the viewer's country is in the table's country map -> that region, then the others by
   distance from it;
4. home: the home region, then the others by distance from it.
Affinity is a preference, not a pin: a pinned client whose region is down follows rules 2-4.
The chosen region is the first one in that order not known to be unhealthy; when every region is,
it fails open to the first one (a request that may fail beats one that surely fails).
Ties in distance keep the table's configured order.
"""

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .geo import great_circle_km
from .table import RoutingTable
from .viewer import Viewer

AFFINITY, NEAREST, COUNTRY, HOME = "affinity", "nearest", "country", "home"


@dataclass(frozen=True)
class RoutePlan:
    basis: str  # AFFINITY | NEAREST | COUNTRY | HOME: the rule that put regions[0] first
    regions: tuple[str, ...]  # every configured region, most preferred first

    def choose(self, unhealthy: AbstractSet[str]) -> "Decision":
        for index, region in enumerate(self.regions):
            if region not in unhealthy:
                return Decision(region, self.basis, failover=index > 0, fail_open=False)
        return Decision(self.regions[0], self.basis, failover=False, fail_open=True)


@dataclass(frozen=True)
class Decision:
    region: str
    basis: str
    failover: bool  # a more preferred region was skipped as unhealthy
    fail_open: bool  # every region looked unhealthy

    @property
    def reason(self) -> str:
        if self.fail_open:
            return f"{self.basis};fail-open"
        return f"{self.basis};failover" if self.failover else self.basis


def plan_route(table: RoutingTable, viewer: Viewer) -> RoutePlan:
    if viewer.lat is not None and viewer.lon is not None:
        basis, ordered = NEAREST, _by_distance(table, viewer.lat, viewer.lon)
    elif viewer.country in table.countries:
        basis, ordered = COUNTRY, _around(table, table.countries[viewer.country])
    else:
        basis, ordered = HOME, _around(table, table.home_region)

    if viewer.affinity in table.regions:
        rest = tuple(code for code in ordered if code != viewer.affinity)
        return RoutePlan(AFFINITY, (viewer.affinity, *rest))
    return RoutePlan(basis, ordered)


def decide(table: RoutingTable, viewer: Viewer, unhealthy: AbstractSet[str] = frozenset()) -> Decision:
    """The region for one request, given the viewer and the regions currently known unhealthy."""
    return plan_route(table, viewer).choose(unhealthy)


def _by_distance(table: RoutingTable, lat: float, lon: float) -> tuple[str, ...]:
    # sorted() is stable, so equal distances keep the configured order.
    def distance(code: str) -> float:
        region = table.regions[code]
        return great_circle_km(lat, lon, region.lat, region.lon)

    return tuple(sorted(table.regions, key=distance))


def _around(table: RoutingTable, anchor: str) -> tuple[str, ...]:
    origin = table.regions[anchor]
    ordered = _by_distance(table, origin.lat, origin.lon)
    return (anchor, *(code for code in ordered if code != anchor))
