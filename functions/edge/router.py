"""One origin-request in, the same request pointed at the chosen region out."""

from pathlib import Path
from typing import Optional

from . import contract
from .health import HealthMonitor
from .origin import route_request
from .routing import Decision, plan_route
from .table import RoutingTable
from .viewer import viewer_from_headers

PACKAGED_TABLE = Path(__file__).with_name(contract.ROUTING_TABLE_FILE)


class Router:
    def __init__(self, table: RoutingTable, health: Optional[HealthMonitor] = None):
        self.table = table
        self.health = health if health is not None else HealthMonitor(table.health_urls())

    @classmethod
    def from_file(cls, path: Path = PACKAGED_TABLE) -> "Router":
        return cls(RoutingTable.from_file(path))

    def handle(self, event: dict) -> dict:
        request = event["Records"][0]["cf"]["request"]
        decision = self.decide(request.get("headers"))
        return route_request(request, self.table.regions[decision.region], decision.reason)

    def decide(self, headers) -> Decision:
        plan = plan_route(self.table, viewer_from_headers(headers))
        try:
            return plan.choose(self.health.unhealthy_among(plan.regions))
        finally:
            self.health.end_invocation()
