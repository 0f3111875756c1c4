"""The HTTP routes, on one Router that both resolvers (ALB and HTTP API) include.

Status codes: 200/201/204 on success; 400 bad input; 404 unknown item or route; 405 known path,
wrong method; 409 the same Idempotency-Key still in progress; 412 If-Match mismatch; 422 an
Idempotency-Key reused for another request; 503 (with Retry-After) when the table does not answer,
so the outcome of a write is unknown, or the region is `down` (chaos). The only other 5xx is the one
chaos `error` mode injects on purpose. Error bodies say what the client can do; AWS error codes go
to the logs only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from . import contract, idempotency
from .chaos import ChaosSource
from .idempotency import Answer, IdempotentWrites, InProgress, KeyReused, RecordUnavailable
from .items import ApiError, ItemService, parse_body, parse_if_match, parse_item_id
from .observability import count, logger
from .settings import FunctionSettings
from .store import ItemNotFound, PreconditionFailed, StoreUnavailable

if TYPE_CHECKING:  # imported at run time only by stacks that turn them on (cold start)
    from .access.auth import Authenticator
    from .access.origin_guard import OriginGuard

ITEMS_PREFIX = f"{contract.ITEMS_PATH}/"
ITEM_ROUTE = f"{contract.ITEMS_PATH}/<item_id>"  # Powertools' route syntax
# Injected latency is clipped to leave this much of the invocation for the request itself, so a
# game day slows requests down instead of turning them into Lambda timeouts.
LATENCY_HEADROOM_MS = 1500
ITEM_METHODS = ("GET", "PUT", "DELETE")
CHAOS_HEADER = "x-chaos-mode"
RETRY_AFTER_SECONDS = "1"
MISMATCH = "If-Match does not match the item's current version: GET the item for its version and retry"
UNKNOWN_WRITE = (
    "the table did not answer, so the write may or may not be stored: retry it "
    "(with the same Idempotency-Key to be safe)"
)


def json_response(status: int, body: dict, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=body, headers=headers or {})


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    headers = dict(headers or {})
    if status == 503:  # the outcome is unknown or the region is out: worth retrying shortly
        headers.setdefault("Retry-After", RETRY_AFTER_SECONDS)
    return json_response(status, {"error": message}, headers)


def error_answer(status: int, message: str) -> Answer:
    return {"status": status, "body": {"error": message}, "headers": {}}


def to_response(answer: Answer) -> Response:
    if answer["status"] == 204:
        return Response(status_code=204, content_type=None, body="", headers=answer.get("headers") or {})
    return json_response(answer["status"], answer["body"], answer.get("headers"))


def build_router(
    settings: FunctionSettings,
    service: ItemService,
    chaos: ChaosSource,
    writes: IdempotentWrites,
    *,
    sleep: Callable[[float], None],
    random: Callable[[], float],
    authenticator: Authenticator | None = None,
    origin_guard: OriginGuard | None = None,
) -> Router:
    router = Router()

    @router.get(settings.health_path)
    def health() -> Response:
        try:
            service.check_table()
        except StoreUnavailable as unavailable:
            count("HealthFailures")
            logger.warning("health check failed", extra={"reason": unavailable.reason})
            body = {"status": "unavailable", "region": settings.region, "error": "this region's table does not answer"}
            return json_response(503, body, {"Retry-After": RETRY_AFTER_SECONDS})
        return json_response(200, {"status": "ok", "region": settings.region})

    @router.get(ITEM_ROUTE)
    def get_item(item_id: str) -> Response:
        item = service.get(parse_item_id(item_id))
        return json_response(200, item, _etag(item))

    @router.put(ITEM_ROUTE)
    def put_item(item_id: str) -> Response:
        event = router.current_event.raw_event
        valid_id = parse_item_id(item_id)
        if_match = request_header(event, "if-match")
        expected = parse_if_match(if_match)
        data = parse_body(event.get("body"), event.get("isBase64Encoded"))

        def write(token: str) -> Answer:
            try:
                item, created = service.put(valid_id, data, expected, token)
            except PreconditionFailed:
                count("VersionConflicts")
                return error_answer(412, MISMATCH)
            return {"status": 201 if created else 200, "body": item, "headers": _etag(item)}

        return answer_once(event, lambda: idempotency.fingerprint("PUT", valid_id, data, if_match), write)

    @router.delete(ITEM_ROUTE)
    def delete_item(item_id: str) -> Response:
        event = router.current_event.raw_event
        valid_id = parse_item_id(item_id)
        if_match = request_header(event, "if-match")
        expected = parse_if_match(if_match)

        def write(token: str) -> Answer:
            try:
                service.delete(valid_id, expected, token)
            except ItemNotFound:
                return error_answer(404, "item not found")
            except PreconditionFailed:
                count("VersionConflicts")
                return error_answer(412, MISMATCH)
            return {"status": 204, "body": None, "headers": {}}

        return answer_once(event, lambda: idempotency.fingerprint("DELETE", valid_id, None, if_match), write)

    def answer_once(event: dict, fingerprint: Callable[[], str], write: Callable[[str], Answer]) -> Response:
        """Runs the write once per request: per Lambda request id, or per Idempotency-Key when the client sends one.

        With a key, the write's token comes from the key, so a client's retry after a 503 recognises
        the write its first attempt applied instead of answering 412 or 404 for it.
        """
        key = idempotency.parse_key(request_header(event, idempotency.HEADER))
        if key is None:
            return to_response(write(_request_id(router)))
        token = idempotency.write_token(key)
        try:
            return to_response(writes.answer(key, fingerprint(), lambda: write(token), router.lambda_context))
        except KeyReused:
            count("IdempotencyKeyReused")
            return error_response(
                422,
                "this Idempotency-Key was used for a different request (method, item, body "
                "or If-Match): nothing was written; send a new key for a new request",
            )
        except InProgress:
            count("IdempotencyInProgress")
            return error_response(
                409,
                "a request with this Idempotency-Key is still in progress: retry shortly",
                {"Retry-After": RETRY_AFTER_SECONDS},
            )
        except RecordUnavailable as error:
            count("TableErrors")
            logger.warning("idempotency record unavailable", extra={"reason": str(error)})
            return error_response(503, UNKNOWN_WRITE)

    # Strangers (no origin secret) are refused only where the stack locks its entries to CloudFront.
    refused = _origin_check(settings, chaos, origin_guard)
    unauthenticated = _token_check(authenticator, settings) if authenticator is not None else None

    def faulted(app) -> Response | None:
        """The chaos game day's answer for this request, or None to serve it (after any injected latency)."""
        fault = chaos.current()
        if fault.mode == "none":
            return None
        if fault.mode == "down":
            count("ChaosDown")
            return error_response(503, "region is down (chaos game day)", {CHAOS_HEADER: "down"})
        if app.current_event.path == settings.health_path:
            return None
        if fault.mode == "latency":
            count("ChaosLatency")
            sleep(_affordable_delay_ms(fault.latency_ms, app.lambda_context) / 1000)
        elif fault.mode == "error" and random() < fault.error_rate:
            count("ChaosErrors")
            return error_response(fault.error_status, "injected fault (chaos game day)", {CHAOS_HEADER: "error"})
        return None

    # One middleware, in this order: strangers (no origin secret), then tokens, then the game day's
    # faults. One frame instead of three: each Powertools middleware costs every request.
    def admit(app, next_middleware) -> Response:
        event = app.current_event
        return (
            (refused(event.raw_event) if refused is not None else None)
            or (unauthenticated(event) if unauthenticated is not None else None)
            or faulted(app)
            or next_middleware(app)
        )

    router.use(middlewares=[admit])

    @router.exception_handler(ApiError)
    def api_error(error: ApiError) -> Response:
        return error_response(error.status, error.message)

    @router.exception_handler(ItemNotFound)
    def item_not_found(_: ItemNotFound) -> Response:
        return error_response(404, "item not found")

    @router.exception_handler(StoreUnavailable)
    def store_unavailable(unavailable: StoreUnavailable) -> Response:
        count("TableErrors")
        logger.warning("table unavailable", extra={"reason": unavailable.reason})
        if router.current_event.http_method.upper() in ("PUT", "DELETE"):
            return error_response(503, UNKNOWN_WRITE)
        return error_response(503, "the table did not answer: retry shortly")

    @router.exception_handler(NotFoundError)
    def no_route(_: NotFoundError) -> Response:
        # Unmatched paths skip the middlewares: strangers get the same 403 here as on every route.
        return (refused(router.current_event.raw_event) if refused is not None else None) or _unmatched(
            router.current_event.http_method.upper(), router.current_event.path, settings
        )

    @router.exception_handler(Exception)
    def unexpected(error: Exception) -> Response:
        # A bug, not the client's fault: log it and answer 503 (retryable elsewhere) rather than
        # letting the invocation fail into a 502 from the load balancer.
        count("UnhandledErrors")
        logger.exception("unhandled error")
        return error_response(503, "internal error")

    return router


