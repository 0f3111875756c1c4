"""One origin-request in, the same request pointed at the chosen region out."""

from collections.abc import Callable
from itertools import chain
from pathlib import Path
from random import random
from typing import Optional

from . import contract
from .health import HealthMonitor
from .origin import origin_custom_headers, route_request
from .routing import Decision, choose, preference
from .table import RoutingTable
from .viewer import viewer_from_headers

PACKAGED_TABLE = Path(__file__).with_name(contract.ROUTING_TABLE_FILE)


class Router:
    def __init__(self, table: RoutingTable, health: Optional[HealthMonitor] = None, draw: Callable[[], float] = random):
        self.table = table
        self.draw = draw  # the dice for traffic dials
        self.health = health if health is not None else HealthMonitor(table.health_urls())

    @classmethod
    def from_file(cls, path: Path = PACKAGED_TABLE) -> "Router":
        return cls(RoutingTable.from_file(path))

    def handle(self, event: dict) -> dict:
        request = event["Records"][0]["cf"]["request"]
        self.health.use_probe_headers(origin_custom_headers(request))
        decision = self.decide(request.get("headers"))
        return route_request(request, self.table.regions[decision.region], decision.reason)

    def decide(self, headers) -> Decision:
        basis, order = preference(self.table, viewer_from_headers(headers))
        walked: list[str] = []  # what the health walk ranked; the rest is ranked only if needed

        def ranked():
            for region in order:
                walked.append(region)
                yield region

        try:
            unhealthy = self.health.unhealthy_among(ranked())
            return choose(basis, chain(walked, order), unhealthy, self.table.dials, self.draw)
        finally:
            self.health.end_invocation()
