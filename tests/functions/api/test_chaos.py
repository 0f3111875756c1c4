"""Chaos modes: parsing, the cached SSM reader (fake clock), and their effect through the handler."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError

from functions.api import chaos, contract
from functions.api.chaos import NO_CHAOS, ChaosConfig, ChaosConfigError, ChaosSource, parse_chaos
from functions.api.handler import handler
from functions.api.routes import LATENCY_HEADROOM_MS
from tests.functions.api.conftest import CHAOS_PARAMETER
from tests.support.api_client import Api
from tests.support.api_events import SHAPES, LambdaContext, build_event

HEALTH = contract.DEFAULT_HEALTH_PATH


class TestParse:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            (contract.CHAOS_NONE, NO_CHAOS),
            ('{"mode": "down"}', ChaosConfig(mode="down")),
            ('{"mode": "latency", "latencyMs": 300}', ChaosConfig(mode="latency", latency_ms=300)),
            ('{"mode": "error"}', ChaosConfig(mode="error", error_rate=1.0, error_status=500)),
            (
                '{"mode": "error", "errorRate": 0.5, "status": 502, "note": "game day 3"}',
                ChaosConfig(mode="error", error_rate=0.5, error_status=502),
            ),
        ],
    )
    def test_valid(self, raw, expected):
        assert parse_chaos(raw) == expected

    @pytest.mark.parametrize(
        "raw",
        [
            "",
            "not json",
            "[]",
            "{}",
            '{"mode": "explode"}',
            '{"mode": "latency"}',
            '{"mode": "latency", "latencyMs": -1}',
            '{"mode": "latency", "latencyMs": "300"}',
            '{"mode": "latency", "latencyMs": 3600000}',
            '{"mode": "error", "errorRate": 1.5}',
            '{"mode": "error", "errorRate": true}',
            '{"mode": "error", "errorRate": null}',  # was a TypeError that escaped the chaos reader
            '{"mode": "error", "status": 404}',
            '{"mode": "error", "status": 600}',
            '{"mode": "error", "status": "500"}',
        ],
    )
    def test_invalid(self, raw):
        with pytest.raises(ChaosConfigError):
            parse_chaos(raw)


class FakeSsm:
    """get_parameter answers from `value`, or raises `error`; counts calls."""

    def __init__(self, value: str = contract.CHAOS_NONE) -> None:
        self.value = value
        self.error: Exception | None = None
        self.calls = 0

    def get_parameter(self, Name):  # noqa: N803 (boto3's spelling)
        self.calls += 1
        if self.error:
            raise self.error
        return {"Parameter": {"Name": Name, "Value": self.value}}


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "GetParameter")


class RecordingLogger:
    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.infos: list[str] = []

    def warning(self, message, **_):
        self.warnings.append(message)

    def info(self, message, **_):
        self.infos.append(message)


@pytest.fixture
def logged(monkeypatch):
    recorder = RecordingLogger()
    monkeypatch.setattr(chaos, "logger", recorder)
    return recorder


@pytest.fixture
def ssm():
    return FakeSsm()


@pytest.fixture
def source(ssm, clock):
    return ChaosSource(ssm, CHAOS_PARAMETER, clock=clock)


class TestSource:
    def test_reads_are_cached_for_the_ttl(self, source, ssm, clock):
        ssm.value = '{"mode": "down"}'
        assert source.current().mode == "down"
        ssm.value = contract.CHAOS_NONE
        clock.advance(contract.CHAOS_CACHE_SECONDS - 0.1)
        assert source.current().mode == "down"
        assert ssm.calls == 1
        clock.advance(0.1)
        assert source.current().mode == "none"
        assert ssm.calls == 2

    def test_cache_is_at_most_five_seconds(self):
        assert contract.CHAOS_CACHE_SECONDS <= 5

    def test_missing_parameter_is_no_fault_logged_once(self, source, ssm, clock, logged):
        ssm.error = client_error("ParameterNotFound")
        for _ in range(5):
            assert source.current() == NO_CHAOS
            clock.advance(contract.CHAOS_CACHE_SECONDS)
        assert ssm.calls == 5
        assert len(logged.warnings) == 1
        assert "does not exist" in logged.warnings[0]

    def test_broken_value_is_no_fault_logged_once(self, source, ssm, clock, logged):
        ssm.value = '{"mode": "sideways"}'
        for _ in range(5):
            assert source.current() == NO_CHAOS
            clock.advance(contract.CHAOS_CACHE_SECONDS)
        assert len(logged.warnings) == 1
        assert "malformed" in logged.warnings[0]

    def test_a_different_problem_is_logged_again_and_recovery_once(self, source, ssm, clock, logged):
        ssm.value = "garbage"
        source.current()
        clock.advance(contract.CHAOS_CACHE_SECONDS)
        ssm.value = "[]"
        source.current()
        assert len(logged.warnings) == 2
        clock.advance(contract.CHAOS_CACHE_SECONDS)
        ssm.value = '{"mode": "down"}'
        assert source.current().mode == "down"
        clock.advance(contract.CHAOS_CACHE_SECONDS)
        source.current()
        assert len(logged.infos) == 1
        clock.advance(contract.CHAOS_CACHE_SECONDS)
        ssm.value = "garbage"
        source.current()
        assert len(logged.warnings) == 3

    @pytest.mark.parametrize(
        "error",
        [
            client_error("ThrottlingException"),
            client_error("AccessDeniedException"),
            ConnectTimeoutError(endpoint_url="https://ssm"),
        ],
    )
    def test_unreadable_parameter_keeps_the_last_known_mode(self, source, ssm, clock, logged, error):
        ssm.value = '{"mode": "down"}'
        source.current()
        clock.advance(contract.CHAOS_CACHE_SECONDS)
        ssm.error = error
        assert source.current().mode == "down"
        clock.advance(contract.CHAOS_CACHE_SECONDS)
        assert source.current().mode == "down"
        assert len(logged.warnings) == 1

    def test_unreadable_from_the_start_is_no_fault(self, source, ssm, logged):
        ssm.error = client_error("ThrottlingException")
        assert source.current() == NO_CHAOS


@pytest.fixture(params=SHAPES)
def shape(request):
    return request.param


@pytest.fixture
def api(shape, installed_runtime):
    return Api(shape)


def switch_chaos(aws, clock, value) -> None:
    aws.set_chaos(value)
    clock.advance(contract.CHAOS_CACHE_SECONDS)


class TestThroughTheHandler:
    def test_down_answers_503_everywhere_then_recovers_after_the_cache(self, api, aws, clock):
        api.put("/items/doc", {"v": 1})
        switch_chaos(aws, clock, {"mode": "down"})
        for response in (
            api.get(HEALTH),
            api.get("/items/doc"),
            api.put("/items/doc", {"v": 2}),
            api.delete("/items/doc"),
            api.get("/unknown"),
        ):
            assert response.status == 503
            assert response.headers["x-chaos-mode"] == "down"

        aws.set_chaos(contract.CHAOS_NONE)
        assert api.get(HEALTH).status == 503  # still cached
        clock.advance(contract.CHAOS_CACHE_SECONDS)
        assert api.get(HEALTH).status == 200
        assert api.get("/items/doc").body["data"] == {"v": 1}

    def test_error_mode_answers_the_configured_status_for_its_fraction(self, api, aws, clock, random_draw):
        switch_chaos(aws, clock, {"mode": "error", "errorRate": 0.5, "status": 502})
        random_draw.value = 0.49
        response = api.put("/items/doc", {"v": 1})
        assert response.status == 502
        assert response.headers["x-chaos-mode"] == "error"
        assert api.get("/items/doc").status == 502
        random_draw.value = 0.5
        assert api.put("/items/doc", {"v": 1}).status == 201

    def test_error_mode_leaves_health_alone(self, api, aws, clock, random_draw):
        switch_chaos(aws, clock, {"mode": "error", "errorRate": 1})
        random_draw.value = 0.0
        assert api.get(HEALTH).status == 200
        assert api.get("/items/doc").status == 500

    def test_latency_mode_sleeps_before_data_routes_only(self, api, aws, clock, sleeps):
        switch_chaos(aws, clock, {"mode": "latency", "latencyMs": 300})
        assert api.put("/items/doc", {"v": 1}).status == 201
        assert sleeps == [0.3]
        assert api.get(HEALTH).status == 200
        assert sleeps == [0.3]

    def test_latency_is_clipped_to_the_remaining_invocation_time(self, installed_runtime, aws, clock, sleeps):
        switch_chaos(aws, clock, {"mode": "latency", "latencyMs": 20_000})
        event = build_event("http", "GET", "/items/doc")
        handler(event, LambdaContext(remaining_time_in_millis=6000))
        handler(event, LambdaContext(remaining_time_in_millis=1000))
        assert sleeps == [(6000 - LATENCY_HEADROOM_MS) / 1000, 0]

    def test_missing_parameter_is_no_fault(self, api, aws, clock):
        aws.delete_chaos()
        clock.advance(contract.CHAOS_CACHE_SECONDS)
        assert api.get(HEALTH).status == 200
        assert api.put("/items/doc", {"v": 1}).status == 201

    @pytest.mark.parametrize(
        "value",
        ["{broken", '{"mode": "error", "status": 404}', '{"mode": "latency"}', '{"mode": "error", "errorRate": null}'],
    )
    def test_broken_parameter_is_no_fault(self, api, aws, clock, sleeps, random_draw, value):
        switch_chaos(aws, clock, value)
        assert api.put("/items/doc", {"v": 1}).status == 201
        assert api.get(HEALTH).status == 200
        assert sleeps == []

    def test_missing_parameter_is_logged_once_across_requests(self, api, aws, clock, logged):
        aws.delete_chaos()
        for _ in range(4):
            clock.advance(contract.CHAOS_CACHE_SECONDS)
            api.get(HEALTH)
        assert len(logged.warnings) == 1
