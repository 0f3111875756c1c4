"""Request validation and the item operations, independent of the event shape.

Validation turns every bad input into an ApiError (a 4xx); nothing a client sends may surface as
a 5xx. Version semantics (per item, inside a region): every write, delete included, increments the
version atomically, so each acknowledged write has its own version; a PUT without If-Match
replaces whatever is there, one with If-Match only replaces the version it names (412 otherwise).
Across regions the global table is last-writer-wins (see store.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote

from . import contract
from .store import ANY_VERSION, ItemStore, StoredItem

_ID = re.compile(contract.ID_PATTERN)
_MAX_VERSION_DIGITS = 18
# Base64 inflates by 4/3: anything longer than this cannot decode to an acceptable body.
_MAX_BASE64_CHARS = 4 * math.ceil(contract.MAX_BODY_BYTES / 3) + 4


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def parse_item_id(raw: str) -> str:
    """The path segment, percent-decoded (clients may encode even unreserved characters)."""
    item_id = unquote(raw, errors="replace")
    if len(item_id) > contract.MAX_ID_LENGTH or not _ID.fullmatch(item_id):
        raise bad_request(f"id must be 1 to {contract.MAX_ID_LENGTH} characters from A-Z a-z 0-9 . _ ~ -")
    return item_id


def parse_if_match(value: str | None) -> int | str | None:
    """`If-Match: 3` or `If-Match: "3"` (the ETag we return), or `*` for any existing item."""
    if value is None:
        return None
    value = value.strip()
    if value == ANY_VERSION:
        return ANY_VERSION
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value or len(value) > _MAX_VERSION_DIGITS or not (value.isascii() and value.isdigit()):
        raise bad_request('If-Match must be an item version, e.g. 3 or "3"')
    return int(value)


def parse_body(raw: object, is_base64_encoded: object) -> dict:
    """The request body as a JSON object, within the size and nesting limits."""
    if raw is None or raw == "":
        raise bad_request("body must be a JSON object")
    if not isinstance(raw, str):
        raise bad_request("body must be text")
    body = _body_bytes(raw, bool(is_base64_encoded))
    if len(body) > contract.MAX_BODY_BYTES:
        raise bad_request(f"body is larger than {contract.MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("body is not valid UTF-8") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        raise bad_request("body is not valid JSON") from None
    if not isinstance(data, dict):
        raise bad_request("body must be a JSON object")
    if _depth(data) > contract.MAX_JSON_DEPTH:
        raise bad_request(f"body is nested deeper than {contract.MAX_JSON_DEPTH} levels")
    return data


def _body_bytes(raw: str, is_base64_encoded: bool) -> bytes:
    if is_base64_encoded:
        if len(raw) > _MAX_BASE64_CHARS:
            raise bad_request(f"body is larger than {contract.MAX_BODY_BYTES} bytes")
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise bad_request("body is not valid base64") from None
    try:
        return raw.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("body is not valid UTF-8") from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


def _depth(value: object) -> int:
    """Nesting depth of containers (an object of scalars is 1), without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        node, level = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest


def serialize_data(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (\ud800) parses as JSON but DynamoDB refuses it: that is the client's fault.
        raise bad_request("body contains an unpaired surrogate (\\ud800-\\udfff)") from None
    return text


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ItemService:
    """The item operations of one region. Store errors (StoreUnavailable, ItemNotFound,
    PreconditionFailed) propagate for the routes to map onto status codes."""

    def __init__(
        self,
        store: ItemStore,
        region: str,
        *,
        now_iso: Callable[[], str] = utc_now_iso,
        epoch_seconds: Callable[[], float] | None = None,
    ) -> None:
        self._store = store
        self._region = region
        self._now_iso = now_iso
        self._epoch_seconds = epoch_seconds or (lambda: datetime.now(UTC).timestamp())

    def check_table(self) -> None:
        self._store.probe()

    def get(self, item_id: str) -> dict:
        stored = self._store.get(item_id)
        return representation(stored, json.loads(stored.data_json))

    def put(self, item_id: str, data: dict, expected: int | str | None, token: str) -> tuple[dict, bool]:
        """`token` identifies this request's write: a resent attempt of it is never applied twice."""
        stored, created = self._store.put(item_id, serialize_data(data), self._region, self._now_iso(), expected, token)
        return representation(stored, json.loads(stored.data_json)), created

    def delete(self, item_id: str, expected: int | str | None, token: str) -> None:
        expires_at = int(self._epoch_seconds()) + contract.TOMBSTONE_TTL_SECONDS
        self._store.delete(item_id, self._region, self._now_iso(), expires_at, expected, token)


def representation(stored: StoredItem, data: object) -> dict:
    return {
        "id": stored.id,
        "data": data,
        "version": stored.version,
        "region": stored.region,
        "updatedAt": stored.updated_at,
    }
