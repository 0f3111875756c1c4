"""Lambda entry point (`api.handler.handler`): ALB and API Gateway HTTP API (payload 2.0) events.

Both resolvers share one Router (routes.py); the event's shape picks the resolver. Every
response carries `x-served-by-region`, `x-request-id` (the Lambda request id, as in the logs) and the
security headers (contract.SECURITY_HEADERS, and HSTS when the stack has a domain).
"""

from __future__ import annotations

import time
from typing import Any

from . import contract, snapstart  # noqa: F401 (snapstart: SnapStart's runtime hooks register at import)
from .attribution import front_door
from .observability import count, count_request, logger, metrics
from .routes import request_header
from .runtime import get_runtime
from .settings import SettingsError


class UnsupportedEvent(ValueError):
    """Neither an ALB event nor an HTTP API payload 2.0 event."""


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        runtime = get_runtime()
    except SettingsError:
        count("ConfigurationErrors")
        logger.exception("the function's environment is invalid")
        raise
    if is_alb_event(event):
        resolver = runtime.alb
        logger.set_correlation_id(request_header(event, "x-amzn-trace-id"))
    elif is_http_api_event(event):
        resolver = runtime.http_api
        logger.set_correlation_id(event["requestContext"].get("requestId"))
    else:
        count("UnsupportedEvents")
        raise UnsupportedEvent("expected an ALB event (requestContext.elb) or an HTTP API 2.0 event (version 2.0)")

    started = time.perf_counter()
    response = resolver.resolve(event, context)
    stamp(response, contract.SERVED_BY_HEADER, runtime.settings.region)
    stamp(response, contract.REQUEST_ID_HEADER, getattr(context, "aws_request_id", ""))
    for name, value in contract.SECURITY_HEADERS.items():
        stamp(response, name, value)
    if runtime.settings.strict_transport_security:
        stamp(response, "Strict-Transport-Security", runtime.settings.strict_transport_security)

    status = response.get("statusCode", 0)
    door = front_door(lambda name: request_header(event, name), _host(event), runtime.settings.doors)
    count_request(door, status, (time.perf_counter() - started) * 1000)
    if status >= 400 or runtime.random() < runtime.settings.request_log_sample_rate:
        logger.info("request served", extra={**_request_line(event), "status": status})
    return response


def is_alb_event(event: Any) -> bool:
    context = event.get("requestContext") if isinstance(event, dict) else None
    return isinstance(context, dict) and isinstance(context.get("elb"), dict)


def is_http_api_event(event: Any) -> bool:
    return isinstance(event, dict) and event.get("version") == "2.0" and isinstance(event.get("requestContext"), dict)


def stamp(response: dict[str, Any], name: str, value: str) -> None:
    """Adds a header in whichever form the resolver produced."""
    if isinstance(response.get("multiValueHeaders"), dict):
        response["multiValueHeaders"][name] = [value]
    if not isinstance(response.get("headers"), dict):
        if "multiValueHeaders" in response:
            return
        response["headers"] = {}
    response["headers"][name] = value


def _host(event: dict[str, Any]) -> str | None:
    if is_alb_event(event):
        return request_header(event, "host")
    return event["requestContext"].get("domainName") or request_header(event, "host")


def _request_line(event: dict[str, Any]) -> dict[str, Any]:
    if is_alb_event(event):
        return {"method": event.get("httpMethod"), "path": event.get("path")}
    http = event["requestContext"].get("http") or {}
    return {"method": http.get("method"), "path": event.get("rawPath")}
