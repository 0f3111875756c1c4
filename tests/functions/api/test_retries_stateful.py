"""Hypothesis, stateful: random lost replies and client retries never make answers disagree with the table.

Each write is a client's logical request with its own Idempotency-Key; lost replies are injected into
the function's DynamoDB client (inside botocore's send loop); the client resends the same request
while it gets 503, or at random after a definitive answer (its own timeout). The model applies each
logical request exactly once; every definitive answer and the stored item must agree with it.
"""

from __future__ import annotations

import itertools

import boto3
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from functions.api import runtime
from functions.api.store import CLIENT_CONFIG
from tests.support.api_client import Api
from tests.support.api_events import REGION
from tests.support.faults import lose_replies

ITEM_IDS = itertools.count()
KEYS = itertools.count()
MAX_TRIES = 4
LOSS_PLANS = st.lists(st.booleans(), max_size=3)


def test_lost_replies_and_retries_never_misreport(aws):
    client = boto3.client("dynamodb", region_name=REGION, config=CLIENT_CONFIG)
    runtime.use_runtime(runtime.build_runtime(dynamodb_client=client, ssm_client=aws.ssm))

    class Writes(RuleBasedStateMachine):
        @initialize(shape=st.sampled_from(["alb", "http"]))
        def start(self, shape):
            self.api = Api(shape)
            self.path = f"/items/s{next(ITEM_IDS)}"
            self.exists, self.version, self.data = False, 0, None
            self.last = None  # (method, body, headers, answer) of the last definitive request

        def send(self, method, data, headers, plan):
            """One logical request: resent with its key while the answer is 503."""
            with lose_replies(client, "UpdateItem", plan):
                for _ in range(MAX_TRIES):
                    response = (
                        self.api.put(self.path, data, headers=headers)
                        if method == "PUT"
                        else self.api.delete(self.path, headers=headers)
                    )
                    if response.status != 503:
                        self.last = (method, data, headers, response)
                        return response
            raise AssertionError(f"{method} still 503 after {MAX_TRIES} tries")

        def if_match(self, right):
            return {} if right is None else {"if-match": str(self.version if right else self.version + 5)}

        @rule(value=st.integers(0, 9), right=st.none() | st.booleans(), plan=LOSS_PLANS)
        def put(self, value, right, plan):
            headers = {"idempotency-key": f"k{next(KEYS)}", **self.if_match(right)}
            response = self.send("PUT", {"v": value}, headers, plan)
            if right is False or (right and not self.exists):
                assert response.status == 412
                return
            assert response.status == (200 if self.exists else 201)
            self.exists, self.version, self.data = True, self.version + 1, {"v": value}
            assert response.body["version"] == self.version and response.body["data"] == self.data

        @rule(right=st.none() | st.booleans(), plan=LOSS_PLANS)
        def delete(self, right, plan):
            headers = {"idempotency-key": f"k{next(KEYS)}", **self.if_match(right)}
            response = self.send("DELETE", None, headers, plan)
            if not self.exists:
                assert response.status == (404 if right is None else 412)
                return
            if right is False:
                assert response.status == 412
                return
            assert response.status == 204
            self.exists, self.version = False, self.version + 1

        @rule()
        def resend_last(self):
            """The client timed out on its side and sends the same request again: the same answer."""
            if self.last is None:
                return
            method, data, headers, first = self.last
            again = self.send(method, data, headers, [])
            assert (again.status, again.body) == (first.status, first.body)

        @invariant()
        def table_agrees(self):
            if not hasattr(self, "path"):
                return
            item = aws.stored(self.path.rsplit("/", 1)[1])
            stored_version = 0 if item is None else int(item["version"]["N"])
            assert stored_version == self.version
            assert (item is not None and "deleted" not in item) == self.exists

    run_state_machine_as_test(
        Writes,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
