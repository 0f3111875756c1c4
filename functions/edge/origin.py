"""Point a CloudFront origin-request at one region's origin."""

from typing import Any

from . import contract
from .table import RegionOrigin

# CloudFront's allowed ranges for custom origins are 1-60 s (read timeout up to 180 with a quota raise).
DEFAULT_READ_TIMEOUT = 30
DEFAULT_KEEPALIVE_TIMEOUT = 5
_TIMEOUT_RANGE = range(1, 181)
# The one fact the edge package repeats from components/catalogue.py (it ships alone, stdlib only);
# tests/unit/test_edge_routing.py keeps the two equal.
SSL_PROTOCOLS = ["TLSv1.2"]


def route_request(request: dict, region: RegionOrigin, reason: str) -> dict:
    """Rewrite `request` in place (and return it): custom origin, Host header, routing headers.

    The origin path, custom origin headers and timeouts the distribution configured are kept; the
    URI, query string and body are not touched.
    """
    previous = _previous_custom_origin(request)
    request["origin"] = {
        "custom": {
            "customHeaders": previous.get("customHeaders") if isinstance(previous.get("customHeaders"), dict) else {},
            "domainName": region.origin_host,
            "keepaliveTimeout": _timeout(previous.get("keepaliveTimeout"), DEFAULT_KEEPALIVE_TIMEOUT),
            "path": previous.get("path") if isinstance(previous.get("path"), str) else "",
            "port": region.port,
            "protocol": region.protocol,
            "readTimeout": _timeout(previous.get("readTimeout"), DEFAULT_READ_TIMEOUT),
            "sslProtocols": list(SSL_PROTOCOLS),
        }
    }
    headers = request.get("headers")
    if not isinstance(headers, dict):
        headers = request["headers"] = {}
    headers["host"] = [{"key": "Host", "value": region.origin_host}]
    headers[contract.ROUTED_REGION_HEADER] = [{"key": contract.ROUTED_REGION_HEADER, "value": region.code}]
    headers[contract.ROUTED_REASON_HEADER] = [{"key": contract.ROUTED_REASON_HEADER, "value": reason}]
    return request


def _previous_custom_origin(request: dict) -> dict:
    origin = request.get("origin")
    custom = origin.get("custom") if isinstance(origin, dict) else None
    return custom if isinstance(custom, dict) else {}


def _timeout(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value in _TIMEOUT_RANGE else default


def origin_custom_headers(request: dict) -> dict[str, str]:
    """The custom headers the distribution configured on the request's origin, as name -> value."""
    headers = _previous_custom_origin(request).get("customHeaders")
    if not isinstance(headers, dict):
        return {}
    found = {}
    for name, entries in headers.items():
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            value = entries[0].get("value")
            if isinstance(name, str) and isinstance(value, str):
                found[name] = value
    return found
