"""Lambda entry point (`api.handler.handler`): ALB and API Gateway HTTP API (payload 2.0) events.

Both resolvers share one Router (routes.py); the event's shape picks the resolver. Every
response carries `x-served-by-region`, `x-request-id` (the Lambda request id, as in the logs) and the
security headers (contract.SECURITY_HEADERS, and HSTS when the stack has a domain).
"""

from __future__ import annotations

import gc
import os

# On Lambda, garbage collection pauses from here to the end of the first invocation's setup: the imports below
# (boto3, botocore, Powertools) and the runtime's clients allocate some hundred thousand objects, which the
# collector would otherwise walk through some 140 times, a sixth of the cold start (bench/handler.py). Then
# what exists is frozen (it lives as long as the container: no collection walks it again) and collection
# resumes for what requests allocate. The setup's own cyclic garbage (under a thousand objects) is frozen too.
LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"  # set by Lambda in every execution environment
_collector_paused = bool(os.environ.get(LAMBDA_FUNCTION_NAME))
if _collector_paused:
    gc.disable()

import time  # noqa: E402
from typing import Any  # noqa: E402

from . import contract  # noqa: E402
from .attribution import front_door  # noqa: E402
from .observability import count, count_request, logger, metrics  # noqa: E402
from .routes import request_header  # noqa: E402
from .runtime import get_runtime  # noqa: E402
from .settings import SettingsError  # noqa: E402

# SnapStart's runtime hooks register when the handler's module imports them, in the initialization Lambda runs
# before it takes the snapshot, and Lambda names that initialization in this variable (on-demand,
# provisioned-concurrency or snap-start). Every other cold start skips the module: it costs them nothing.
INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAPSTART_INITIALIZATION = "snap-start"
if os.environ.get(INITIALIZATION_TYPE) == SNAPSTART_INITIALIZATION:
    from . import snapstart  # noqa: F401


class UnsupportedEvent(ValueError):
    """Neither an ALB event nor an HTTP API payload 2.0 event."""


# The logger's keys are not cleared between requests (clear_state, which costs every request a rebuild of them):
# Powertools sets the Lambda context's keys on every invocation, and the only key a request adds, correlation_id,
# is set (or removed) on every request before anything is logged.
@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        runtime = get_runtime()
    except SettingsError:
        logger.set_correlation_id(None)
        count("ConfigurationErrors")
        logger.exception("the function's environment is invalid")
        raise
    finally:
        if _collector_paused:
            _resume_collector()
    alb = is_alb_event(event)
    if alb:
        resolver = runtime.alb
        logger.set_correlation_id(request_header(event, "x-amzn-trace-id"))
    elif is_http_api_event(event):
        resolver = runtime.http_api
        logger.set_correlation_id(event["requestContext"].get("requestId"))
    else:
        logger.set_correlation_id(None)
        count("UnsupportedEvents")
        raise UnsupportedEvent("expected an ALB event (requestContext.elb) or an HTTP API 2.0 event (version 2.0)")

    started = time.perf_counter()
    response = resolver.resolve(event, context)
    stamp(response, contract.SERVED_BY_HEADER, runtime.settings.region)
    stamp(response, contract.REQUEST_ID_HEADER, getattr(context, "aws_request_id", ""))
    for name, value in runtime.headers:
        stamp(response, name, value)

    status = response.get("statusCode", 0)
    door = front_door(lambda name: request_header(event, name), _host(event, alb), runtime.settings.doors)
    count_request(door, status, (time.perf_counter() - started) * 1000)
    if status >= 400 or runtime.random() < runtime.settings.request_log_sample_rate:
        logger.info("request served", extra={**_request_line(event, alb), "status": status})
    return response


def _resume_collector() -> None:
    """Once, after the first invocation's setup: freeze what exists, then collect again."""
    global _collector_paused
    _collector_paused = False
    gc.freeze()
    gc.enable()


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


def _host(event: dict[str, Any], alb: bool) -> str | None:
    if alb:
        return request_header(event, "host")
    return event["requestContext"].get("domainName") or request_header(event, "host")


def _request_line(event: dict[str, Any], alb: bool) -> dict[str, Any]:
    if alb:
        return {"method": event.get("httpMethod"), "path": event.get("path")}
    http = event["requestContext"].get("http") or {}
    return {"method": http.get("method"), "path": event.get("rawPath")}
