"""`Idempotency-Key` on PUT and DELETE, through Powertools' Idempotency utility.

Follows the IETF httpapi draft "The Idempotency-Key HTTP Header Field": the first request with a key
runs and its answer (status, body, ETag) is kept for RECORD_TTL_SECONDS; the same key with the same
request (method, item, body, If-Match) gets that answer again; with another request, 422 and nothing
is written; while the first is still running, 409. Records live in the items table itself (id
`idempotency#<hash of the key>`, outside the item id alphabet), so they replicate with the global
table: a retry that lands in another region after failover finds the answer once the record has
replicated (typically within a second).

Only definitive answers are kept (2xx, 404, 412). A write whose outcome is unknown raises
StoreUnavailable: Powertools then deletes the in-progress record, the client gets 503 and a retry
with the same key runs the write again, which the store's write token keeps from applying twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function

from . import contract
from .items import bad_request

HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
KEY_PREFIX = "idempotency"
RECORD_TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255

Answer = dict  # {"status": int, "body": dict | None, "headers": {name: value}}


def parse_key(value: str | None) -> str | None:
    """The key, as a Structured Field string (`"abc"`) or bare; 1-255 printable ASCII characters."""
    if value is None:
        return None
    key = value.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= ch <= "~" for ch in key):
        raise bad_request(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters")
    return key


def fingerprint(method: str, item_id: str, data: dict | None, if_match: str | None) -> str:
    """What makes two requests with one key the same request."""
    canonical = json.dumps([method, item_id, data, (if_match or "").strip()], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def write_token(key: str) -> str:
    """The store's write token for requests carrying `key` (never equal to a Lambda request id)."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()


def _mark_replayed(response: Any, _record: Any) -> Any:
    if isinstance(response, dict):
        response = {**response, "headers": {**response.get("headers", {}), REPLAYED_HEADER: "true"}}
    return response


class IdempotentWrites:
    def __init__(self, client, table_name: str) -> None:
        persistence = DynamoDBPersistenceLayer(
            table_name=table_name,
            key_attr=contract.TABLE_HASH_KEY,
            expiry_attr=contract.TTL_ATTRIBUTE,  # the table's TTL attribute removes expired records
            data_attr="response",
            boto3_client=client,
        )
        self.config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="fingerprint",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=RECORD_TTL_SECONDS,
            response_hook=_mark_replayed,
        )
        self._operation: Callable[[], Answer] | None = None

        @idempotent_function(
            data_keyword_argument="request", persistence_store=persistence, config=self.config, key_prefix=KEY_PREFIX
        )
        def run(request: dict) -> Answer:
            return self._operation()

        self._run = run

    def answer(self, key: str, request_fingerprint: str, operation: Callable[[], Answer], lambda_context) -> Answer:
        """The first answer for `key`, running `operation` only if there is none yet."""
        self.config.register_lambda_context(lambda_context)
        self._operation = operation
        try:
            return self._run(request={"key": key, "fingerprint": request_fingerprint})
        finally:
            self._operation = None
