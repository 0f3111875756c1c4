"""Synthetic probe (`probe.handler.handler`), run every minute by EventBridge Scheduler in each vantage region.

GETs every target (each door's own hostname, and this region's own entry when it answers strangers, on
the health path) once, all at once with a bounded timeout. A probe succeeds only on the expected answer:
2xx with `x-served-by-region` naming one of the stack's regions. Anything else (another status, an answer
from elsewhere, a timeout, a TLS or connection failure, a garbled answer) is a failure with a reason from
the bounded list in contract.REASONS.

Published to CloudWatch, dimensions Door (the target) and Vantage (this region), so the series grow with
vantages x targets and nothing else:
- Success: 1 for the expected answer, else 0 (the availability alarms read its average);
- LatencyMs: time to the expected answer (successful probes only);
- Failures: 1 per failed probe, with Reason as a third dimension (the dashboard says why).
The answering region is not a dimension: every probe writes one JSON log line (door, vantage, status,
answeredBy, reason, latencyMs), which Logs Insights queries.

Environment (contract.ENV_*, read on every run, it is small): the targets, the vantage, the namespace and
the stack's regions; the CloudWatch client is made once per container.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import ssl
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from . import contract

SERVED_BY_HEADER = contract.SERVED_BY_HEADER
TIMEOUT_SECONDS = 5.0
USER_AGENT = "global-serverless-probe"

logger = logging.getLogger("probe")
logger.setLevel(logging.INFO)


class ProbeOutcome(NamedTuple):
    status: int | None  # the HTTP status, None when no answer came
    region: str | None  # x-served-by-region of the answer
    latency_ms: float
    reason: str | None  # None for the expected answer, else one of contract.REASONS

    @property
    def ok(self) -> bool:
        return self.reason is None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def answer_reason(status: int, region: str | None, regions: frozenset[str]) -> str | None:
    """Why an HTTP answer is not the expected one (None when it is)."""
    if 200 <= status < 300:
        return None if region in regions else contract.REASON_WRONG_REGION
    if 300 <= status < 400:
        return contract.REASON_STATUS_3XX
    if 400 <= status < 500:
        return contract.REASON_STATUS_4XX
    if 500 <= status < 600:
        return contract.REASON_STATUS_5XX
    return contract.REASON_BAD_ANSWER


def error_reason(error: BaseException) -> str:
    """Why no answer came: urllib wraps connection-time errors in URLError; read-time ones come bare."""
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    if isinstance(error, TimeoutError):  # socket.timeout is TimeoutError
        return contract.REASON_TIMEOUT
    if isinstance(error, ssl.SSLError):  # before ValueError: a certificate error is both
        return contract.REASON_TLS
    if isinstance(error, (http.client.HTTPException, ValueError)):
        return contract.REASON_BAD_ANSWER
    return contract.REASON_CONNECTION


def probe(url: str, regions: frozenset[str] | set[str], timeout: float = TIMEOUT_SECONDS) -> ProbeOutcome:
    """One GET of `url`: what answered, how fast, and why it is not the expected answer (if it is not)."""
    expected = frozenset(regions)
    started = time.perf_counter()
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status, region = response.status, response.headers.get(SERVED_BY_HEADER)
    except urllib.error.HTTPError as error:  # an answer all the same: 3xx (not followed), 4xx, 5xx
        status, region = error.code, error.headers.get(SERVED_BY_HEADER)
        error.close()
    except (OSError, http.client.HTTPException, ValueError) as error:
        return ProbeOutcome(None, None, _since(started), error_reason(error))
    return ProbeOutcome(status, region, _since(started), answer_reason(status, region, expected))


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def metric_data(vantage: str, results: dict[str, ProbeOutcome]) -> list[dict]:
    data = []
    for target, outcome in sorted(results.items()):
        dimensions = [
            {"Name": contract.DIMENSION_DOOR, "Value": target},
            {"Name": contract.DIMENSION_VANTAGE, "Value": vantage},
        ]
        success = {"MetricName": contract.METRIC_SUCCESS, "Dimensions": dimensions, "Unit": "Count"}
        data.append({**success, "Value": 1.0 if outcome.ok else 0.0})
        if outcome.ok:
            data.append(
                {
                    "MetricName": contract.METRIC_LATENCY,
                    "Dimensions": dimensions,
                    "Value": outcome.latency_ms,
                    "Unit": "Milliseconds",
                }
            )
        else:
            reason = outcome.reason if outcome.reason in contract.REASONS else contract.REASON_BAD_ANSWER
            data.append(
                {
                    "MetricName": contract.METRIC_FAILURES,
                    "Dimensions": [*dimensions, {"Name": contract.DIMENSION_REASON, "Value": reason}],
                    "Value": 1.0,
                    "Unit": "Count",
                }
            )
    return data


def log_fields(target: str, vantage: str, outcome: ProbeOutcome) -> dict:
    """One probe as the fields of its JSON log line (Lambda's JSON log format adds `extra` keys)."""
    values = (
        target,
        vantage,
        "ok" if outcome.ok else "failed",
        outcome.reason,
        outcome.status,
        outcome.region,
        round(outcome.latency_ms, 1),
    )
    return dict(zip(contract.LOG_FIELDS, values, strict=True))


def _settings() -> tuple[dict[str, str], str, str, frozenset[str]]:
    targets = json.loads(os.environ[contract.ENV_TARGETS])
    if not isinstance(targets, dict) or not targets:
        raise RuntimeError(f"{contract.ENV_TARGETS} must be a JSON object {{target: url}} (set by the Pulumi program)")
    regions = json.loads(os.environ[contract.ENV_REGIONS])
    if not isinstance(regions, list) or not regions or not all(isinstance(r, str) for r in regions):
        raise RuntimeError(f"{contract.ENV_REGIONS} must be a JSON list of the stack's regions (set by the program)")
    return targets, os.environ[contract.ENV_VANTAGE], os.environ[contract.ENV_NAMESPACE], frozenset(regions)


_client = None


def handler(event, context, cloudwatch=None) -> dict:
    global _client
    targets, vantage, namespace, regions = _settings()
    if cloudwatch is None:
        if _client is None:
            import boto3

            _client = boto3.client("cloudwatch", region_name=vantage)
        cloudwatch = _client
    with ThreadPoolExecutor(max_workers=min(16, len(targets))) as pool:
        outcomes = pool.map(lambda url: probe(url, regions, TIMEOUT_SECONDS), targets.values())
        results = dict(zip(targets, outcomes, strict=True))
    for target, outcome in sorted(results.items()):
        logger.info("probe", extra=log_fields(target, vantage, outcome))
    data = metric_data(vantage, results)
    for start in range(0, len(data), 1000):  # PutMetricData takes up to 1000 values a call
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[start : start + 1000])
    return {
        target: {"status": o.status, "region": o.region, "reason": o.reason, "latencyMs": round(o.latency_ms, 1)}
        for target, o in results.items()
    }
