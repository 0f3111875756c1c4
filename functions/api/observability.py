"""Powertools logger and metrics, shared by every module of the function.

Built at import (no AWS calls): the namespace and service fall back to the contract's values so
metrics always have a namespace, in Lambda and in tests alike.

One EMF document per request: Powertools Metrics writes it when the handler returns (log_metrics). Its
first dimension set is {region, service} (region a default dimension, service Powertools' own); a request's
front door adds a second set {frontDoor, region, service} (Metrics.add_dimensions, an extra entry of the
document's Dimensions array), so every metric of the request is published per region and per door alike,
from one JSON line (contract.DIMENSION_SETS).
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from . import contract

SERVICE = os.environ.get(contract.ENV_SERVICE_NAME) or contract.SERVICE_NAME
NAMESPACE = os.environ.get(contract.ENV_METRICS_NAMESPACE) or contract.METRICS_NAMESPACE

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def count_request(door: str, status: int, latency_ms: float) -> None:
    """The request's own figures, in the request's document, also under its front door's dimension set."""
    metrics.add_metric(name=contract.METRIC_REQUESTS, unit=MetricUnit.Count, value=1)
    metrics.add_metric(name=contract.status_metric(status), unit=MetricUnit.Count, value=1)
    metrics.add_metric(name=contract.METRIC_LATENCY, unit=MetricUnit.Milliseconds, value=latency_ms)
    metrics.add_dimensions(**{contract.DIMENSION_FRONT_DOOR: door, contract.DIMENSION_SERVICE: SERVICE})


def count(name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
