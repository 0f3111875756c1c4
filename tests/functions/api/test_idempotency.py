"""Idempotency-Key (IETF httpapi draft): replays, reuse, concurrency, expiry, and a retry in another region."""

from __future__ import annotations

import json

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from functions.api import contract, idempotency, runtime
from tests.functions.api.conftest import FUNCTION_ENVIRONMENT, TABLE_NAME
from tests.support.api_client import Api
from tests.support.api_events import REGION

SHAPES = ("alb", "http")


def key(value: str) -> dict[str, str]:
    return {"idempotency-key": f'"{value}"'}


def records(client) -> list[dict]:
    items = client.scan(TableName=TABLE_NAME)["Items"]
    return [i for i in items if i[contract.TABLE_HASH_KEY]["S"].startswith(f"{idempotency.KEY_PREFIX}#")]


def version_stored(aws, item_id):
    return int(aws.stored(item_id)["version"]["N"])


@pytest.mark.parametrize("shape", SHAPES)
class TestReplay:
    def test_same_key_same_request_gets_the_first_answer(self, installed_runtime, aws, shape):
        api = Api(shape)
        first = api.put("/items/a", {"v": 1}, headers=key("k1"))
        again = api.put("/items/a", {"v": 1}, headers=key("k1"))
        assert first.status == again.status == 201
        assert again.body == first.body and again.headers["etag"] == first.headers["etag"]
        assert again.headers[idempotency.REPLAYED_HEADER] == "true"
        assert idempotency.REPLAYED_HEADER not in first.headers
        assert version_stored(aws, "a") == 1  # written once

    def test_a_delete_replays_its_204_and_writes_once(self, installed_runtime, aws, shape):
        api = Api(shape)
        api.put("/items/a", {"v": 1})
        assert api.delete("/items/a", headers=key("d1")).status == 204
        assert api.delete("/items/a", headers=key("d1")).status == 204
        assert api.delete("/items/a").status == 404 and version_stored(aws, "a") == 2

    def test_a_definitive_refusal_replays_too(self, installed_runtime, aws, shape):
        api = Api(shape)
        api.put("/items/a", {"v": 1})
        headers = {**key("stale"), "if-match": "7"}
        assert api.put("/items/a", {"v": 2}, headers=headers).status == 412
        assert api.put("/items/a", {"v": 2}, headers=headers).status == 412


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "change", [{"data": {"v": 2}}, {"headers": {"if-match": "1"}}, {"path": "/items/b"}, {"method": "DELETE"}]
)
def test_the_same_key_with_another_request_is_422_and_writes_nothing(installed_runtime, aws, shape, change):
    api = Api(shape)
    assert api.put("/items/a", {"v": 1}, headers=key("k")).status == 201
    method, path = change.get("method", "PUT"), change.get("path", "/items/a")
    body = None if method == "DELETE" else json.dumps(change.get("data", {"v": 1}))
    response = api.request(method, path, body, {**key("k"), **change.get("headers", {})})
    assert response.status == 422 and "Idempotency-Key" in response.error
    assert version_stored(aws, "a") == 1 and aws.stored("b") is None


@pytest.mark.parametrize("shape", SHAPES)
def test_a_duplicate_while_the_first_is_in_progress_is_409(installed_runtime, aws, shape):
    # Another container has started the request with this key and not finished it.
    data = {"v": 1}
    other = DynamoDBPersistenceLayer(
        table_name=TABLE_NAME,
        key_attr=contract.TABLE_HASH_KEY,
        expiry_attr=contract.TTL_ATTRIBUTE,
        data_attr="response",
        boto3_client=aws.dynamodb,
    )
    Api(shape).put("/items/warm", {"v": 0}, headers=key("warm-up"))  # the container's first keyed request sets it up
    other.configure(installed_runtime.writes.config, key_prefix=idempotency.KEY_PREFIX)
    other.save_inprogress(
        data={"key": "busy", "fingerprint": idempotency.fingerprint("PUT", "a", data, None)},
        remaining_time_in_millis=5000,
    )
    response = Api(shape).put("/items/a", data, headers=key("busy"))
    assert response.status == 409 and response.headers["retry-after"] == "1"
    assert aws.stored("a") is None


