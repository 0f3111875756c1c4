"""Realistic ALB and API Gateway HTTP API (payload 2.0) events, and a parsed view of responses."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

REGION = "eu-west-1"
ACCOUNT = "123456789012"
TARGET_GROUP_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/gs-api-euw1/6d0ecf831eec9f09"

# "alb-multi" is an ALB target group with multi-value headers enabled: the event then carries
# only multiValueHeaders/multiValueQueryStringParameters and the response must answer in kind.
SHAPES = ("alb", "alb-multi", "http")


@dataclass
class LambdaContext:
    function_name: str = "gs-api-euw1"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gs-api-euw1"
    # Lambda gives every invocation its own id; the function uses it as the write's token.
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    remaining_time_in_millis: int = 6000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_time_in_millis


def _encode_body(body: str | bytes | None, base64_encoded: bool) -> tuple[str | None, bool]:
    if body is None:
        return None, False
    if base64_encoded or isinstance(body, bytes):
        raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
        return base64.b64encode(raw).decode("ascii"), True
    return body, False


def alb_event(
    method: str,
    path: str,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    *,
    base64_encoded: bool = False,
    multi_value: bool = False,
) -> dict[str, Any]:
    all_headers = {
        "accept": "*/*",
        "host": "gs-api-euw1-1234567890.eu-west-1.elb.amazonaws.com",
        "user-agent": "curl/8.5.0",
        "x-amzn-trace-id": "Root=1-6650f0c4-0b1d2e3f4a5b6c7d8e9f0a1b",
        "x-forwarded-for": "203.0.113.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        **({"content-type": "application/json"} if body is not None else {}),
        **(headers or {}),
    }
    encoded, is_base64 = _encode_body(body, base64_encoded)
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP_ARN}},
        "httpMethod": method,
        "path": path,
        "body": encoded if encoded is not None else "",
        "isBase64Encoded": is_base64,
    }
    if multi_value:
        event["multiValueHeaders"] = {name: [value] for name, value in all_headers.items()}
        event["multiValueQueryStringParameters"] = {}
    else:
        event["headers"] = all_headers
        event["queryStringParameters"] = {}
    return event


def http_api_event(
    method: str,
    path: str,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    *,
    base64_encoded: bool = False,
    stage: str = "$default",
) -> dict[str, Any]:
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    encoded, is_base64 = _encode_body(body, base64_encoded)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": {
            "accept": "*/*",
            "content-length": str(len(encoded or "")),
            "host": "abcdef1234.execute-api.eu-west-1.amazonaws.com",
            "user-agent": "curl/8.5.0",
            "x-amzn-trace-id": "Root=1-6650f0c4-0b1d2e3f4a5b6c7d8e9f0a1b",
            "x-forwarded-for": "203.0.113.10",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            **({"content-type": "application/json"} if body is not None else {}),
            **(headers or {}),
        },
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "abcdef1234",
            "domainName": "abcdef1234.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abcdef1234",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "curl/8.5.0",
            },
            "requestId": "YZtLRgYbDoEEMtw=",
            "routeKey": "$default",
            "stage": stage,
            "time": "24/May/2026:12:00:00 +0000",
            "timeEpoch": 1779624000000,
        },
        "isBase64Encoded": is_base64,
    }
    if encoded is not None:
        event["body"] = encoded
    return event


def build_event(shape: str, method: str, path: str, body=None, headers=None, **options) -> dict[str, Any]:
    if shape == "http":
        return http_api_event(method, path, body, headers, **options)
    return alb_event(method, path, body, headers, multi_value=shape == "alb-multi", **options)


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None

    @property
    def error(self) -> str:
        return self.body["error"]


def parse_response(raw: dict[str, Any]) -> HttpResponse:
    headers = {name.lower(): value for name, value in (raw.get("headers") or {}).items()}
    for name, values in (raw.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = values[-1]
    text = raw.get("body") or ""
    if raw.get("isBase64Encoded"):
        text = base64.b64decode(text).decode("utf-8")
    return HttpResponse(status=raw["statusCode"], headers=headers, body=json.loads(text) if text else None)
