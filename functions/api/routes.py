"""The HTTP routes, on one Router that both resolvers (ALB and HTTP API) include.

Status codes: 200/201/204 on success; 400 bad input; 404 unknown item or route; 405 known path,
wrong method; 412 If-Match mismatch; 503 when the table does not answer or the region is `down`
(chaos). The only other 5xx is the one chaos `error` mode injects on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from .chaos import ChaosSource
from .items import ApiError, ItemService, parse_body, parse_if_match, parse_item_id
from .observability import count, logger
from .settings import Settings
from .store import ItemNotFound, PreconditionFailed, StoreUnavailable

ITEMS_PREFIX = "/items/"
# Injected latency is clipped to leave this much of the invocation for the request itself, so a
# game day slows requests down instead of turning them into Lambda timeouts.
LATENCY_HEADROOM_MS = 1500
ITEM_METHODS = ("GET", "PUT", "DELETE")
CHAOS_HEADER = "x-chaos-mode"


def json_response(status: int, body: dict, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=body, headers=headers or {})


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, {"error": message}, headers)


def build_router(
    settings: Settings,
    service: ItemService,
    chaos: ChaosSource,
    *,
    sleep: Callable[[float], None],
    random: Callable[[], float],
) -> Router:
    router = Router()

    @router.get(settings.health_path)
    def health() -> Response:
        try:
            service.check_table()
        except StoreUnavailable as unavailable:
            count("HealthFailures")
            logger.warning("health check failed", extra={"reason": unavailable.reason})
            body = {"status": "unavailable", "region": settings.region, "error": unavailable.reason}
            return json_response(503, body)
        return json_response(200, {"status": "ok", "region": settings.region})

    @router.get("/items/<item_id>")
    def get_item(item_id: str) -> Response:
        item = service.get(parse_item_id(item_id))
        return json_response(200, item, _etag(item))

    @router.put("/items/<item_id>")
    def put_item(item_id: str) -> Response:
        event = router.current_event.raw_event
        valid_id = parse_item_id(item_id)
        expected = parse_if_match(request_header(event, "if-match"))
        data = parse_body(event.get("body"), event.get("isBase64Encoded"))
        item, created = service.put(valid_id, data, expected)
        return json_response(201 if created else 200, item, _etag(item))

    @router.delete("/items/<item_id>")
    def delete_item(item_id: str) -> Response:
        event = router.current_event.raw_event
        valid_id = parse_item_id(item_id)
        service.delete(valid_id, parse_if_match(request_header(event, "if-match")))
        return Response(status_code=204, content_type=None, body="")

    def inject_faults(app, next_middleware) -> Response:
        fault = chaos.current()
        if fault.mode == "down":
            count("ChaosDown")
            return error_response(503, "region is down (chaos game day)", {CHAOS_HEADER: "down"})
        if fault.mode == "none" or app.current_event.path == settings.health_path:
            return next_middleware(app)
        if fault.mode == "latency":
            count("ChaosLatency")
            sleep(_affordable_delay_ms(fault.latency_ms, app.lambda_context) / 1000)
        elif fault.mode == "error" and random() < fault.error_rate:
            count("ChaosErrors")
            return error_response(fault.error_status, "injected fault (chaos game day)", {CHAOS_HEADER: "error"})
        return next_middleware(app)

    router.use(middlewares=[inject_faults])

    @router.exception_handler(ApiError)
    def api_error(error: ApiError) -> Response:
        return error_response(error.status, error.message)

    @router.exception_handler(ItemNotFound)
    def item_not_found(_: ItemNotFound) -> Response:
        return error_response(404, "item not found")

    @router.exception_handler(PreconditionFailed)
    def precondition_failed(_: PreconditionFailed) -> Response:
        count("VersionConflicts")
        return error_response(412, "If-Match does not match the item's current version")

    @router.exception_handler(StoreUnavailable)
    def store_unavailable(unavailable: StoreUnavailable) -> Response:
        count("TableErrors")
        logger.warning("table unavailable", extra={"reason": unavailable.reason})
        return error_response(503, f"table unavailable: {unavailable.reason}")

    @router.exception_handler(NotFoundError)
    def no_route(_: NotFoundError) -> Response:
        return _unmatched(router.current_event.http_method.upper(), router.current_event.path, settings)

    @router.exception_handler(Exception)
    def unexpected(error: Exception) -> Response:
        # A bug, not the client's fault: log it and answer 503 (retryable elsewhere) rather than
        # letting the invocation fail into a 502 from the load balancer.
        count("UnhandledErrors")
        logger.exception("unhandled error")
        return error_response(503, "internal error")

    return router


def _unmatched(method: str, path: str, settings: Settings) -> Response:
    if path == settings.health_path:
        return error_response(405, f"method {method} not allowed", {"Allow": "GET"})
    if path.startswith(ITEMS_PREFIX):
        if method in ITEM_METHODS:
            # /items/ or /items/a/b: the segment after /items/ cannot be an id.
            return error_response(400, "the path must be /items/{id} with an id of A-Z a-z 0-9 . _ ~ -")
        return error_response(405, f"method {method} not allowed", {"Allow": ", ".join(ITEM_METHODS)})
    return error_response(404, "no such route")


def _affordable_delay_ms(latency_ms: int, lambda_context) -> int:
    remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return latency_ms
    return max(0, min(latency_ms, remaining() - LATENCY_HEADROOM_MS))


def request_header(event: dict, name: str) -> str | None:
    """A request header from either event shape (ALB may send only multiValueHeaders)."""
    for key, value in (event.get("headers") or {}).items():
        if isinstance(key, str) and key.lower() == name and isinstance(value, str):
            return value
    for key, values in (event.get("multiValueHeaders") or {}).items():
        if isinstance(key, str) and key.lower() == name and isinstance(values, list) and values:
            return ",".join(str(value) for value in values)
    return None


def _etag(item: dict) -> dict[str, str]:
    return {"ETag": json.dumps(str(item["version"]))}
