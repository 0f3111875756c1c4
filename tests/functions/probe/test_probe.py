"""The synthetic probe against stand-ins on 127.0.0.1, publishing to moto's CloudWatch (or a recorder)."""

from __future__ import annotations

import json
import logging
import socket
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import boto3
import pytest
from moto import mock_aws

from functions.api import contract as api_contract
from functions.probe import contract
from functions.probe import handler as probe
from tests.support.local_http import serving

NAMESPACE = "GlobalServerless/Probes"
REGIONS = ["us-east-1", "eu-west-1"]
SLOW_SECONDS = 6.0  # the stand-in's slow answer; the probe's timeout is made shorter
SHORT_TIMEOUT = 2.5  # long enough for the quick answers on a loaded machine (1.0 timed out at load 17 on 2 cores)

# path -> (status, x-served-by-region)
ANSWERS = {
    "/door/health": (200, "eu-west-1"),
    "/down/health": (503, "us-east-1"),
    "/forbidden/health": (403, None),  # CloudFront's own 403, a WAF block, a stale origin secret
    "/missing/health": (404, None),  # a missing API mapping
    "/elsewhere/health": (200, "ap-south-1"),  # some other stack's region
    "/anonymous/health": (200, None),  # 2xx that no backend of ours said
    "/moved/health": (302, None),
}


@contextmanager
def stand_in():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/slow/health":
                time.sleep(SLOW_SECONDS)
                status, region = 200, "eu-west-1"
            else:
                status, region = ANSWERS.get(self.path, (404, None))
            try:
                self.send_response(status)
                if region:
                    self.send_header(contract.SERVED_BY_HEADER, region)
                if status == 302:
                    self.send_header("Location", "/door/health")
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the probe gave up waiting
                pass

        def log_message(self, format, *args):
            pass

    with serving(Handler) as port:
        yield port


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self):
        self.data: list[dict] = []

    def put_metric_data(self, Namespace, MetricData):
        assert Namespace == NAMESPACE
        self.data += MetricData

    def values(self, metric: str) -> dict[tuple, float]:
        return {
            tuple(sorted((d["Name"], d["Value"]) for d in datum["Dimensions"])): datum["Value"]
            for datum in self.data
            if datum["MetricName"] == metric
        }


def environment(monkeypatch, targets: dict, vantage: str = "us-east-1") -> None:
    monkeypatch.setenv("PROBE_TARGETS", json.dumps(targets))
    monkeypatch.setenv("PROBE_VANTAGE", vantage)
    monkeypatch.setenv("PROBE_NAMESPACE", NAMESPACE)
    monkeypatch.setenv(contract.ENV_REGIONS, json.dumps(REGIONS))


def test_the_header_name_is_the_apis():
    assert probe.SERVED_BY_HEADER == contract.SERVED_BY_HEADER == api_contract.SERVED_BY_HEADER


def test_the_environment_names_are_the_contracts():
    assert (contract.ENV_TARGETS, contract.ENV_VANTAGE, contract.ENV_NAMESPACE) == (
        "PROBE_TARGETS", "PROBE_VANTAGE", "PROBE_NAMESPACE",
    )  # fmt: skip