@pytest.mark.parametrize("shape", SHAPES)
def test_after_expiry_the_key_runs_again(installed_runtime, aws, shape):
    api = Api(shape)
    api.put("/items/a", {"v": 1}, headers=key("old"))
    (record,) = records(aws.dynamodb)
    assert (
        int(record[contract.TTL_ATTRIBUTE]["N"]) - int(record["in_progress_expiration"]["N"]) // 1000
        >= idempotency.RECORD_TTL_SECONDS - 60
    )  # kept for at least a day
    _expire(aws)
    again = api.put("/items/a", {"v": 1}, headers=key("old"))
    assert idempotency.REPLAYED_HEADER not in again.headers  # the record is gone: the request ran again
    # ...and the store still recognised its own write (the item carries the key's write token).
    assert again.status == 201 and version_stored(aws, "a") == 1
    api.put("/items/a", {"v": 2})
    _expire(aws)
    assert api.put("/items/a", {"v": 1}, headers=key("old")).status == 200 and version_stored(aws, "a") == 3


def _expire(aws):
    for record in records(aws.dynamodb):
        aws.dynamodb.update_item(
            TableName=TABLE_NAME,
            Key={contract.TABLE_HASH_KEY: record[contract.TABLE_HASH_KEY]},
            UpdateExpression="SET #e = :past",
            ExpressionAttributeNames={"#e": contract.TTL_ATTRIBUTE},
            ExpressionAttributeValues={":past": {"N": "1"}},
        )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("value", ["", " ", "x" * 256, "caf\u00e9", "tab\there", '""'])
def test_a_malformed_key_is_400(installed_runtime, aws, shape, value):
    response = Api(shape).put("/items/a", {"v": 1}, headers={"idempotency-key": value})
    assert response.status == 400 and "Idempotency-Key" in response.error
    assert aws.stored("a") is None


def test_bare_and_quoted_keys_are_one_key(installed_runtime, aws):
    api = Api("http")
    api.put("/items/a", {"v": 1}, headers={"idempotency-key": "same"})
    replay = api.put("/items/a", {"v": 1}, headers={"idempotency-key": '"same"'})
    assert replay.headers[idempotency.REPLAYED_HEADER] == "true"


OTHER_REGION = "us-east-1"


def test_a_retry_in_another_region_gets_the_first_answer_once_replicated(installed_runtime, aws, moto_account):
    """The records live in the global table: failing over to another region keeps the answer."""
    other = boto3.client("dynamodb", region_name=OTHER_REGION)
    other.create_table(
        TableName=TABLE_NAME,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": contract.TABLE_HASH_KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": contract.TABLE_HASH_KEY, "KeyType": "HASH"}],
    )
    try:
        first = Api("alb").put("/items/a", {"v": 1}, headers=key("failover"))
        for item in aws.dynamodb.scan(TableName=TABLE_NAME)["Items"]:  # what global table replication does
            other.put_item(TableName=TABLE_NAME, Item=item)
        runtime.use_runtime(
            runtime.build_runtime(
                {**FUNCTION_ENVIRONMENT, contract.ENV_REGION: OTHER_REGION}, dynamodb_client=other, ssm_client=aws.ssm
            )
        )
        replay = Api("http", region=OTHER_REGION).put("/items/a", {"v": 1}, headers=key("failover"))
        assert replay.status == 201 and replay.body == first.body and replay.body["region"] == REGION
        assert replay.headers[idempotency.REPLAYED_HEADER] == "true"
        assert int(other.get_item(TableName=TABLE_NAME, Key={"id": {"S": "a"}})["Item"]["version"]["N"]) == 1
    finally:
        other.delete_table(TableName=TABLE_NAME)
