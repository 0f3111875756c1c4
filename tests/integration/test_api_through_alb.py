"""The API function, packaged as the program deploys it, behind an ALB in two regions of ministack.

Real HTTP through ministack's load balancer to the Lambda, one DynamoDB global table replicated from
us-east-1 to eu-west-1, and the chaos parameter failing one region while the other keeps serving.
"""

import json
import uuid

import pytest

from functions.api import contract
from tests.integration import deploy
from tests.integration.topology import CHAOS_PARAMETER, REGION_A, REGION_B

# One worker and one emulator for every ministack test (pytest -n 2 --dist loadgroup).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("ministack")]

JSON = {"content-type": "application/json"}
REPLICATION_TIMEOUT = 15.0
# The function caches the chaos parameter for this long; the margin covers slow ministack invocations.
CHAOS_TIMEOUT = contract.CHAOS_CACHE_SECONDS + 10.0


def new_id() -> str:
    return f"it-{uuid.uuid4().hex[:12]}"


def put_item(ministack, region, item_id: str, data, headers=None):
    return region.request(
        ministack, "PUT", f"/items/{item_id}", body=json.dumps(data), headers={**JSON, **(headers or {})}
    )


def test_health_answers_in_each_region(ministack, regions):
    for code, region in regions.items():
        response = region.request(ministack, "GET", contract.DEFAULT_HEALTH_PATH)
        assert response.status == 200, response.body
        assert response.json()["status"] == "ok"
        assert response.json()["region"] == code
        assert response.headers[contract.SERVED_BY_HEADER] == code


def test_write_in_home_region_is_read_from_replica_region(ministack, regions):
    item_id, data = new_id(), {"name": "widget", "tags": ["a", "b"], "count": 3}

    created = put_item(ministack, regions[REGION_A], item_id, data)

    assert created.status == 201, created.body
    assert created.headers[contract.SERVED_BY_HEADER] == REGION_A
    body = created.json()
    assert (body["id"], body["data"], body["region"]) == (item_id, data, REGION_A)

    def replicated():
        response = regions[REGION_B].request(ministack, "GET", f"/items/{item_id}")
        return response if response.status == 200 else None

    read = deploy.wait_until(replicated, timeout=REPLICATION_TIMEOUT, interval=0.2, what="replication to eu-west-1")
    assert read.headers[contract.SERVED_BY_HEADER] == REGION_B
    assert read.json()["data"] == data
    assert read.json()["version"] == body["version"]


def test_stale_if_match_is_rejected_with_412(ministack, regions):
    region, item_id = regions[REGION_A], new_id()
    first = put_item(ministack, region, item_id, {"step": 1})
    # The ETag of a write is what a client sends back as If-Match.
    second = put_item(ministack, region, item_id, {"step": 2}, headers={"If-Match": first.headers["etag"]})
    assert second.status == 200, second.body
    assert second.json()["version"] > first.json()["version"]

    stale = put_item(ministack, region, item_id, {"step": 3}, headers={"If-Match": first.headers["etag"]})

    assert stale.status == 412, stale.body
    assert stale.headers[contract.SERVED_BY_HEADER] == REGION_A
    current = region.request(ministack, "GET", f"/items/{item_id}")
    assert current.json()["data"] == {"step": 2}


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'], ids=["malformed", "array", "string"])
def test_bad_body_is_400_with_error(ministack, regions, body):
    response = regions[REGION_A].request(ministack, "PUT", f"/items/{new_id()}", body=body, headers=JSON)

    assert response.status == 400, response.body
    assert "error" in response.json()
    assert response.headers[contract.SERVED_BY_HEADER] == REGION_A


def test_chaos_down_fails_only_that_region(ministack, regions):
    def health(code):
        return regions[code].request(ministack, "GET", contract.DEFAULT_HEALTH_PATH)

    deploy.put_chaos(ministack, REGION_A, CHAOS_PARAMETER, json.dumps({"mode": "down"}))
    try:
        down = deploy.wait_until(
            lambda: (r := health(REGION_A)).status == 503 and r,
            timeout=CHAOS_TIMEOUT,
            interval=0.25,
            what="us-east-1 /health turning 503",
        )
        assert down.headers[contract.SERVED_BY_HEADER] == REGION_A
        assert regions[REGION_A].request(ministack, "GET", f"/items/{new_id()}").status == 503
        assert health(REGION_B).status == 200
    finally:
        deploy.put_chaos(ministack, REGION_A, CHAOS_PARAMETER)
    deploy.wait_until(
        lambda: health(REGION_A).status == 200,
        timeout=CHAOS_TIMEOUT,
        interval=0.25,
        what="us-east-1 recovering after chaos",
    )


WRITES_BEFORE_FAILOVER = 20


def test_acknowledged_writes_survive_failing_a_region_over(ministack, regions):
    """N writes acknowledged by us-east-1, then us-east-1 goes down: eu-west-1 serves every one of them."""
    region_a, region_b = regions[REGION_A], regions[REGION_B]
    acknowledged = {}
    for number in range(WRITES_BEFORE_FAILOVER):
        item_id = new_id()
        response = put_item(ministack, region_a, item_id, {"n": number}, headers={"Idempotency-Key": f'"{item_id}"'})
        assert response.status == 201, response.body
        acknowledged[item_id] = response.json()

    deploy.put_chaos(ministack, REGION_A, CHAOS_PARAMETER, json.dumps({"mode": "down"}))
    try:
        deploy.wait_until(
            lambda: region_a.request(ministack, "GET", contract.DEFAULT_HEALTH_PATH).status == 503,
            timeout=CHAOS_TIMEOUT,
            interval=0.25,
            what="us-east-1 going down",
        )

        def all_replicated():
            found = {item_id: region_b.request(ministack, "GET", f"/items/{item_id}") for item_id in acknowledged}
            return found if all(r.status == 200 for r in found.values()) else None

        found = deploy.wait_until(
            all_replicated,
            timeout=REPLICATION_TIMEOUT,
            interval=0.5,
            what="every acknowledged write readable in eu-west-1",
        )
        for item_id, first in acknowledged.items():
            body = found[item_id].json()
            assert (body["data"], body["version"], body["region"]) == (first["data"], first["version"], REGION_A)
            assert found[item_id].headers[contract.SERVED_BY_HEADER] == REGION_B
        # A client retrying one of them after failover gets the first answer back, not a second write.
        item_id = next(iter(acknowledged))
        retry = put_item(
            ministack, region_b, item_id, acknowledged[item_id]["data"], headers={"Idempotency-Key": f'"{item_id}"'}
        )
        assert retry.status == 201 and retry.json() == acknowledged[item_id]
        assert retry.headers.get("idempotent-replayed") == "true"
    finally:
        deploy.put_chaos(ministack, REGION_A, CHAOS_PARAMETER)
