"""What the Pulumi program (components/observability/probes.py), the probe function and the dashboard agree on.

Stdlib only: the probe imports it at cold start, the program to set the function's environment and to
name the metrics its alarms and dashboard read.
"""

# The Lambda package: functions/probe is zipped as the package `probe`, so the handler path is:
PACKAGE_NAME = "probe"
HANDLER = "probe.handler.handler"

# Environment the program sets; the function reads it on every run.
ENV_TARGETS = "PROBE_TARGETS"  # JSON {target: health URL}: the doors, and this region's own entry
ENV_VANTAGE = "PROBE_VANTAGE"  # the region the probe runs in
ENV_NAMESPACE = "PROBE_NAMESPACE"  # the CloudWatch namespace it publishes to
ENV_REGIONS = "PROBE_EXPECTED_REGIONS"  # JSON list: the stack's regions, the only answers that count

# The header the API answers with (functions/api/contract.py SERVED_BY_HEADER: a test keeps them equal).
SERVED_BY_HEADER = "x-served-by-region"
ENTRY_PREFIX = "entry-"  # a region's entry is the target "entry-<region>"; the others are doors

# The CloudWatch namespace the probes publish to (PutMetricData; the program sets ENV_NAMESPACE to it and
# allows PutMetricData only there).
NAMESPACE = "GlobalServerless/Probes"

# Metrics, all with the dimensions Door (the target) and Vantage; Failures also with Reason.
METRIC_LATENCY = "LatencyMs"  # time to the expected answer (successful probes only)
METRIC_SUCCESS = "Success"  # 1 for the expected answer, else 0: one value a run
METRIC_FAILURES = "Failures"  # 1 a failed probe, with the failure's Reason
DIMENSION_DOOR = "Door"
DIMENSION_VANTAGE = "Vantage"
DIMENSION_REASON = "Reason"
TARGET_DIMENSIONS = (DIMENSION_DOOR, DIMENSION_VANTAGE)  # Success and LatencyMs
FAILURE_DIMENSIONS = (DIMENSION_DOOR, DIMENSION_VANTAGE, DIMENSION_REASON)  # Failures
# metric -> its one dimension set: every series a probe publishes (ops.cost prices them, a test joins them).
METRIC_DIMENSIONS = {
    METRIC_SUCCESS: TARGET_DIMENSIONS,
    METRIC_LATENCY: TARGET_DIMENSIONS,
    METRIC_FAILURES: FAILURE_DIMENSIONS,
}

# The fields of a probe's JSON log line (Logs Insights queries them; the answering region is a field here,
# not a dimension).
LOG_FIELDS = ("door", "vantage", "outcome", "reason", "status", "answeredBy", "latencyMs")

# Every Reason value there is (bounded: the series a target can have are these, plus latency and success).
REASON_STATUS_3XX = "status-3xx"  # a redirect: not followed, not the health answer
REASON_STATUS_4XX = "status-4xx"  # a WAF block, CloudFront's 403, a missing mapping, a stale origin secret
REASON_STATUS_5XX = "status-5xx"
REASON_WRONG_REGION = "wrong-region"  # 2xx, but x-served-by-region missing or not one of the stack's regions
REASON_TIMEOUT = "timeout"
REASON_TLS = "tls"  # handshake or certificate failure
REASON_CONNECTION = "connection"  # refused, reset, no route, name not resolved
REASON_BAD_ANSWER = "bad-answer"  # not HTTP, or a status outside 2xx-5xx
REASONS = (
    REASON_STATUS_3XX,
    REASON_STATUS_4XX,
    REASON_STATUS_5XX,
    REASON_WRONG_REGION,
    REASON_TIMEOUT,
    REASON_TLS,
    REASON_CONNECTION,
    REASON_BAD_ANSWER,
)