def _origin_check(
    settings: FunctionSettings, chaos: ChaosSource, guard: OriginGuard | None
) -> Callable[[dict], Response | None] | None:
    """The refusal for a request without the origin secret (None: let it through); None when nothing is enforced.

    The guard reads SSM with the chaos reader's client and clock (one client per container). Its module is
    imported only by stacks whose settings name origin secrets, at cold start like the token modules.
    """
    if guard is None:
        if not (settings.origin_secrets or settings.origin_secret_path):
            return None
        from .access.origin_guard import build_guard

        guard = build_guard(settings, chaos.client, clock=chaos.clock)
    if not guard.enforcing:
        return None
    from .access.origin_guard import HEADER, REFUSAL, UNAVAILABLE, Verdict, request_domain_name

    def refused(event: dict) -> Response | None:
        verdict = guard.check(request_header(event, HEADER), request_domain_name(event))
        if verdict is Verdict.SERVE:
            return None
        if verdict is Verdict.UNKNOWN:
            count("OriginSecretUnavailable")
            return error_response(503, UNAVAILABLE)
        count("OriginRefused")
        return error_response(403, REFUSAL)

    return refused


def _token_check(authenticator: Authenticator, settings: FunctionSettings) -> Callable[[object], Response | None]:
    """The refusal for a request without a good token (None: let it through)."""
    from .access.auth import Forbidden, Unauthorized
    from .access.jwks import KeysUnavailable

    def unauthenticated(event) -> Response | None:
        if not authenticator.requires(event.http_method, event.path, settings.health_path):
            return None
        try:
            authenticator.check(request_header(event.raw_event, "authorization"))
        except Unauthorized as refused:
            count("AuthRefused")
            return error_response(401, refused.message, {"WWW-Authenticate": refused.challenge})
        except Forbidden as refused:
            count("AuthForbidden")
            return error_response(403, refused.message, {"WWW-Authenticate": refused.challenge})
        except KeysUnavailable as unavailable:
            count("AuthKeysUnavailable")
            logger.warning("issuer keys unavailable", extra={"reason": str(unavailable)})
            return error_response(503, "the token cannot be checked right now: retry shortly")
        return None

    return unauthenticated


def _unmatched(method: str, path: str, settings: FunctionSettings) -> Response:
    if path == settings.health_path:
        return error_response(405, f"method {method} not allowed", {"Allow": "GET"})
    if path.startswith(ITEMS_PREFIX):
        if method in ITEM_METHODS:
            # /items/ or /items/a/b: the segment after /items/ cannot be an id.
            return error_response(400, "the path must be /items/{id} with an id of A-Z a-z 0-9 . _ ~ -")
        return error_response(405, f"method {method} not allowed", {"Allow": ", ".join(ITEM_METHODS)})
    return error_response(404, "no such route")


def _affordable_delay_ms(latency_ms: int, lambda_context) -> int:
    remaining: Callable[[], int] | None = getattr(lambda_context, "get_remaining_time_in_millis", None)
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


def _request_id(router: Router) -> str:
    """The Lambda request id: the write's token, the response's x-request-id, the logs' function_request_id."""
    return router.lambda_context.aws_request_id


def _etag(item: dict) -> dict[str, str]:
    return {"ETag": f'"{item["version"]:d}"'}  # the version (an int) as a quoted string: what If-Match takes back
