"""AWS region catalogue: the codes the program accepts and where each region sits.

The data (components/data/aws_regions.json) is a copy of city-level coordinates, with its source and
date inside the file. The edge router's routing table takes its coordinates from here.
"""

import difflib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).parent / "data" / "aws_regions.json"


@dataclass(frozen=True)
class RegionInfo:
    code: str
    city: str
    country: str
    lat: float
    lon: float


@lru_cache(maxsize=1)
def catalogue() -> dict[str, RegionInfo]:
    raw = json.loads(_DATA.read_text())["regions"]
    return {
        code: RegionInfo(code, r["city"], r["country"], float(r["lat"]), float(r["lon"])) for code, r in raw.items()
    }


def catalogue_source() -> str:
    data = json.loads(_DATA.read_text())
    return f"{data['source']}, {data['date']}"


def is_known(code: str) -> bool:
    return code in catalogue()


def closest_codes(code: str, limit: int = 3) -> list[str]:
    """Known codes that look like a mistyped `code` (same prefix first), for error messages."""
    return difflib.get_close_matches(code, sorted(catalogue()), n=limit, cutoff=0.6)
