"""What is charted and alarmed is what the functions emit: writer and reader joined by running both.

The API handler runs once per entry kind (ALB and HTTP API events, plus a 4xx and a 5xx) against moto and its
EMF documents are read from stdout; the probe function runs once against a stand-in on 127.0.0.1 and publishes
to moto's CloudWatch (PutMetricData), read back with ListMetrics. The program runs under mocks for the shipped
stacks and an A/B stack, and every (namespace, metric, dimension-name set) its dashboard charts or its alarms
watch, outside AWS's own namespaces (a custom namespace cannot start with "AWS/": CloudWatch API Reference,
PutMetricData), must be one of those emitted. A rename on either side alone fails here.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from http.server import BaseHTTPRequestHandler

import boto3
import pytest
from moto import mock_aws

from functions.api import contract as api_contract
from functions.api import observability, runtime
from functions.api.handler import handler as api_handler
from functions.edge import contract as edge_contract
from functions.probe import contract as probe_contract
from functions.probe import handler as probe_handler
from offline.engine.run import ProgramRun, run_program
from tests.components.helpers import DOMAIN, program
from tests.support.api_events import REGION, LambdaContext, build_event
from tests.support.local_http import serving

Series = tuple[str, str, frozenset[str]]  # (namespace, metric, dimension names)
AWS_PREFIX = "AWS/"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
FUNCTION = "aws:lambda/function:Function"
TABLE = "global-serverless-items"
CHAOS = "/global-serverless/eu-west-1/chaos"
# SELECT <STAT>(<metric>) FROM SCHEMA("<namespace>"[, <dimension>, ...]) ...: a Metrics Insights query
QUERY = re.compile(r'SELECT\s+\w+\((\w+)\)\s+FROM\s+SCHEMA\("([^"]+)"((?:\s*,\s*\w+)*)\s*\)')

# --- what the functions emit ---------------------------------------------------------------------------------


def emf_series(output: str) -> set[Series]:
    emitted = set()
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                for names in directive["Dimensions"]:
                    assert all(name in document for name in names), f"a dimension without a value in {line}"
                    emitted.add((directive["Namespace"], metric["Name"], frozenset(names)))
    return emitted


@contextlib.contextmanager
def api_account(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        api_contract.ENV_REGION: REGION,
        api_contract.ENV_TABLE_NAME: TABLE,
        api_contract.ENV_CHAOS_PARAMETER: CHAOS,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        ssm = boto3.client("ssm", region_name=REGION)
        key = api_contract.TABLE_HASH_KEY
        dynamodb.create_table(
            TableName=TABLE,
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": api_contract.TABLE_HASH_KEY_TYPE}],
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ssm.put_parameter(Name=CHAOS, Value=api_contract.CHAOS_NONE, Type="String")
        runtime.use_runtime(runtime.build_runtime(dynamodb_client=dynamodb, ssm_client=ssm))
        try:
            yield ssm
        finally:
            runtime.reset_runtime()


def api_emits(monkeypatch) -> set[Series]:
    """Each entry kind once (a health check through CloudFront and straight), a 404, and a 503 (chaos down)."""
    out = io.StringIO()
    with api_account(monkeypatch) as ssm, contextlib.redirect_stdout(out):
        routed = {edge_contract.ROUTED_REGION_HEADER: REGION}
        for shape in ("alb", "http"):
            api_handler(build_event(shape, "GET", api_contract.DEFAULT_HEALTH_PATH, None, routed), LambdaContext())
            api_handler(build_event(shape, "GET", f"{api_contract.ITEMS_PATH}/missing", None, None), LambdaContext())
        ssm.put_parameter(Name=CHAOS, Value=json.dumps({"mode": "down"}), Type="String", Overwrite=True)
        runtime.use_runtime(runtime.build_runtime(ssm_client=ssm))
        api_handler(build_event("alb", "GET", api_contract.DEFAULT_HEALTH_PATH, None, None), LambdaContext())
    emitted = emf_series(out.getvalue())
    assert {metric for _, metric, _ in emitted} >= {api_contract.status_metric(s) for s in (200, 404, 503)}
    return emitted


def probe_emits(monkeypatch, environment: dict[str, str]) -> set[Series]:
    """One run with the environment the program gives the probe, its targets a stand-in (one answers, one not)."""

    class StandIn(BaseHTTPRequestHandler):
        def do_GET(self):
            ok = self.path.startswith("/up")
            self.send_response(200 if ok else 503)
            self.send_header(probe_contract.SERVED_BY_HEADER, json.loads(environment[probe_contract.ENV_REGIONS])[0])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):
            pass

    with serving(StandIn) as port, mock_aws():
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        targets = {"up": f"http://127.0.0.1:{port}/up/health", "down": f"http://127.0.0.1:{port}/down/health"}
        monkeypatch.setenv(probe_contract.ENV_TARGETS, json.dumps(targets))
        vantage = environment[probe_contract.ENV_VANTAGE]
        cloudwatch = boto3.client("cloudwatch", region_name=vantage)
        probe_handler.handler({}, None, cloudwatch=cloudwatch)
        listed = cloudwatch.get_paginator("list_metrics").paginate().build_full_result()["Metrics"]
    return {(m["Namespace"], m["MetricName"], frozenset(d["Name"] for d in m["Dimensions"])) for m in listed}


# --- what the program charts and alarms ----------------------------------------------------------------------


def query_series(expression: str) -> Series:
    match = QUERY.search(expression)
    assert match, f"a Metrics Insights query this test cannot read: {expression}"
    metric, namespace, dimensions = match.groups()
    return namespace, metric, frozenset(d.strip() for d in dimensions.split(",") if d.strip())


def dashboard_series(body: dict) -> set[Series]:
    charted = set()
    for widget in body["widgets"]:
        for entry in widget["properties"].get("metrics", []):
            if isinstance(entry[0], dict):  # an expression
                charted.add(query_series(entry[0]["expression"]))
                continue
            names = [item for item in entry[2:] if not isinstance(item, dict)]
            assert "." not in entry[:2], "a shorthand entry: this test reads full entries only"
            charted.add((entry[0], entry[1], frozenset(names[0::2])))
    return charted


def alarm_series(inputs: dict) -> set[Series]:
    if "metricName" in inputs:
        return {(inputs["namespace"], inputs["metricName"], frozenset(inputs.get("dimensions") or {}))}
    watched = set()
    for query in inputs["metricQueries"]:
        if "metric" in query:
            metric = query["metric"]
            watched.add((metric["namespace"], metric["metricName"], frozenset(metric.get("dimensions") or {})))
        elif "SELECT" in query["expression"].upper():
            watched.add(query_series(query["expression"]))
        # else: metric math over the ids above
    return watched


def charted_and_alarmed(run: ProgramRun) -> dict[Series, str]:
    """Each custom series the stack reads -> where (the first dashboard widget or alarm found)."""
    found: dict[Series, str] = {}
    for dashboard in run.of_type(DASHBOARD):
        for series in dashboard_series(json.loads(dashboard.inputs["dashboardBody"])):
            found.setdefault(series, f"dashboard {dashboard.name}")
    for alarm in run.of_type(ALARM):
        for series in alarm_series(alarm.inputs):
            found.setdefault(series, f"alarm {alarm.name}")
    return {series: where for series, where in found.items() if not series[0].startswith(AWS_PREFIX)}


def function_environments(run: ProgramRun) -> list[dict[str, str]]:
    """Each function's environment variables (Lambda@Edge has none)."""
    return [dict((f.inputs.get("environment") or {}).get("variables") or {}) for f in run.of_type(FUNCTION)]


