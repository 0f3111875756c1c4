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

Traffic dials (trafficDials), as Global Accelerator applies them: a healthy region with dial d takes a
request with probability d/100, otherwise the request moves on down the order. A region at 0 takes
nothing while another region is healthy; if every healthy region declined, the first healthy one with
a dial above 0 takes it, then the first healthy one at all.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from random import random

from .geo import unit_vector
from .table import RoutingTable
from .viewer import Viewer

AFFINITY, NEAREST, COUNTRY, HOME = "affinity", "nearest", "country", "home"


@dataclass(frozen=True)
class RoutePlan:
    basis: str  # AFFINITY | NEAREST | COUNTRY | HOME: the rule that put regions[0] first
    regions: tuple[str, ...]  # every configured region, most preferred first

    def choose(self, unhealthy: AbstractSet[str]) -> "Decision":
        return choose(self.basis, self.regions, unhealthy)


@dataclass(frozen=True)
class Decision:
    region: str
    basis: str
    failover: bool  # a more preferred region was skipped as unhealthy
    fail_open: bool  # every region looked unhealthy

    dialed: bool = False  # a more preferred healthy region passed the request on (its traffic dial)

    @property
    def reason(self) -> str:
        if self.fail_open:
            return f"{self.basis};fail-open"
        if self.failover:
            return f"{self.basis};failover"
        return f"{self.basis};dial" if self.dialed else self.basis


def preference(table: RoutingTable, viewer: Viewer) -> tuple[str, Iterator[str]]:
    """(basis, every region most preferred first), the order produced lazily.

    The first one or two are fixed (the affinity region, the country's or home region); the rest follow
    by great-circle distance from the viewer (or from that anchor), ranked by dot products of unit
    vectors computed once per table, picking one region per step: a request that finds its first
    choice healthy ranks nothing else.
    """
    if viewer.lat is not None and viewer.lon is not None:
        basis, anchor, toward = NEAREST, None, unit_vector(viewer.lat, viewer.lon)
    else:
        basis, anchor = (
            (COUNTRY, table.countries[viewer.country])
            if viewer.country is not None and viewer.country in table.countries
            else (HOME, table.home_region)
        )
        toward = table.regions[anchor].vector
    fixed = [anchor] if anchor is not None else []
    if viewer.affinity in table.regions:
        basis = AFFINITY
        fixed = [viewer.affinity, *(code for code in fixed if code != viewer.affinity)]
    return basis, _ordered(table, fixed, toward)


def _ordered(table: RoutingTable, fixed: list[str], toward: tuple[float, float, float]) -> Iterator[str]:
    yield from fixed
    x, y, z = toward
    # Closeness of every other region, in configured order (so equal distances keep that order).
    remaining = [(vx * x + vy * y + vz * z, code) for code, (vx, vy, vz) in _vectors(table) if code not in fixed]
    while remaining:
        best = 0
        for index in range(1, len(remaining)):
            if remaining[index][0] > remaining[best][0]:
                best = index
        yield remaining.pop(best)[1]


def _vectors(table: RoutingTable):
    return ((code, region.vector) for code, region in table.regions.items())


def plan_route(table: RoutingTable, viewer: Viewer) -> RoutePlan:
    """The whole preference order at once (for explanations and tests; requests use `decide`)."""
    basis, order = preference(table, viewer)
    return RoutePlan(basis, tuple(order))


def decide(
    table: RoutingTable, viewer: Viewer, unhealthy: AbstractSet[str] = frozenset(), draw: Callable[[], float] = random
) -> Decision:
    """The region for one request, given the viewer and the regions currently known unhealthy."""
    basis, order = preference(table, viewer)
    return choose(basis, order, unhealthy, table.dials, draw)


def choose(
    basis: str,
    order: Iterable[str],
    unhealthy: AbstractSet[str],
    dials: Mapping[str, int] | None = None,
    draw: Callable[[], float] = random,
) -> Decision:
    """The first region of `order` not unhealthy that its dial lets take the request; when every region
    is unhealthy, fail open to the first."""
    first: str | None = None
    seen_unhealthy = passed = False  # before the current region: one skipped as down, one a dial passed on
    fallbacks: list[tuple[str, bool, bool]] = []  # passed on: (region, after a down one, dial above 0)
    for region in order:
        if first is None:
            first = region
        if region in unhealthy:
            seen_unhealthy = True
            continue
        dial = 100 if dials is None else dials.get(region, 100)
        if dial >= 100 or (dial > 0 and draw() * 100 < dial):
            return Decision(region, basis, failover=seen_unhealthy, fail_open=False, dialed=passed)
        fallbacks.append((region, seen_unhealthy, dial > 0))
        passed = True
    # Every healthy region passed the request on: the first with a dial above 0, else the first healthy.
    for region, after_unhealthy, _ in sorted(fallbacks, key=lambda f: not f[2]):
        return Decision(region, basis, failover=after_unhealthy, fail_open=False, dialed=region != first)
    if first is None:
        raise ValueError("no region to route to: the preference order is empty")
    return Decision(first, basis, failover=False, fail_open=True)
