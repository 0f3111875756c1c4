"""Powertools logger and metrics, shared by every module of the function.

Built at import (no AWS calls): the namespace and service fall back to the contract's values so
metrics always have a namespace, in Lambda and in tests alike.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from . import contract

SERVICE = os.environ.get(contract.ENV_SERVICE_NAME) or contract.SERVICE_NAME
NAMESPACE = os.environ.get(contract.ENV_METRICS_NAMESPACE) or contract.METRICS_NAMESPACE

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
# Per-door figures have dimensions of their own (frontDoor, region), so they go in a metric set of their own.
door_metrics = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)


def count_door(door: str, region: str, status: int, latency_ms: float) -> None:
    door_metrics.add_dimension(name="frontDoor", value=door)
    door_metrics.add_dimension(name="region", value=region)
    door_metrics.add_metric(name="DoorRequests", unit=MetricUnit.Count, value=1)
    door_metrics.add_metric(name="Door5xx", unit=MetricUnit.Count, value=1 if status >= 500 else 0)
    door_metrics.add_metric(name="DoorLatency", unit=MetricUnit.Milliseconds, value=latency_ms)
    door_metrics.flush_metrics()


def count(name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
