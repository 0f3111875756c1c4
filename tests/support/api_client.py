"""The API client every function test uses: one request through the real handler, with the invariants
every response keeps (x-served-by-region, x-request-id, a JSON error on every 4xx/5xx)."""

from __future__ import annotations

import json

from functions.api import contract
from functions.api.handler import handler
from tests.support.api_events import REGION, LambdaContext, build_event, parse_response


class Api:
    """Sends one request through `handler` and checks the invariants every response must keep."""

    def __init__(self, shape: str, region: str = REGION) -> None:
        self.shape = shape
        self.region = region

    def request(self, method: str, path: str, body=None, headers=None, **options):
        raw = handler(build_event(self.shape, method, path, body, headers, **options), LambdaContext())
        if self.shape == "alb-multi":
            assert "multiValueHeaders" in raw, "an ALB with multi-value headers needs them in the response"
        response = parse_response(raw)
        assert response.headers.get(contract.SERVED_BY_HEADER) == self.region
        assert response.headers.get(contract.REQUEST_ID_HEADER)
        if response.status >= 400:
            assert isinstance(response.body, dict) and isinstance(response.body.get("error"), str)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def put(self, path, data=None, **kwargs):
        body = kwargs.pop("body", None) if data is None else json.dumps(data)
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)
