"""The routing table baked into the package: parsed and validated once per container.

A bad table is a deploy bug, so parsing fails loudly (ValueError naming the key) instead of routing
somewhere surprising. The deploy-time planner runs the same parser over what it writes.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from . import contract
from .geo import is_coordinate, unit_vector


@dataclass(frozen=True)
class RegionOrigin:
    code: str
    origin_host: str
    protocol: str  # "https" | "http"
    port: int
    lat: float
    lon: float
    # Where it sits on the unit sphere, computed once: the router ranks regions by dot products.
    vector: tuple[float, float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vector", unit_vector(self.lat, self.lon))

    def url(self, path: str) -> str:
        default_port = contract.DEFAULT_PORTS[self.protocol]
        authority = self.origin_host if self.port == default_port else f"{self.origin_host}:{self.port}"
        return f"{self.protocol}://{authority}{path}"


@dataclass(frozen=True)
class RoutingTable:
    home_region: str
    health_path: str
    regions: Mapping[str, RegionOrigin]  # configured order
    countries: Mapping[str, str]
    dials: Mapping[str, int] = field(default_factory=dict)  # region -> 0-100; absent: 100
    # The stack's healthCheck timing (seconds, consecutive failed probes); None: the router's defaults.
    health_interval: Optional[int] = None
    failure_threshold: Optional[int] = None
    probe_token: Optional[str] = None  # what a probe carries, and what forcing a region needs

    def dial(self, code: str) -> int:
        return self.dials.get(code, 100)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.regions)

    def health_urls(self) -> dict[str, str]:
        return {code: region.url(self.health_path) for code, region in self.regions.items()}

    @classmethod
    def from_dict(cls, raw: Any) -> "RoutingTable":
        if not isinstance(raw, dict):
            raise ValueError(f"routing table must be a JSON object, got {type(raw).__name__}")
        unknown = sorted(set(raw) - set(contract.TABLE_KEYS))
        if unknown:
            raise ValueError(f"routing table has unknown keys {unknown}; allowed: {list(contract.TABLE_KEYS)}")
        raw_regions = raw.get("regions")
        if not isinstance(raw_regions, dict) or not raw_regions:
            raise ValueError("routing table 'regions' must be a non-empty object of region code -> origin")
        regions = {code: _region(code, value) for code, value in raw_regions.items()}

        home = raw.get("homeRegion")
        if not isinstance(home, str) or home not in regions:
            raise ValueError(f"routing table 'homeRegion' {home!r} is not one of the regions {list(regions)}")
        health_path = raw.get("healthPath")
        if not isinstance(health_path, str) or not health_path.startswith("/"):
            raise ValueError(f"routing table 'healthPath' must be a path starting with '/', got {health_path!r}")
        countries = raw.get("countries", {})
        if not isinstance(countries, dict):
            raise ValueError("routing table 'countries' must be an object of country code -> region")
        for country, region in countries.items():
            if not (isinstance(country, str) and len(country) == 2 and country.isalpha() and country.isupper()):
                raise ValueError(f"routing table country {country!r} is not an ISO 3166-1 alpha-2 code")
            if region not in regions:
                raise ValueError(f"routing table maps country {country} to {region!r}, not one of {list(regions)}")
        dials = raw.get("dials", {})
        if not isinstance(dials, dict):
            raise ValueError("routing table 'dials' must be an object of region -> 0-100")
        for region, dial in dials.items():
            if region not in regions:
                raise ValueError(f"routing table dial for {region!r}, not one of {list(regions)}")
            if isinstance(dial, bool) or not isinstance(dial, int) or not 0 <= dial <= 100:
                raise ValueError(f"routing table dial for {region} must be an integer 0-100, got {dial!r}")
        interval, threshold = _health_check(raw.get("healthCheck"))
        token = raw.get("probeToken")
        if token is not None and not (isinstance(token, str) and token.isascii() and token.isalnum()):
            raise ValueError("routing table 'probeToken' must be a string of letters and digits")
        return cls(home, health_path, regions, dict(countries), dict(dials), interval, threshold, token)

    @classmethod
    def from_file(cls, path: Path) -> "RoutingTable":
        return cls.from_dict(json.loads(path.read_text()))


def _region(code: Any, raw: Any) -> RegionOrigin:
    where = f"routing table region {code!r}"
    if not isinstance(code, str) or not code:
        raise ValueError(f"{where}: region codes must be non-empty strings")
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object with keys {list(contract.REGION_KEYS)}")
    missing = [key for key in contract.REGION_KEYS if key not in raw]
    extra = sorted(set(raw) - set(contract.REGION_KEYS))
    if missing or extra:
        raise ValueError(f"{where}: missing keys {missing}, unknown keys {extra}")
    host, protocol, port = raw["originHost"], raw["protocol"], raw["port"]
    if not isinstance(host, str) or not host or any(c in host for c in "/:@ "):
        raise ValueError(f"{where}: 'originHost' must be a bare hostname, got {host!r}")
    if protocol not in contract.DEFAULT_PORTS:
        raise ValueError(f"{where}: 'protocol' must be one of {list(contract.DEFAULT_PORTS)}, got {protocol!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"{where}: 'port' must be an integer 1-65535, got {port!r}")
    lat, lon = raw["lat"], raw["lon"]
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon))
    if not numbers or not is_coordinate(lat, lon):
        raise ValueError(f"{where}: 'lat'/'lon' must be degrees within [-90, 90] / [-180, 180], got {lat!r}, {lon!r}")
    return RegionOrigin(code, host, protocol, port, float(lat), float(lon))


def _health_check(raw: Any) -> tuple[Optional[int], Optional[int]]:
    if raw is None:
        return None, None
    keys = list(contract.HEALTH_CHECK_KEYS)
    if not isinstance(raw, dict) or sorted(raw) != sorted(keys):
        raise ValueError(f"routing table 'healthCheck' must be an object with exactly the keys {keys}, got {raw!r}")
    interval, threshold = raw["intervalSeconds"], raw["failureThreshold"]
    if isinstance(interval, bool) or interval not in contract.HEALTH_INTERVALS:
        raise ValueError(
            f"routing table 'healthCheck.intervalSeconds' must be one of {list(contract.HEALTH_INTERVALS)}, got {interval!r}"
        )
    low, high = contract.FAILURE_THRESHOLD_RANGE
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not low <= threshold <= high:
        raise ValueError(
            f"routing table 'healthCheck.failureThreshold' must be an integer {low}-{high}, got {threshold!r}"
        )
    return interval, threshold
