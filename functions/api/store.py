"""DynamoDB access for items: versioned, conditional writes on the region's table replica.

Item layout (hash key from the contract):
    id              S     the item id
    version         N     increases by one on every write of the item, deletes included
    data            S     the client's JSON object, serialized (absent on tombstones)
    region          S     region that performed the last write
    updatedAt       S     ISO 8601 UTC time of the last write
    deleted         BOOL  present on tombstones only
    expiresAt       N     TTL (epoch seconds), tombstones only
    writeToken      S     the request that performed the last write
    prevVersion     N     the version the last write replaced (0: there was no item)
    deletedVersion  N     the version of the last tombstone (a write over it re-creates the item)

Retries: the SDK resends a write whose reply it lost (a read timeout after DynamoDB applied it).
Every write carries its request's token and is conditional on the item not already carrying that
token, so a resent write is refused instead of applied twice, and the refusal (with the item's old
image, ReturnValuesOnConditionCheckFailure=ALL_OLD) shows the write was ours: the answer is the
applied write's, never a 412 or 404 for a write that happened. Whether a PUT created the item is
read from the item itself (prevVersion, deletedVersion), so a resent create still answers 201.

Every write is one UpdateItem that increments the stored version, so writes to one item inside a
region are serialized by DynamoDB and no two acknowledged writes ever get the same version; with
an expected version, the update is conditional on it. A delete leaves a tombstone so a re-created
item continues the version sequence (an old If-Match can never match it). Across regions the
global table is last-writer-wins: concurrent writes in two regions can both be acknowledged with
the same version and one of them is then replaced during replication.
"""

from __future__ import annotations

from typing import NamedTuple

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from . import contract

# Short timeouts and few retries: a slow table must turn into a quick 503 that the front doors can
# act on, not a request hanging until the Lambda timeout.
CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 2, "mode": "standard"})

# '#' is outside contract.ID_PATTERN, so the health probe can never read a client's item.
HEALTH_PROBE_KEY = "#health-probe"

ANY_VERSION = "*"

_NAMES = {
    "#id": contract.TABLE_HASH_KEY,
    "#version": "version",
    "#data": "data",
    "#region": "region",
    "#updatedAt": "updatedAt",
    "#deleted": "deleted",
    "#expiresAt": contract.TTL_ATTRIBUTE,
    "#token": "writeToken",
    "#prev": "prevVersion",
    "#deletedVersion": "deletedVersion",
}
_LIVE = "attribute_exists(#id) AND attribute_not_exists(#deleted)"
_NOT_YET_APPLIED = "(attribute_not_exists(#token) OR #token <> :token)"