def test_a_run_publishes_success_latency_and_failures_by_reason(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws(), stand_in() as port:
        base = f"http://127.0.0.1:{port}"
        targets = {
            "cloudfront": f"{base}/door/health",
            "entry-us-east-1": f"{base}/down/health",
            "gone": f"http://127.0.0.1:{closed_port()}/health",
        }
        environment(monkeypatch, targets)
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
        results = probe.handler({}, None, cloudwatch=cloudwatch)
        assert results["cloudfront"]["status"] == 200 and results["cloudfront"]["region"] == "eu-west-1"
        assert results["cloudfront"]["reason"] is None
        assert results["entry-us-east-1"]["reason"] == "status-5xx" and results["gone"]["reason"] == "connection"
        listed = cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]
        names = {(m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"]))) for m in listed}
    assert names == {
        ("Success", (("Door", "cloudfront"), ("Vantage", "us-east-1"))),
        ("LatencyMs", (("Door", "cloudfront"), ("Vantage", "us-east-1"))),
        ("Success", (("Door", "entry-us-east-1"), ("Vantage", "us-east-1"))),
        ("Failures", (("Door", "entry-us-east-1"), ("Reason", "status-5xx"), ("Vantage", "us-east-1"))),
        ("Success", (("Door", "gone"), ("Vantage", "us-east-1"))),
        ("Failures", (("Door", "gone"), ("Reason", "connection"), ("Vantage", "us-east-1"))),
    }


def test_only_the_expected_answer_is_a_success_and_every_failure_keeps_its_reason(monkeypatch):
    """403, 404, a redirect, another region's answer, an unsigned 2xx, a timeout, TLS to a plain-HTTP
    server, a refused connection: each a failure, counted under its reason."""
    monkeypatch.setattr(probe, "TIMEOUT_SECONDS", SHORT_TIMEOUT)
    with stand_in() as port:
        base = f"http://127.0.0.1:{port}"
        targets = {
            "ok": f"{base}/door/health",
            "forbidden": f"{base}/forbidden/health",
            "missing": f"{base}/missing/health",
            "moved": f"{base}/moved/health",
            "down": f"{base}/down/health",
            "elsewhere": f"{base}/elsewhere/health",
            "anonymous": f"{base}/anonymous/health",
            "slow": f"{base}/slow/health",
            "tls": f"https://127.0.0.1:{port}/door/health",
            "refused": f"http://127.0.0.1:{closed_port()}/health",
        }
        environment(monkeypatch, targets)
        recorder = Recorder()
        started = time.perf_counter()
        probe.handler({}, None, cloudwatch=recorder)
        assert time.perf_counter() - started < SLOW_SECONDS  # the timeout bounded the run
    success = {dict(dims)["Door"]: value for dims, value in recorder.values("Success").items()}
    assert success == {target: (1.0 if target == "ok" else 0.0) for target in targets}
    failures = {dict(dims)["Door"]: dict(dims)["Reason"] for dims in recorder.values("Failures")}
    assert failures == {
        "forbidden": "status-4xx",
        "missing": "status-4xx",
        "moved": "status-3xx",
        "down": "status-5xx",
        "elsewhere": "wrong-region",
        "anonymous": "wrong-region",
        "slow": "timeout",
        "tls": "tls",
        "refused": "connection",
    }
    assert set(failures.values()) <= set(contract.REASONS)


def test_the_answering_region_is_a_log_field_not_a_dimension(monkeypatch, caplog):
    with stand_in() as port:
        environment(monkeypatch, {"globalaccelerator": f"http://127.0.0.1:{port}/door/health"}, vantage="eu-west-1")
        recorder = Recorder()
        with caplog.at_level(logging.INFO, logger="probe"):
            probe.handler({}, None, cloudwatch=recorder)
    assert all(d["Name"] in {"Door", "Vantage", "Reason"} for datum in recorder.data for d in datum["Dimensions"])
    (record,) = [r for r in caplog.records if r.name == "probe"]
    fields = {k: getattr(record, k) for k in ("door", "vantage", "outcome", "reason", "status", "answeredBy")}
    assert fields == {
        "door": "globalaccelerator", "vantage": "eu-west-1", "outcome": "ok", "reason": None, "status": 200,
        "answeredBy": "eu-west-1",
    }  # fmt: skip
    assert isinstance(record.latencyMs, float)


def test_a_target_has_a_bounded_number_of_series():
    """Whatever answers (any region, any failure), a target's series are Success, LatencyMs and one
    Failures per reason: nothing grows with the regions."""
    outcomes = [probe.ProbeOutcome(200, f"r-{i}", 1.0, None) for i in range(50)]
    outcomes += [probe.ProbeOutcome(None, None, 1.0, reason) for reason in contract.REASONS]
    outcomes.append(probe.ProbeOutcome(None, None, 1.0, "something new"))  # folded into bad-answer
    seen = {
        (datum["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in datum["Dimensions"])))
        for outcome in outcomes
        for datum in probe.metric_data("eu-west-1", {"cloudfront": outcome})
    }
    assert len(seen) == 2 + len(contract.REASONS)


@pytest.mark.parametrize(
    ("status", "region", "reason"),
    [
        (200, "eu-west-1", None),
        (204, "us-east-1", None),
        (200, "ap-south-1", "wrong-region"),
        (200, None, "wrong-region"),
        (301, None, "status-3xx"),
        (403, None, "status-4xx"),
        (404, "eu-west-1", "status-4xx"),
        (503, "eu-west-1", "status-5xx"),
        (999, None, "bad-answer"),
    ],
)
def test_the_reason_for_an_answer(status, region, reason):
    assert probe.answer_reason(status, region, frozenset(REGIONS)) == reason


def test_a_run_needs_the_stacks_regions(monkeypatch):
    environment(monkeypatch, {"cloudfront": "http://127.0.0.1:9/health"})
    monkeypatch.delenv(contract.ENV_REGIONS)
    with pytest.raises(KeyError):
        probe.handler({}, None, cloudwatch=Recorder())


def test_a_garbled_answer_is_a_failure_instead_of_stopping_the_run():
    class Garbled(BaseHTTPRequestHandler):
        def do_GET(self):
            self.wfile.write(b"not http at all\r\n\r\n")

        def log_message(self, format, *args):
            pass

    with serving(Garbled) as port:
        outcome = probe.probe(f"http://127.0.0.1:{port}/health", frozenset(REGIONS), timeout=2.0)
    assert (outcome.status, outcome.region, outcome.reason) == (None, None, "bad-answer")
