"""AWS region catalogue: the codes the program accepts and where each region sits.

The data (components/stack/data/aws_regions.json) is a copy of city-level coordinates, with its source and
date inside the file. The edge router's routing table takes its coordinates from here.
components/stack/data/aws_opt_in_regions.json lists the catalogue's opt-in regions (disabled in an account
until enabled), dated, with its source. China and GovCloud (and the isolated) regions live in other
partitions: an account of the `aws` partition cannot deploy there, so they are named, not guessed at.
"""

import difflib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).parent / "data" / "aws_regions.json"
_OPT_IN = Path(__file__).parent / "data" / "aws_opt_in_regions.json"
PARTITION = "aws"  # the only partition this stack deploys to
# Region code prefixes of the other partitions (AWS General Reference, "AWS partitions").
_OTHER_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)
PARTITION_NOTE = "China and GovCloud regions need their own partition/account: not supported by this stack"


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


def other_partition(code: object) -> str | None:
    """The partition of a China, GovCloud or isolated region code ("aws-cn", ...); None for any other text."""
    if not isinstance(code, str):
        return None
    return next((partition for prefix, partition in _OTHER_PARTITIONS if code.startswith(prefix)), None)


@lru_cache(maxsize=1)
def opt_in_table() -> dict:
    """The dated table of opt-in regions: {source, date, rule, check, enable, regions: {code: name, launch}}."""
    return json.loads(_OPT_IN.read_text())


def is_opt_in(code: str) -> bool:
    return code in opt_in_table()["regions"]


_SNAPSTART = Path(__file__).parent / "data" / "snapstart_python_regions.json"


@lru_cache(maxsize=1)
def snapstart_table() -> dict:
    """The dated table of regions where Lambda SnapStart is offered for Python: {source, date, regions, ...}."""
    return json.loads(_SNAPSTART.read_text())


def offers_python_snapstart(code: str) -> bool:
    return code in snapstart_table()["regions"]
