"""The HTTP contract, through the real handler, for ALB, ALB multi-value and HTTP API events.

The `api` fixture also checks on every response: x-served-by-region is present, and any 4xx/5xx
body is `{"error": "..."}`.
"""

from __future__ import annotations

import json
import re

import pytest

from functions.api import contract, runtime
from functions.api.handler import UnsupportedEvent, handler
from tests.support.api_client import Api
from tests.support.api_events import REGION, LambdaContext, build_event, http_api_event

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class TestHealth:
    def test_ok_when_the_table_answers(self, api):
        response = api.get(contract.DEFAULT_HEALTH_PATH)
        assert response.status == 200
        assert response.body == {"status": "ok", "region": REGION}

    def test_503_when_the_table_is_gone_without_aws_internals(self, api, aws):
        aws.delete_table()
        response = api.get(contract.DEFAULT_HEALTH_PATH)
        assert response.status == 503
        assert response.body["status"] == "unavailable"
        assert response.body["region"] == REGION
        assert response.error == "this region's table does not answer"  # the AWS error code goes to the logs
        assert response.headers["retry-after"] == "1"

    def test_path_comes_from_the_environment(self, aws, monkeypatch):
        monkeypatch.setenv(contract.ENV_HEALTH_PATH, "/healthz")
        runtime.reset_runtime()
        api = Api("alb")
        assert api.get("/healthz").status == 200
        assert api.get("/health").status == 404

    def test_wrong_method_is_405(self, api):
        response = api.request("POST", contract.DEFAULT_HEALTH_PATH)
        assert response.status == 405
        assert response.headers["allow"] == "GET"


class TestPutAndGet:
    def test_create_is_201_with_the_full_representation(self, api):
        response = api.put("/items/order-1", {"qty": 2, "tags": ["a"]})
        assert response.status == 201
        body = response.body
        assert body["id"] == "order-1"
        assert body["data"] == {"qty": 2, "tags": ["a"]}
        assert body["version"] == 1
        assert body["region"] == REGION
        assert ISO_UTC.match(body["updatedAt"])
        assert response.headers["etag"] == '"1"'

    def test_replace_is_200_and_increments_the_version(self, api):
        api.put("/items/order-1", {"qty": 2})
        response = api.put("/items/order-1", {"qty": 3})
        assert response.status == 200
        assert response.body["version"] == 2
        assert response.body["data"] == {"qty": 3}

    def test_get_returns_what_was_stored(self, api):
        api.put("/items/k", {"nested": {"x": [1, 2.5, None, True, "é"]}})
        response = api.get("/items/k")
        assert response.status == 200
        assert response.body["data"] == {"nested": {"x": [1, 2.5, None, True, "é"]}}
        assert response.body["version"] == 1
        assert response.headers["etag"] == '"1"'

    def test_get_unknown_item_is_404(self, api):
        assert api.get("/items/never-written").status == 404

    def test_base64_encoded_body_is_decoded(self, api):
        response = api.put("/items/b64", body='{"binary": false}', base64_encoded=True)
        assert response.status == 201
        assert response.body["data"] == {"binary": False}

    def test_percent_encoded_id_is_decoded(self, api):
        assert api.put("/items/%41bc", {"v": 1}).status == 201
        assert api.get("/items/Abc").body["id"] == "Abc"

    def test_longest_allowed_id(self, api):
        assert api.put("/items/" + "a" * contract.MAX_ID_LENGTH, {}).status == 201

    def test_http_api_on_a_named_stage(self, installed_runtime):
        event = http_api_event("PUT", "/items/staged", json.dumps({"v": 1}), stage="prod")
        assert handler(event, LambdaContext())["statusCode"] == 201


