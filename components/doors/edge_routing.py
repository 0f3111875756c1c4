"""The edge router's routing table, planned at deploy time (pure: no Pulumi, no I/O beyond project data).

The cloudfront front door calls `routing_table_json` inside an `Output.apply` once every regional
origin hostname is known, and bakes the text into the Lambda@Edge package as
`edge/routing_table.json`. Coordinates come from the region catalogue; the country map sends each
country to the configured region nearest to it, with country positions from
components/doors/data/country_coordinates.json (the mean of each country's CloudFront edge cities; source
and derivation inside the file).
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from components.stack import regions as region_catalogue
from functions.edge import contract as edge_contract
from functions.edge.geo import great_circle_km
from functions.edge.table import RoutingTable

_COUNTRY_DATA = Path(__file__).parent / "data" / "country_coordinates.json"


@dataclass(frozen=True)
class EdgeOrigin:
    """Where CloudFront reaches one region: its hostname (no scheme, no path), protocol and port."""

    host: str
    protocol: str = "https"
    port: Optional[int] = None  # None: the protocol's default (443 / 80)


@lru_cache(maxsize=1)
def country_coordinates() -> dict[str, tuple[float, float]]:
    raw = json.loads(_COUNTRY_DATA.read_text())["countries"]
    return {code: (float(c["lat"]), float(c["lon"])) for code, c in raw.items()}


def country_coordinates_source() -> str:
    return json.loads(_COUNTRY_DATA.read_text())["source"]


def plan_routing_table(
    home_region: str,
    regions: Sequence[str],
    origins: Mapping[str, EdgeOrigin],
    health_path: str = edge_contract.DEFAULT_HEALTH_PATH,
    dials: Mapping[str, int] | None = None,
    *,
    health_interval_seconds: Optional[int] = None,
    health_failure_threshold: Optional[int] = None,
    probe_token: Optional[str] = None,
) -> dict:
    """The routing table dict (schema in functions/edge/contract.py), validated by the router's own parser.

    `health_interval_seconds` and `health_failure_threshold` are the stack's healthCheck.intervalSeconds and
    failureThreshold: the router's detection budget (both or neither; neither keeps the router's defaults,
    a 10 s refresh and a 20 s budget, and writes no "healthCheck" key).
    """
    _check_regions(home_region, regions, origins)
    if (health_interval_seconds is None) != (health_failure_threshold is None):
        raise ValueError(
            "edge routing needs both health_interval_seconds and health_failure_threshold (the stack's "
            f"healthCheck), or neither; got {health_interval_seconds!r} and {health_failure_threshold!r}"
        )
    catalogue = region_catalogue.catalogue()
    table_regions = {}
    for code in regions:
        origin = origins[code]
        table_regions[code] = {
            "originHost": origin.host,
            "protocol": origin.protocol,
            "port": origin.port if origin.port is not None else edge_contract.DEFAULT_PORTS.get(origin.protocol),
            "lat": catalogue[code].lat,
            "lon": catalogue[code].lon,
        }
    table = {
        "homeRegion": home_region,
        "healthPath": health_path,
        "regions": table_regions,
        "countries": nearest_region_by_country(table_regions),
        # Only the regions turned down (trafficDials): the router treats the rest as 100.
        "dials": {code: dial for code, dial in (dials or {}).items() if code in table_regions and dial < 100},
    }
    if probe_token is not None:
        table["probeToken"] = probe_token
    if health_interval_seconds is not None:
        table["healthCheck"] = {
            "intervalSeconds": health_interval_seconds,
            "failureThreshold": health_failure_threshold,
        }
    try:
        RoutingTable.from_dict(table)
    except ValueError as error:
        raise ValueError(f"edge routing table for regions {list(regions)}: {error}") from None
    return table


def routing_table_json(
    home_region: str,
    regions: Sequence[str],
    origins: Mapping[str, EdgeOrigin],
    health_path: str = edge_contract.DEFAULT_HEALTH_PATH,
    dials: Mapping[str, int] | None = None,
    *,
    health_interval_seconds: Optional[int] = None,
    health_failure_threshold: Optional[int] = None,
    probe_token: Optional[str] = None,
) -> str:
    """The same table as the JSON text to package; stable for the same inputs (no spurious diffs)."""
    table = plan_routing_table(
        home_region,
        regions,
        origins,
        health_path,
        dials,
        health_interval_seconds=health_interval_seconds,
        health_failure_threshold=health_failure_threshold,
        probe_token=probe_token,
    )
    return json.dumps(table, indent=1) + "\n"


def nearest_region_by_country(table_regions: Mapping[str, Mapping]) -> dict[str, str]:
    """Country code -> the nearest region among `table_regions` (ties: the earlier region)."""
    return {
        country: min(
            table_regions,
            key=lambda code: great_circle_km(lat, lon, table_regions[code]["lat"], table_regions[code]["lon"]),
        )
        for country, (lat, lon) in sorted(country_coordinates().items())
    }


def _check_regions(home_region: str, regions: Sequence[str], origins: Mapping[str, EdgeOrigin]) -> None:
    if isinstance(regions, str) or not regions:
        raise ValueError(f"edge routing needs a non-empty list of regions, got {regions!r}")
    duplicates = sorted({code for code in regions if list(regions).count(code) > 1})
    if duplicates:
        raise ValueError(f"edge routing regions {list(regions)} repeat {duplicates}; list each region once")
    unknown = [code for code in regions if not region_catalogue.is_known(code)]
    if unknown:
        hints = {code: region_catalogue.closest_codes(code) for code in unknown}
        raise ValueError(f"edge routing regions {unknown} are not in the region catalogue (did you mean {hints}?)")
    if home_region not in regions:
        raise ValueError(f"edge routing home region {home_region!r} is not one of the regions {list(regions)}")
    missing = [code for code in regions if code not in origins]
    extra = sorted(set(origins) - set(regions))
    if missing or extra:
        raise ValueError(f"edge routing origins must cover exactly the regions: missing {missing}, unexpected {extra}")
