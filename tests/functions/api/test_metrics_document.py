"""One EMF document per request: the per-door figures are a dimension set of the main metrics, not a second line."""

from __future__ import annotations

import json

import pytest

from functions.api import contract, runtime
from functions.edge import contract as edge_contract
from tests.support.api_client import Api
from tests.support.api_events import REGION, SHAPES


def documents(output: str) -> list[dict]:
    """The EMF documents a run printed, without Powertools' once-per-environment ColdStart document."""
    found = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    return [doc for doc in found if contract.METRIC_COLD_START not in doc]


def dimension_sets(document: dict) -> set[frozenset[str]]:
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    return {frozenset(names) for names in directive["Dimensions"]}


@pytest.fixture
def cloudfront_stack(aws, monkeypatch):
    monkeypatch.setenv(contract.ENV_DOORS, "cloudfront")
    runtime.use_runtime(runtime.build_runtime(dynamodb_client=aws.dynamodb, ssm_client=aws.ssm))


@pytest.mark.parametrize("shape", SHAPES)
def test_a_request_writes_one_document_with_a_region_set_and_a_door_set(cloudfront_stack, capfd, shape):
    Api(shape).get("/health", headers={edge_contract.ROUTED_REGION_HEADER: REGION})
    (document,) = documents(capfd.readouterr().out)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == contract.METRICS_NAMESPACE
    assert dimension_sets(document) == {frozenset(s) for s in contract.DIMENSION_SETS}
    names = {metric["Name"] for metric in directive["Metrics"]}
    assert names == {contract.METRIC_REQUESTS, contract.status_metric(200), contract.METRIC_LATENCY}
    assert names <= set(contract.REQUEST_METRICS)
    assert (document[contract.DIMENSION_FRONT_DOOR], document[contract.DIMENSION_REGION]) == ("cloudfront", REGION)
    assert document[contract.DIMENSION_SERVICE] == contract.SERVICE_NAME
    assert document[contract.METRIC_REQUESTS] == [1.0] and document[contract.METRIC_LATENCY][0] >= 0


def test_what_a_route_counts_shares_the_requests_document(cloudfront_stack, capfd):
    Api("http").get(f"{contract.ITEMS_PATH}/missing")  # a 404: Status4xx beside Requests, one document
    (document,) = documents(capfd.readouterr().out)
    assert document[contract.status_metric(404)] == [1.0] and document[contract.METRIC_REQUESTS] == [1.0]
    assert dimension_sets(document) == {frozenset(s) for s in contract.DIMENSION_SETS}


def test_consecutive_requests_keep_their_doors_apart(cloudfront_stack, capfd):
    api = Api("alb")
    api.get("/health", headers={edge_contract.ROUTED_REGION_HEADER: REGION})
    api.get("/health")
    first, second = documents(capfd.readouterr().out)
    assert (first[contract.DIMENSION_FRONT_DOOR], second[contract.DIMENSION_FRONT_DOOR]) == (
        "cloudfront",
        contract.DIRECT_DOOR,
    )
    assert dimension_sets(second) == {frozenset(s) for s in contract.DIMENSION_SETS}
