"""Every hostname a stack answers on, planned once (pure) and read by entries, doors and records.

With a domain `name.zone`:
- the main name is always a Route 53 weighted record set with one member per front door
  (set_identifier = strategy); a single door is a set of one, so switching doors or turning an A/B
  split on and off adds and removes members instead of re-creating the name with another routing policy;
- each door answers on its own `<strategy>.name.zone`, which only that door's records hold;
- each region answers on `<region>.name.zone`: one record per region whose target follows the backend.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from components.registry import DOORS

# The weight of the only member when a single door owns the main name (any positive weight would do).
SINGLE_DOOR_WEIGHT = 100
MAIN_LABEL = "main"


@dataclass(frozen=True)
class HostnamePlan:
    main: str
    doors: Mapping[str, str]  # strategy -> <strategy>.<main>
    regional: Mapping[str, str]  # region -> <region>.<main>
    weights: Mapping[str, int]  # strategy -> weight of its member of the main record set

    @property
    def main_record_types(self) -> tuple[str, ...]:
        """A always; AAAA only when every door answers IPv6, so that IPv6 clients do not skew a split."""
        if all(DOORS[strategy].ipv6 for strategy in self.doors):
            return ("A", "AAAA")
        return ("A",)

    def served_by_region(self, region: str) -> tuple[str, ...]:
        """Hostnames that reach the region's entry with the client's own Host/SNI (TLS names, API domains):
        its regional name, and the main and door names only while a door passes the client's Host through
        (behind CloudFront alone, the main name's custom domain would only be a way around it)."""
        passing = [host for strategy, host in self.doors.items() if DOORS[strategy].passes_client_host]
        return (self.main, self.regional[region], *passing) if passing else (self.regional[region],)

    @property
    def direct_names(self) -> tuple[str, ...]:
        """Every name a direct door could bring clients to an entry by, whichever doors the stack has now:
        an entry serves one only while it has a custom domain of that name (API Gateway routes no other)."""
        return (self.main, *(f"{strategy}.{self.main}" for strategy in DOORS if DOORS[strategy].passes_client_host))

    def label(self, hostname: str) -> str:
        """A stable resource-name label for one hostname: `main`, a region code or a strategy."""
        if hostname == self.main:
            return MAIN_LABEL
        for key, host in (*self.regional.items(), *self.doors.items()):
            if host == hostname:
                return key
        raise KeyError(f"{hostname} is not one of this stack's hostnames")


def plan_hostnames(fqdn: str, regions: tuple[str, ...], weights: Mapping[str, int]) -> HostnamePlan:
    return HostnamePlan(
        main=fqdn,
        doors={strategy: f"{strategy}.{fqdn}" for strategy in weights},
        regional={region: f"{region}.{fqdn}" for region in regions},
        weights=dict(weights),
    )