class StoreUnavailable(Exception):
    """The table did not answer (timeout, throttling, missing table, denied...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PreconditionFailed(Exception):
    """The expected version did not match, or there was no live item to match it."""


class ItemNotFound(Exception):
    pass


class StoredItem(NamedTuple):  # immutable; cheaper than a dataclass to define (cold start) and to build
    id: str
    data_json: str
    version: int
    region: str
    updated_at: str


class ItemStore:
    def __init__(self, client, table_name: str) -> None:
        self._client = client
        self._table_name = table_name

    def probe(self) -> None:
        """One cheap read; raises StoreUnavailable when the table does not answer."""
        self._call(
            "get_item",
            Key=self._key(HEALTH_PROBE_KEY),
            ProjectionExpression="#id",
            ExpressionAttributeNames={"#id": contract.TABLE_HASH_KEY},
        )

    def get(self, item_id: str) -> StoredItem:
        response = self._call("get_item", Key=self._key(item_id), ConsistentRead=True)
        attributes = response.get("Item")
        if not attributes or "deleted" in attributes:
            raise ItemNotFound(item_id)
        return _stored_item(attributes)

    def put(
        self, item_id: str, data_json: str, region: str, updated_at: str, expected: int | str | None, token: str
    ) -> tuple[StoredItem, bool]:
        """Creates or replaces the item; returns it and whether it was created (no live item before)."""
        request = {
            "Key": self._key(item_id),
            "UpdateExpression": (
                "SET #data = :data, #version = if_not_exists(#version, :zero) + :one,"
                " #prev = if_not_exists(#version, :zero), #region = :region, #updatedAt = :updatedAt,"
                " #token = :token REMOVE #deleted, #expiresAt"
            ),
            "ExpressionAttributeNames": dict(_NAMES),
            "ExpressionAttributeValues": {
                ":data": {"S": data_json},
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
                ":region": {"S": region},
                ":updatedAt": {"S": updated_at},
            },
        }
        item = self._write_once(request, expected, token)
        return _stored_item(item), _created(item)

    def delete(
        self, item_id: str, region: str, updated_at: str, expires_at: int, expected: int | str | None, token: str
    ) -> None:
        """Replaces the live item by a tombstone; ItemNotFound when there is none (and no expectation)."""
        request = {
            "Key": self._key(item_id),
            "UpdateExpression": (
                "SET #deleted = :true, #version = #version + :one, #deletedVersion = #version + :one,"
                " #region = :region, #updatedAt = :updatedAt, #expiresAt = :expiresAt, #token = :token REMOVE #data"
            ),
            "ExpressionAttributeNames": dict(_NAMES),
            "ExpressionAttributeValues": {
                ":true": {"BOOL": True},
                ":one": {"N": "1"},
                ":region": {"S": region},
                ":updatedAt": {"S": updated_at},
                ":expiresAt": {"N": str(expires_at)},
            },
        }
        try:
            self._write_once(request, expected, token, live=True)
        except PreconditionFailed:
            if expected is None:
                raise ItemNotFound(item_id) from None
            raise

    def _write_once(self, request: dict, expected: int | str | None, token: str, live: bool = False) -> dict:
        """Applies the update once per token; returns the item as this token's write left it."""
        conditions = [_NOT_YET_APPLIED]
        if live or expected is not None:
            conditions.append(_LIVE)
        if expected not in (None, ANY_VERSION):
            conditions.append("#version = :expected")
            request["ExpressionAttributeValues"][":expected"] = {"N": str(expected)}
        request["ExpressionAttributeValues"][":token"] = {"S": token}
        request["ConditionExpression"] = " AND ".join(conditions)
        request["ReturnValues"] = "ALL_NEW"
        request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        request = _prune_unused_names(request)
        try:
            return self._client.update_item(TableName=self._table_name, **request)["Attributes"]
        except ClientError as error:
            if _error_code(error) != "ConditionalCheckFailedException":
                raise StoreUnavailable(f"UpdateItem failed: {_error_code(error)}") from None
            current = error.response.get("Item")
            if current is None:  # not every DynamoDB implementation returns the old image
                current = self._call("get_item", Key=request["Key"], ConsistentRead=True).get("Item") or {}
            if current.get("writeToken", {}).get("S") == token:
                return current  # an earlier attempt of this very write was applied
            raise PreconditionFailed() from None
        except BotoCoreError as error:
            raise StoreUnavailable(f"UpdateItem failed: {type(error).__name__}") from None

    def _call(self, operation: str, **request) -> dict:
        try:
            return getattr(self._client, operation)(TableName=self._table_name, **request)
        except ClientError as error:
            raise StoreUnavailable(f"{_operation_name(operation)} failed: {_error_code(error)}") from None
        except BotoCoreError as error:
            raise StoreUnavailable(f"{_operation_name(operation)} failed: {type(error).__name__}") from None

    @staticmethod
    def _key(item_id: str) -> dict:
        return {contract.TABLE_HASH_KEY: {contract.TABLE_HASH_KEY_TYPE: item_id}}


def _prune_unused_names(request: dict) -> dict:
    # DynamoDB rejects ExpressionAttributeNames that no expression uses.
    expressions = " ".join(request.get(key, "") for key in ("UpdateExpression", "ConditionExpression"))
    names = {alias: name for alias, name in request["ExpressionAttributeNames"].items() if alias in expressions}
    return {**request, "ExpressionAttributeNames": names}


def _stored_item(attributes: dict) -> StoredItem:
    try:
        return StoredItem(
            id=attributes[contract.TABLE_HASH_KEY][contract.TABLE_HASH_KEY_TYPE],
            data_json=attributes["data"]["S"],
            version=int(attributes["version"]["N"]),
            region=attributes["region"]["S"],
            updated_at=attributes["updatedAt"]["S"],
        )
    except (KeyError, TypeError, ValueError):
        # Only this function writes items; anything else in the table is not ours to serve.
        raise StoreUnavailable("stored item has an unexpected shape") from None


def _number(attributes: dict, name: str) -> int:
    if name not in attributes:
        return 0
    try:
        return int(attributes[name]["N"])
    except (KeyError, TypeError, ValueError):
        raise StoreUnavailable("stored item has an unexpected shape") from None


def _created(item: dict) -> bool:
    """Whether the write that left `item` found no live item: nothing before it, or a tombstone."""
    previous = _number(item, "prevVersion")
    return previous == 0 or previous == _number(item, "deletedVersion")


def _error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "Unknown")


def _operation_name(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))
