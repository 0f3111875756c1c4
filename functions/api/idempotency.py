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
from typing import TYPE_CHECKING, Any

from . import contract
from .items import bad_request

if TYPE_CHECKING:  # Powertools' idempotency is imported at run time only on the first request with a key
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
KEY_PREFIX = "idempotency"
RECORD_TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255

Answer = dict  # {"status": int, "body": dict | None, "headers": {name: value}}


class KeyReused(Exception):
    """The key was first used for another request (method, item, body or If-Match)."""


class InProgress(Exception):
    """The first request with this key has not finished."""


class RecordUnavailable(Exception):
    """The idempotency record could not be read or written: the outcome is unknown."""


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


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:  # Powertools' IdempotentHookFunction
    if isinstance(response, dict):
        response = {**response, "headers": {**response.get("headers", {}), REPLAYED_HEADER: "true"}}
    return response


class IdempotentWrites:
    """Built once per container; Powertools' idempotency machinery is imported and set up on the first
    request that carries a key, so requests without one (and cold starts) never pay for it."""

    def __init__(self, client, table_name: str) -> None:
        self._client = client
        self._table_name = table_name
        self._run: Callable[..., Answer] | None = None
        self.config: IdempotencyConfig | None = None
        self._operation: Callable[[], Answer] | None = None

    def _build(self) -> tuple[Callable[..., Answer], IdempotencyConfig]:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        persistence = DynamoDBPersistenceLayer(
            table_name=self._table_name,
            key_attr=contract.TABLE_HASH_KEY,
            expiry_attr=contract.TTL_ATTRIBUTE,  # the table's TTL attribute removes expired records
            data_attr="response",
            boto3_client=self._client,
        )
        config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="fingerprint",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=RECORD_TTL_SECONDS,
            response_hook=_mark_replayed,
        )

        @idempotent_function(
            data_keyword_argument="request", persistence_store=persistence, config=config, key_prefix=KEY_PREFIX
        )
        def run(request: dict) -> Answer:
            operation = self._operation
            if operation is None:  # set by answer() around the call; nothing else calls run
                raise RuntimeError("the idempotent write ran outside IdempotentWrites.answer")
            return operation()

        return run, config

    def answer(self, key: str, request_fingerprint: str, operation: Callable[[], Answer], lambda_context) -> Answer:
        """The first answer for `key`, running `operation` only if there is none yet.

        Raises KeyReused (422), InProgress (409) or RecordUnavailable (503); what `operation` raises
        (StoreUnavailable) passes through after Powertools has deleted the in-progress record.
        """
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            BaseError,
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        run, config = self._run, self.config
        if run is None or config is None:
            run, config = self._run, self.config = self._build()
        config.register_lambda_context(lambda_context)
        self._operation = operation
        try:
            return run(request={"key": key, "fingerprint": request_fingerprint})
        except IdempotencyValidationError:
            raise KeyReused() from None
        except IdempotencyAlreadyInProgressError:
            raise InProgress() from None
        except BaseError as error:
            raise RecordUnavailable(type(error).__name__) from None
        finally:
            self._operation = None