def probe_environment(run: ProgramRun) -> dict[str, str]:
    functions = [env for env in function_environments(run) if probe_contract.ENV_NAMESPACE in env]
    assert functions, "the stack has no probe function"
    return functions[0]


def api_environment(run: ProgramRun) -> dict[str, str]:
    functions = [env for env in function_environments(run) if api_contract.ENV_TABLE_NAME in env]
    assert functions, "the stack has no API function"
    return functions[0]


STACKS = {
    "dev": lambda: run_program("dev"),
    "prod": lambda: run_program("prod"),
    "ab": lambda: program(
        ["us-east-1", "eu-west-1"],
        backend="alb",
        front_door={"route53": 50, "cloudfront": 50},
        domain=DOMAIN,
        alarms={"email": "ops@example.com"},
        probes={"vantageRegions": ["sa-east-1"]},
    ),
}


@pytest.fixture(scope="module")
def emitted_by_api():
    with pytest.MonkeyPatch.context() as patch:
        return api_emits(patch)


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_every_series_charted_or_alarmed_is_emitted(stack, emitted_by_api, monkeypatch):
    run = STACKS[stack]()
    # The program gives the API the namespace and service the function falls back to: the function's figures
    # land where the dashboard looks (the function reads both at import).
    api_env = api_environment(run)
    assert api_env[api_contract.ENV_METRICS_NAMESPACE] == observability.NAMESPACE == api_contract.METRICS_NAMESPACE
    assert api_env.get(api_contract.ENV_SERVICE_NAME, observability.SERVICE) == observability.SERVICE
    emitted = emitted_by_api | probe_emits(monkeypatch, probe_environment(run))
    read = charted_and_alarmed(run)
    assert read, "the stack charts no custom metric: nothing joined"
    missing = {
        f"{where}: {series[0]} {series[1]} {sorted(series[2])}"
        for series, where in read.items()
        if series not in emitted
    }
    assert not missing, "charted or alarmed, never emitted:\n" + "\n".join(sorted(missing))
    # Both functions' metrics are read somewhere (the join is not vacuous on either side).
    namespaces = {series[0] for series in read}
    assert {api_contract.METRICS_NAMESPACE, probe_contract.NAMESPACE} <= namespaces


def test_the_emitted_api_series_are_the_contracts(emitted_by_api):
    """Every API figure of a request is published under both of the contract's dimension sets."""
    sets = {frozenset(s) for s in api_contract.DIMENSION_SETS}
    per_request = {(n, m, d) for n, m, d in emitted_by_api if m != api_contract.METRIC_COLD_START}
    assert {d for _, _, d in per_request} == sets
    for metric in {m for _, m, _ in per_request}:
        assert {d for _, m, d in per_request if m == metric} == sets, metric


def test_the_query_reader_reads_the_probe_failures_query():
    from components.observability.monitoring import probe_failures_query

    assert query_series(probe_failures_query("eu-west-1")) == (
        probe_contract.NAMESPACE,
        probe_contract.METRIC_FAILURES,
        frozenset(probe_contract.FAILURE_DIMENSIONS),
    )