class TestConditionalWrites:
    def test_matching_if_match_replaces_and_increments(self, api):
        api.put("/items/doc", {"v": 1})
        response = api.put("/items/doc", {"v": 2}, headers={"if-match": "1"})
        assert response.status == 200
        assert response.body["version"] == 2

    def test_quoted_etag_form_is_accepted(self, api):
        api.put("/items/doc", {"v": 1})
        assert api.put("/items/doc", {"v": 2}, headers={"if-match": '"1"'}).status == 200

    def test_stale_if_match_is_412_and_nothing_changes(self, api):
        api.put("/items/doc", {"v": 1})
        api.put("/items/doc", {"v": 2})
        response = api.put("/items/doc", {"v": "lost"}, headers={"if-match": "1"})
        assert response.status == 412
        assert api.get("/items/doc").body["data"] == {"v": 2}

    def test_two_writers_with_the_same_version_only_one_wins(self, api):
        api.put("/items/doc", {"v": 1})
        first = api.put("/items/doc", {"writer": "a"}, headers={"If-Match": "1"})
        second = api.put("/items/doc", {"writer": "b"}, headers={"If-Match": "1"})
        assert (first.status, second.status) == (200, 412)
        assert api.get("/items/doc").body == first.body

    def test_if_match_on_a_missing_item_is_412(self, api):
        assert api.put("/items/ghost", {"v": 1}, headers={"if-match": "1"}).status == 412
        assert api.get("/items/ghost").status == 404

    def test_if_match_star_requires_an_existing_item(self, api):
        assert api.put("/items/doc", {"v": 1}, headers={"if-match": "*"}).status == 412
        api.put("/items/doc", {"v": 1})
        assert api.put("/items/doc", {"v": 2}, headers={"if-match": "*"}).status == 200

    @pytest.mark.parametrize("value", ["abc", "", "1.0", "-1", 'W/"1"', "1, 2", "١"])
    def test_malformed_if_match_is_400(self, api, value):
        api.put("/items/doc", {"v": 1})
        assert api.put("/items/doc", {"v": 2}, headers={"if-match": value}).status == 400

    def test_versions_continue_after_delete_so_old_versions_never_match(self, api):
        api.put("/items/doc", {"v": 1})
        assert api.delete("/items/doc").status == 204
        recreated = api.put("/items/doc", {"v": "new"})
        assert recreated.status == 201
        assert recreated.body["version"] == 3
        assert api.put("/items/doc", {"v": "stale"}, headers={"if-match": "1"}).status == 412


class TestDelete:
    def test_delete_is_204_then_404(self, api):
        api.put("/items/doc", {"v": 1})
        response = api.delete("/items/doc")
        assert response.status == 204
        assert response.body is None
        assert api.get("/items/doc").status == 404
        assert api.delete("/items/doc").status == 404

    def test_delete_unknown_is_404(self, api):
        assert api.delete("/items/nothing").status == 404

    def test_delete_leaves_an_expiring_tombstone(self, api, aws):
        api.put("/items/doc", {"v": 1})
        api.delete("/items/doc")
        tombstone = aws.stored("doc")
        assert tombstone["deleted"] == {"BOOL": True}
        assert "data" not in tombstone
        assert int(tombstone[contract.TTL_ATTRIBUTE]["N"]) > 0

    def test_delete_honours_if_match(self, api):
        api.put("/items/doc", {"v": 1})
        api.put("/items/doc", {"v": 2})
        assert api.delete("/items/doc", headers={"if-match": "1"}).status == 412
        assert api.get("/items/doc").status == 200
        assert api.delete("/items/doc", headers={"if-match": "2"}).status == 204

    def test_delete_missing_with_if_match_is_412(self, api):
        assert api.delete("/items/nothing", headers={"if-match": "1"}).status == 412


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ("{not json", "not valid JSON"),
            ("[1, 2]", "JSON object"),
            ('"text"', "JSON object"),
            ("null", "JSON object"),
            ("", "JSON object"),
            ('{"x": NaN}', "not valid JSON"),
            ('{"x": 1e999}', "not valid JSON"),
            ('{"x": "\\ud800"}', "unpaired surrogate"),
            ("[" * 5000 + "]" * 5000, "not valid JSON"),
        ],
    )
    def test_unusable_body_is_400(self, api, body, message):
        response = api.put("/items/doc", body=body)
        assert response.status == 400
        assert message in response.error

    def test_missing_body_is_400(self, api):
        assert api.request("PUT", "/items/doc").status == 400

    def test_body_over_the_limit_is_400(self, api):
        padding = "x" * contract.MAX_BODY_BYTES
        assert api.put("/items/doc", {"p": padding}).status == 400
        assert api.put("/items/doc", {"p": padding}, base64_encoded=True).status == 400

    def test_body_at_the_limit_is_accepted(self, api):
        data = {"p": ""}
        data["p"] = "x" * (contract.MAX_BODY_BYTES - len(json.dumps(data)))
        assert len(json.dumps(data).encode()) == contract.MAX_BODY_BYTES
        assert api.put("/items/doc", data).status == 201

    def test_nesting_beyond_the_limit_is_400(self, api):
        deep: dict = {}
        for _ in range(contract.MAX_JSON_DEPTH):
            deep = {"d": deep}
        response = api.put("/items/doc", deep)
        assert response.status == 400
        assert "nested" in response.error

    def test_invalid_base64_is_400(self, api):
        event = build_event(api.shape, "PUT", "/items/doc", None)
        event.update(body="!!not base64!!", isBase64Encoded=True)
        assert handler(event, LambdaContext())["statusCode"] == 400

    def test_base64_that_is_not_utf8_is_400(self, api):
        assert api.put("/items/doc", body=b"\xff\xfe{}").status == 400

    @pytest.mark.parametrize(
        "item_id", ["a%20b", "a%2Fb", "caf%C3%A9", "a" * (contract.MAX_ID_LENGTH + 1), "a:b", "a'b", "%00"]
    )
    def test_bad_id_is_400(self, api, item_id):
        path = f"/items/{item_id}"
        for response in (api.get(path), api.put(path, {}), api.delete(path)):
            assert response.status == 400
            assert "id" in response.error

    @pytest.mark.parametrize("path", ["/items/", "/items/a/b", '/items/a"b'])
    def test_path_that_cannot_hold_an_id_is_400(self, api, path):
        assert api.get(path).status == 400

    @pytest.mark.parametrize("path", ["/", "/items", "/nope", "/health/extra", "/ITEMS/x"])
    def test_unknown_route_is_404(self, api, path):
        assert api.get(path).status == 404

    @pytest.mark.parametrize("method", ["POST", "PATCH", "HEAD", "OPTIONS"])
    def test_wrong_method_on_an_item_is_405(self, api, method):
        response = api.request(method, "/items/doc")
        assert response.status == 405
        assert response.headers["allow"] == "GET, PUT, DELETE"


