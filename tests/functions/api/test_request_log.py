"""The per-request log line: always for failures, for a sample of successes; every request counted."""

from __future__ import annotations

import json

import pytest

from functions.api import contract
from functions.api.handler import UnsupportedEvent, handler
from functions.api.observability import logger
from functions.api.settings import SettingsError, load_settings
from tests.functions.api.conftest import FUNCTION_ENVIRONMENT
from tests.support.api_events import LambdaContext, alb_event


def request_lines(caplog) -> list[dict]:
    return [
        {"level": r.levelname, "method": r.method, "path": r.path, "status": r.status}
        for r in caplog.records
        if r.getMessage() == "request served"
    ]


def test_a_failure_is_logged_with_method_path_and_status_even_when_not_sampled(api, caplog, random_draw):
    random_draw.value = 0.99
    api.get("/items/missing")
    assert request_lines(caplog) == [{"level": "INFO", "method": "GET", "path": "/items/missing", "status": 404}]


def test_a_success_outside_the_sample_is_not_logged(api, caplog, random_draw):
    random_draw.value = contract.DEFAULT_REQUEST_LOG_SAMPLE_RATE  # the draw must fall below the rate
    assert api.put("/items/a", {"v": 1}).status == 201
    assert request_lines(caplog) == []


def test_a_success_inside_the_sample_is_logged(api, caplog, random_draw):
    random_draw.value = contract.DEFAULT_REQUEST_LOG_SAMPLE_RATE / 2
    assert api.put("/items/a", {"v": 1}).status == 201
    assert request_lines(caplog) == [{"level": "INFO", "method": "PUT", "path": "/items/a", "status": 201}]


def test_every_request_is_still_counted(api, capfd, random_draw):
    random_draw.value = 0.99
    api.get("/health")
    metrics = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(m.get("Requests") == [1.0] and m.get("Status2xx") == [1.0] for m in metrics)


@pytest.mark.parametrize(("raw", "rate"), [("", 0.1), ("0", 0.0), ("1", 1.0), (" 0.25 ", 0.25)])
def test_the_sample_rate_is_read_once_from_the_environment(raw, rate):
    env = {**FUNCTION_ENVIRONMENT, contract.ENV_REQUEST_LOG_SAMPLE_RATE: raw}
    assert load_settings(env).request_log_sample_rate == rate


@pytest.mark.parametrize("raw", ["1.5", "-0.1", "often", "nan"])
def test_a_bad_sample_rate_is_a_named_setting_error(raw):
    env = {**FUNCTION_ENVIRONMENT, contract.ENV_REQUEST_LOG_SAMPLE_RATE: raw}
    with pytest.raises(SettingsError, match=rf"REQUEST_LOG_SAMPLE_RATE='{raw}' is invalid: .* from 0 .* to 1"):
        load_settings(env)


def alb_get(path: str, trace_id: str | None) -> dict:
    event = alb_event("GET", path)
    event["headers"].pop("x-amzn-trace-id")
    if trace_id is not None:
        event["headers"]["x-amzn-trace-id"] = trace_id
    return event


def test_a_requests_correlation_id_never_labels_the_next_requests_lines(installed_runtime):
    """The logger's keys are not cleared between requests (for speed): each request sets its own correlation id,
    and Powertools its own Lambda context keys, before anything is logged."""
    first, second = LambdaContext(), LambdaContext()
    handler(alb_get("/items/a", "Root=1-first"), first)
    assert logger.get_correlation_id() == "Root=1-first"
    handler(alb_get("/items/b", None), second)
    assert logger.get_correlation_id() is None
    assert logger.registered_formatter.log_format["function_request_id"] == second.aws_request_id


def test_an_unsupported_event_is_logged_without_the_previous_requests_correlation_id(installed_runtime):
    handler(alb_get("/items/a", "Root=1-first"), LambdaContext())
    with pytest.raises(UnsupportedEvent):
        handler({"not": "an event"}, LambdaContext())
    assert logger.get_correlation_id() is None
