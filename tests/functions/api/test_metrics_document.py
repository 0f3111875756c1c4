"""One EMF document per request: the per-door figures are a dimension set of the main metrics, not a second line."""

from __future__ import annotations

import json

import pytest

from functions.api import contract
from tests.support.api_client import Api
from tests.support.api_events import REGION, SHAPES


def documents(output: str) -> list[dict]:
    """The EMF documents a run printed, without Powertools' once-per-environment ColdStart document."""
    found = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    return [doc for doc in found if contract.METRIC_COLD_START not in doc]


def dimension_sets(document: dict) -> set[frozenset[str]]:
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    return {frozenset(names) for names in directive["Dimensions"]}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_request_writes_one_document_with_a_region_set_and_a_door_set(installed_runtime, capfd, shape):
    Api(shape).get(contract.DEFAULT_HEALTH_PATH)
    (document,) = documents(capfd.readouterr().out)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == contract.METRICS_NAMESPACE
    assert dimension_sets(document) == {frozenset(s) for s in contract.DIMENSION_SETS}
    names = {metric["Name"] for metric in directive["Metrics"]}
    assert names == {contract.METRIC_REQUESTS, contract.status_metric(200), contract.METRIC_LATENCY}
    assert names <= set(contract.REQUEST_METRICS)
    assert document[contract.DIMENSION_REGION] == REGION and document[contract.DIMENSION_FRONT_DOOR]
    assert document[contract.DIMENSION_SERVICE] == contract.SERVICE_NAME
    assert document[contract.METRIC_REQUESTS] == [1.0] and document[contract.METRIC_LATENCY][0] >= 0


def test_what_a_route_counts_shares_the_requests_document(installed_runtime, capfd):
    Api("http").get(f"{contract.ITEMS_PATH}/missing")  # a 404: Status4xx beside Requests, one document
    (document,) = documents(capfd.readouterr().out)
    assert document[contract.status_metric(404)] == [1.0] and document[contract.METRIC_REQUESTS] == [1.0]
    assert dimension_sets(document) == {frozenset(s) for s in contract.DIMENSION_SETS}


def test_each_request_has_its_own_door_set_never_the_last_ones_too(installed_runtime, capfd):
    api = Api("alb")
    for _ in range(3):
        api.get(contract.DEFAULT_HEALTH_PATH)
    found = documents(capfd.readouterr().out)
    assert len(found) == 3
    for document in found:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        assert len(directive["Dimensions"]) == len(contract.DIMENSION_SETS), directive["Dimensions"]
        assert document[contract.METRIC_REQUESTS] == [1.0]
