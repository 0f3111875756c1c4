"""The synthetic probe against stand-ins on 127.0.0.1, publishing to moto's CloudWatch."""

from __future__ import annotations

import json
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import boto3
import pytest
from moto import mock_aws

from functions.api import contract
from functions.probe import handler as probe
from tests.support.local_http import serving

NAMESPACE = "GlobalServerless/Probes"


@contextmanager
def stand_in():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, region = {"/door/health": (200, "eu-west-1"), "/down/health": (503, "us-east-1")}.get(
                self.path, (404, None)
            )
            self.send_response(status)
            if region:
                self.send_header(contract.SERVED_BY_HEADER, region)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):
            pass

    with serving(Handler) as port:
        yield f"http://127.0.0.1:{port}"


def test_the_header_name_is_the_apis():
    assert probe.SERVED_BY_HEADER == contract.SERVED_BY_HEADER


def test_a_run_publishes_latency_success_and_the_answering_region(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws(), stand_in() as base:
        targets = {
            "cloudfront": f"{base}/door/health",
            "entry-us-east-1": f"{base}/down/health",
            "gone": "http://127.0.0.1:9/health",
        }
        monkeypatch.setenv("PROBE_TARGETS", json.dumps(targets))
        monkeypatch.setenv("PROBE_VANTAGE", "us-east-1")
        monkeypatch.setenv("PROBE_NAMESPACE", NAMESPACE)
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
        results = probe.handler({}, None, cloudwatch=cloudwatch)
        assert results["cloudfront"]["status"] == 200 and results["cloudfront"]["region"] == "eu-west-1"
        assert results["entry-us-east-1"]["status"] == 503 and results["gone"]["status"] is None
        listed = cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]
        names = {(m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"]))) for m in listed}
        assert ("Success", (("Door", "cloudfront"), ("Vantage", "us-east-1"))) in names
        assert ("AnsweredBy", (("Door", "cloudfront"), ("Region", "eu-west-1"), ("Vantage", "us-east-1"))) in names
        assert ("LatencyMs", (("Door", "gone"), ("Vantage", "us-east-1"))) in names


@pytest.mark.parametrize(("status", "value"), [(200, 1.0), (404, 1.0), (503, 0.0), (None, 0.0)])
def test_success_means_an_answer_under_500(status, value):
    (latency, success) = probe.metric_data("eu-west-1", {"route53": (status, None, 12.5)})
    assert (latency["Value"], success["MetricName"], success["Value"]) == (12.5, "Success", value)


def test_a_garbled_answer_counts_as_no_answer_instead_of_stopping_the_run():
    class Garbled(BaseHTTPRequestHandler):
        def do_GET(self):
            self.wfile.write(b"not http at all\r\n\r\n")

        def log_message(self, format, *args):
            pass

    with serving(Garbled) as port:
        status, region, _ = probe.probe(f"http://127.0.0.1:{port}/health", timeout=2.0)
    assert (status, region) == (None, None)
