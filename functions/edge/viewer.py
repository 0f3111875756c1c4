"""What the request says about the viewer, read defensively from CloudFront's header shape.

CloudFront gives headers as {lowercase-name: [{"key": Name, "value": str}, ...]}. Anything that does
not parse (missing, wrong type, out of range, not finite) reads as "unknown", never as an error:
the router then falls back to the next rule.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from . import contract
from .geo import is_coordinate

_LATITUDE = contract.VIEWER_HEADERS[1].lower()
_LONGITUDE = contract.VIEWER_HEADERS[2].lower()
_COUNTRY = contract.VIEWER_HEADERS[0].lower()
# CloudFront sends short decimal strings ("50.11000"); anything far longer is not a coordinate.
_MAX_NUMBER_LENGTH = 32


@dataclass(frozen=True)
class Viewer:
    affinity: Optional[str] = None  # the affinity cookie's value as sent, not yet checked against the table
    lat: Optional[float] = None  # lat and lon are both set or both None
    lon: Optional[float] = None
    country: Optional[str] = None  # ISO 3166-1 alpha-2, upper case


def viewer_from_headers(headers: Any) -> Viewer:
    lat = _number(_first_value(headers, _LATITUDE))
    lon = _number(_first_value(headers, _LONGITUDE))
    if lat is None or lon is None or not is_coordinate(lat, lon):
        lat = lon = None
    return Viewer(
        affinity=_cookie(headers, contract.AFFINITY_COOKIE),
        lat=lat,
        lon=lon,
        country=_country(_first_value(headers, _COUNTRY)),
    )


def _values(headers: Any, name: str) -> Iterator[str]:
    entries = headers.get(name) if isinstance(headers, dict) else None
    if not isinstance(entries, list):
        return
    for entry in entries:
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, str):
            yield value


def _first_value(headers: Any, name: str) -> Optional[str]:
    return next(_values(headers, name), None)


def _number(text: Optional[str]) -> Optional[float]:
    if text is None or len(text) > _MAX_NUMBER_LENGTH:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _country(text: Optional[str]) -> Optional[str]:
    if text is None:
        return None
    code = text.strip().upper()
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def _cookie(headers: Any, name: str) -> Optional[str]:
    # A plain split rather than http.cookies: SimpleCookie drops the whole header on one bad pair.
    for header in _values(headers, "cookie"):
        for pair in header.split(";"):
            key, sep, value = pair.partition("=")
            if sep and key.strip() == name:
                return value.strip().strip('"').lower() or None
    return None
