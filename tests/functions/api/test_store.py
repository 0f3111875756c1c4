"""Table failures: bounded client settings, and every kind of failure becomes a 503, never a 500."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

from functions.api import runtime
from functions.api.store import CLIENT_CONFIG, ItemStore, StoreUnavailable
from tests.support.api_client import Api
from tests.support.api_events import SHAPES

FAILURES = [
    ConnectTimeoutError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com"),
    ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com"),
    EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com"),
    ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "UpdateItem"),
    ClientError({"Error": {"Code": "InternalServerError"}}, "GetItem"),
]


class FailingDynamoDB:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls: list[str] = []

    def _fail(self, operation: str):
        self.calls.append(operation)
        raise self.error

    def get_item(self, **_):
        self._fail("GetItem")

    def update_item(self, **_):
        self._fail("UpdateItem")


def test_client_gives_up_quickly():
    assert CLIENT_CONFIG.connect_timeout <= 2
    assert CLIENT_CONFIG.read_timeout <= 3
    assert CLIENT_CONFIG.retries["total_max_attempts"] <= 3


@pytest.mark.parametrize("error", FAILURES, ids=lambda e: type(e).__name__)
def test_every_store_operation_reports_unavailable(error):
    store = ItemStore(FailingDynamoDB(error), "items")
    for operation in (
        store.probe,
        lambda: store.get("a"),
        lambda: store.put("a", "{}", "eu-west-1", "2026-01-01T00:00:00.000Z", None, "token"),
        lambda: store.delete("a", "eu-west-1", "2026-01-01T00:00:00.000Z", 0, None, "token"),
    ):
        with pytest.raises(StoreUnavailable):
            operation()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("error", FAILURES, ids=lambda e: type(e).__name__)
def test_routes_answer_503_and_acknowledge_nothing(aws, shape, error):
    dynamodb = FailingDynamoDB(error)
    runtime.use_runtime(runtime.build_runtime(dynamodb_client=dynamodb, ssm_client=aws.ssm))
    api = Api(shape)

    health = api.get("/health")
    assert health.status == 503
    assert health.body["status"] == "unavailable"
    for response in (api.put("/items/a", {"v": 1}), api.get("/items/a"), api.delete("/items/a")):
        assert response.status == 503 and response.headers["retry-after"] == "1"
        assert "did not answer" in response.error
    assert aws.stored("a") is None
    assert dynamodb.calls == ["GetItem", "UpdateItem", "GetItem", "UpdateItem"]
