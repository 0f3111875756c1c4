"""Powertools logger and metrics, shared by every module of the function.

Built at import (no AWS calls): the namespace and service fall back to the contract's values so
metrics always have a namespace, in Lambda and in tests alike.
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


def count(name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
