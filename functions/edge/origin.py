"""Point a CloudFront origin-request at one region's origin.

What CloudFront documents (Lambda@Edge event structure, "Dynamic origin selection",
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html):
"In the CloudFront origin request event, the origin object in the event structure contains information
about the origin that the request would be routed to, based on the path pattern. You can update the values
in the origin object to route a request to a different origin. When you update the origin object, you
don't need to define the origin in the distribution. You can also replace an Amazon S3 origin object with
a custom origin object, and vice versa. You can only specify a single origin per request; either a custom
origin or an Amazon S3 origin, but not both."
The origin object's documented kinds are `custom` (customHeaders, domainName, keepaliveTimeout, path, port,
protocol, readTimeout, sslProtocols) and `s3`. Nothing there selects an origin defined in the distribution
by its ID, and no VPC-origin object (no vpcOrigin id) is documented for Lambda@Edge; selecting a
distribution's origin by ID is documented only for CloudFront Functions (`selectRequestOriginById` in the
`cloudfront` module, viewer-request only: "Helper methods for origin modification",
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/helper-functions-origin-modification.html).
So this module re-points by domain name, as a custom origin, and nothing else: that reaches a public
origin (an API Gateway entry locked by the origin secret, an internet-facing ALB), not an internal ALB that
CloudFront reaches only as a VPC origin. CloudFront resolves the new domain name itself ("If your function
logic modifies the origin domain name, CloudFront will perform another DNS resolution on the updated domain
name after the function has finished executing", Restrictions on Lambda@Edge).
"""

from typing import Any

from . import contract
from .table import RegionOrigin

# CloudFront's allowed ranges for custom origins are 1-60 s (read timeout up to 180 with a quota raise).
DEFAULT_READ_TIMEOUT = 30
DEFAULT_KEEPALIVE_TIMEOUT = 5
_TIMEOUT_RANGE = range(1, 181)
# The one fact the edge package repeats from components/registry.py (it ships alone, stdlib only);
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
