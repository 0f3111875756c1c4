"""Synthetic probe (`probe.handler.handler`), run every minute by EventBridge Scheduler in each vantage region.

GETs every target (each door's own hostname and each region's entry, on the health path) once, all at
once with a bounded timeout, and publishes to CloudWatch, dimensions Door (the target) and Vantage (this
region): LatencyMs, Success (1 for an answer under 500, else 0), and AnsweredBy (1, with the answering
region, x-served-by-region, as a third dimension). Environment (read on every run, it is small):
PROBE_TARGETS (JSON {target: url}), PROBE_VANTAGE (this region), PROBE_NAMESPACE; the CloudWatch client
is made once per container.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

SERVED_BY_HEADER = "x-served-by-region"  # functions/api/contract.py says the same; a test keeps them equal
TIMEOUT_SECONDS = 5.0
USER_AGENT = "global-serverless-probe"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def probe(url: str, timeout: float = TIMEOUT_SECONDS) -> tuple[int | None, str | None, float]:
    """(status or None, answering region or None, latency ms)."""
    started = time.perf_counter()
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status, region = response.status, response.headers.get(SERVED_BY_HEADER)
    except urllib.error.HTTPError as error:
        status, region = error.code, error.headers.get(SERVED_BY_HEADER)
        error.close()
    except (OSError, http.client.HTTPException, ValueError):  # refused, timed out, TLS, a garbled answer
        status, region = None, None
    return status, region, (time.perf_counter() - started) * 1000


def metric_data(vantage: str, results: dict[str, tuple[int | None, str | None, float]]) -> list[dict]:
    data = []
    for target, (status, region, latency) in sorted(results.items()):
        dimensions = [{"Name": "Door", "Value": target}, {"Name": "Vantage", "Value": vantage}]
        data.append({"MetricName": "LatencyMs", "Dimensions": dimensions, "Value": latency, "Unit": "Milliseconds"})
        ok = status is not None and status < 500
        data.append({"MetricName": "Success", "Dimensions": dimensions, "Value": 1.0 if ok else 0.0, "Unit": "Count"})
        if region:
            answered = [*dimensions, {"Name": "Region", "Value": region}]
            data.append({"MetricName": "AnsweredBy", "Dimensions": answered, "Value": 1.0, "Unit": "Count"})
    return data


def _settings() -> tuple[dict[str, str], str, str]:
    targets = json.loads(os.environ["PROBE_TARGETS"])
    if not isinstance(targets, dict) or not targets:
        raise RuntimeError("PROBE_TARGETS must be a JSON object {target: url} (set by the Pulumi program)")
    return targets, os.environ["PROBE_VANTAGE"], os.environ["PROBE_NAMESPACE"]


_client = None


def handler(event, context, cloudwatch=None) -> dict:
    global _client
    targets, vantage, namespace = _settings()
    if cloudwatch is None:
        if _client is None:
            import boto3

            _client = boto3.client("cloudwatch", region_name=vantage)
        cloudwatch = _client
    with ThreadPoolExecutor(max_workers=min(16, len(targets))) as pool:
        results = dict(zip(targets, pool.map(probe, targets.values()), strict=True))
    data = metric_data(vantage, results)
    for start in range(0, len(data), 1000):  # PutMetricData takes up to 1000 values a call
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[start : start + 1000])
    return {target: {"status": s, "region": r, "latencyMs": round(ms, 1)} for target, (s, r, ms) in results.items()}
