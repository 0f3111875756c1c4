"""Faults injected where they happen: inside botocore's send loop, so the SDK's own retry policy runs.

`lose_replies(client, "UpdateItem", [True])` lets the first UpdateItem reach the (moto) service, which
applies it, then drops the reply with a read timeout, exactly as a network that loses a response would;
botocore's standard retry mode then sends the request again. Each entry of `plan` is one attempt:
True loses that attempt's reply, False lets it through. Attempts past the plan go through.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from botocore.exceptions import ReadTimeoutError
from moto.core.models import botocore_stubber


class LostReplies:
    def __init__(self, operation: str, plan: list[bool]) -> None:
        self.operation = operation
        self.plan = list(plan)
        self.attempts = 0
        self.lost = 0

    def __call__(self, request, event_name, **kwargs):
        self.attempts += 1
        response = botocore_stubber(event_name=event_name, request=request, **kwargs)
        if self.plan and self.plan.pop(0):
            self.lost += 1
            raise ReadTimeoutError(endpoint_url=request.url)  # applied by the service, reply never seen
        return response


@contextlib.contextmanager
def lose_replies(client, operation: str, plan: list[bool]) -> Iterator[LostReplies]:
    fault = LostReplies(operation, plan)
    event = f"before-send.dynamodb.{operation}"
    client.meta.events.register_first(event, fault)
    try:
        yield fault
    finally:
        client.meta.events.unregister(event, fault)