class TestTableFailures:
    def test_data_routes_answer_503_when_the_table_fails(self, api, aws):
        api.put("/items/doc", {"v": 1})
        aws.delete_table()
        put, get, delete = api.put("/items/doc", {"v": 2}), api.get("/items/doc"), api.delete("/items/doc")
        for response in (put, get, delete):
            assert response.status == 503 and response.headers["retry-after"] == "1"
            assert "Exception" not in response.error and "Item" not in response.error
        # A write whose outcome is unknown says so, and how to retry safely.
        assert "may or may not be stored" in put.error and "Idempotency-Key" in delete.error
        assert get.error == "the table did not answer: retry shortly"


class TestEventShapes:
    def test_an_event_of_neither_shape_is_refused(self, installed_runtime):
        with pytest.raises(UnsupportedEvent):
            handler({"httpMethod": "GET", "path": "/health", "requestContext": {}}, LambdaContext())

    def test_alb_response_without_multi_value_headers_uses_plain_headers(self, installed_runtime):
        raw = handler(build_event("alb", "GET", "/health"), LambdaContext())
        assert raw["headers"][contract.SERVED_BY_HEADER] == REGION
        assert "multiValueHeaders" not in raw

    def test_alb_multi_value_response_carries_the_region_as_a_list(self, installed_runtime):
        raw = handler(build_event("alb-multi", "GET", "/health"), LambdaContext())
        assert raw["multiValueHeaders"][contract.SERVED_BY_HEADER] == [REGION]

    def test_if_match_is_read_from_multi_value_headers(self, installed_runtime):
        api = Api("alb-multi")
        api.put("/items/doc", {"v": 1})
        assert api.put("/items/doc", {"v": 2}, headers={"if-match": "7"}).status == 412


def test_metrics_are_flushed_as_emf_with_the_contract_namespace(installed_runtime, capfd):
    Api("http").get("/items/missing")
    blobs = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    names = {m["Name"] for blob in blobs for d in blob["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    namespaces = {d["Namespace"] for blob in blobs for d in blob["_aws"]["CloudWatchMetrics"]}
    assert {"Requests", "Status4xx"} <= names
    assert namespaces == {contract.METRICS_NAMESPACE}
    assert all(blob.get("region") == REGION for blob in blobs if "Requests" in blob)
