"""A write DynamoDB applied but whose reply was lost is answered as the write it was.

The reply is dropped inside botocore's send loop (tests/support/faults.py): the SDK's standard retry
resends the write, which the store recognises by its token instead of applying it twice or
answering 412/404 for it.
"""

from __future__ import annotations

import boto3
import pytest

from functions.api import runtime
from functions.api.store import CLIENT_CONFIG
from tests.support.api_client import Api
from tests.support.api_events import REGION
from tests.support.faults import lose_replies

SHAPES = ("alb", "http")
LOSE_FIRST = [True]


def version_stored(aws, item_id):
    item = aws.stored(item_id)
    return None if item is None else int(item["version"]["N"])


@pytest.fixture
def dynamodb(aws):
    """The function's own DynamoDB client (its retry policy, CLIENT_CONFIG), installed in its runtime."""
    client = boto3.client("dynamodb", region_name=REGION, config=CLIENT_CONFIG)
    runtime.use_runtime(runtime.build_runtime(dynamodb_client=client, ssm_client=aws.ssm))
    return client


def test_the_sdk_retries_a_lost_reply():
    assert CLIENT_CONFIG.retries["mode"] == "standard" and CLIENT_CONFIG.retries["total_max_attempts"] >= 2


@pytest.mark.parametrize("shape", SHAPES)
class TestOneLostReply:
    def test_create_answers_201_and_writes_once(self, dynamodb, aws, shape):
        with lose_replies(dynamodb, "UpdateItem", LOSE_FIRST) as fault:
            response = Api(shape).put("/items/a", {"v": 1})
        assert fault.lost == 1 and fault.attempts == 2
        assert response.status == 201 and response.body["version"] == 1 and response.body["data"] == {"v": 1}
        assert version_stored(aws, "a") == 1

    def test_conditional_update_answers_200_not_412(self, dynamodb, aws, shape):
        api = Api(shape)
        api.put("/items/a", {"v": 1})
        with lose_replies(dynamodb, "UpdateItem", LOSE_FIRST):
            response = api.put("/items/a", {"v": 2}, headers={"if-match": '"1"'})
        assert response.status == 200 and response.body["version"] == 2
        assert version_stored(aws, "a") == 2

    def test_replace_is_applied_once(self, dynamodb, aws, shape):
        api = Api(shape)
        api.put("/items/a", {"v": 1})
        with lose_replies(dynamodb, "UpdateItem", LOSE_FIRST):
            response = api.put("/items/a", {"v": 2})
        assert response.status == 200 and response.body["version"] == 2
        assert version_stored(aws, "a") == 2

    def test_delete_answers_204_not_404(self, dynamodb, aws, shape):
        api = Api(shape)
        api.put("/items/a", {"v": 1})
        with lose_replies(dynamodb, "UpdateItem", LOSE_FIRST):
            response = api.delete("/items/a")
        assert response.status == 204
        assert api.get("/items/a").status == 404 and version_stored(aws, "a") == 2

    def test_conditional_delete_answers_204_not_412(self, dynamodb, aws, shape):
        api = Api(shape)
        api.put("/items/a", {"v": 1})
        with lose_replies(dynamodb, "UpdateItem", LOSE_FIRST):
            response = api.delete("/items/a", headers={"if-match": "1"})
        assert response.status == 204 and version_stored(aws, "a") == 2

    def test_recreate_over_a_tombstone_answers_201(self, dynamodb, aws, shape):
        api = Api(shape)
        api.put("/items/a", {"v": 1})
        api.delete("/items/a")
        with lose_replies(dynamodb, "UpdateItem", LOSE_FIRST):
            response = api.put("/items/a", {"v": 3})
        assert response.status == 201 and response.body["version"] == 3


@pytest.mark.parametrize("shape", SHAPES)
def test_unknown_outcome_is_503_and_a_keyed_retry_finds_the_applied_write(dynamodb, aws, shape):
    api = Api(shape)
    api.put("/items/a", {"v": 1})
    headers = {"if-match": "1", "idempotency-key": '"retry-1"'}
    with lose_replies(dynamodb, "UpdateItem", [True, True]):  # the whole retry budget
        first = api.put("/items/a", {"v": 2}, headers=headers)
    assert first.status == 503 and first.headers["retry-after"] == "1"
    assert version_stored(aws, "a") == 2  # it was applied: the 503 said the outcome was unknown
    retry = api.put("/items/a", {"v": 2}, headers=headers)
    assert retry.status == 200 and retry.body["version"] == 2  # not a 412 for its own write
    assert version_stored(aws, "a") == 2
