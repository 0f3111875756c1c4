"""Game-day fault injection, driven by this region's SSM parameter.

The parameter holds JSON: `{"mode": "none" | "latency" | "error" | "down", ...}`:
- `latency`: `latencyMs` (0..MAX_LATENCY_MS) of sleep before every data request, clipped to what
  the invocation's remaining time allows (see routes.LATENCY_HEADROOM_MS);
- `error`: answer `status` (500..599, default 500) to a fraction `errorRate` (0..1, default 1) of
  data requests;
- `down`: every request, the health path included, answers 503 so the front doors fail over.

Only `down` affects the health path: health reports whether this region should receive traffic,
and a region that is merely slow or flaky under test must stay in rotation for the game day to
show anything. A missing, unreadable or malformed parameter means no fault; the problem is
logged once, not on every request, and logged again only if it changes.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from . import contract
from .observability import logger

MAX_LATENCY_MS = 30_000


class ChaosConfigError(ValueError):
    """The parameter's value is not a valid chaos configuration."""


class ChaosConfig(NamedTuple):  # immutable; a NamedTuple costs the cold start less than a dataclass
    mode: str = "none"
    latency_ms: int = 0
    error_rate: float = 1.0
    error_status: int = 500


NO_CHAOS = ChaosConfig()


def parse_chaos(raw: str) -> ChaosConfig:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ChaosConfigError(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise ChaosConfigError("not a JSON object")

    mode = document.get("mode")
    if mode not in contract.CHAOS_MODES:
        raise ChaosConfigError(f"mode {mode!r} is not one of {', '.join(contract.CHAOS_MODES)}")

    if mode == "latency":
        latency = _number(document, "latencyMs", default=None)
        if latency is None or not 0 <= latency <= MAX_LATENCY_MS:
            raise ChaosConfigError(f"latency mode needs latencyMs between 0 and {MAX_LATENCY_MS}")
        return ChaosConfig(mode=mode, latency_ms=int(latency))

    if mode == "error":
        rate = _number(document, "errorRate", default=1.0)
        if rate is None or not 0 <= rate <= 1:  # None: an explicit `"errorRate": null`
            raise ChaosConfigError("errorRate must be between 0 and 1")
        status = document.get("status", 500)
        if isinstance(status, bool) or not isinstance(status, int) or not 500 <= status <= 599:
            raise ChaosConfigError("status must be an integer between 500 and 599")
        return ChaosConfig(mode=mode, error_rate=float(rate), error_status=status)

    return ChaosConfig(mode=mode)


def _number(document: dict, key: str, default: float | None) -> float | None:
    value = document.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ChaosConfigError(f"{key} must be a number")
    return value


class ChaosSource:
    """Reads the chaos parameter through a short cache (a changed mode applies within `ttl_seconds`).

    `clock` is injectable so tests can move time instead of sleeping.
    """

    def __init__(
        self,
        ssm_client,
        parameter_name: str,
        *,
        ttl_seconds: float = contract.CHAOS_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ssm = ssm_client
        self._parameter_name = parameter_name
        self._ttl_seconds = ttl_seconds
        self._clock = clock
        self._config = NO_CHAOS
        self._fetched_at: float | None = None
        self._reported_problem: str | None = None

    @property
    def client(self):
        """The SSM client it reads with (shared with the origin guard: one client per container)."""
        return self._ssm

    @property
    def clock(self) -> Callable[[], float]:
        return self._clock

    def current(self) -> ChaosConfig:
        now = self._clock()
        if self._fetched_at is None or now - self._fetched_at >= self._ttl_seconds:
            self._config = self._fetch()
            self._fetched_at = now
        return self._config

    def _fetch(self) -> ChaosConfig:
        try:
            raw = self._ssm.get_parameter(Name=self._parameter_name)["Parameter"]["Value"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "Unknown")
            if code == "ParameterNotFound":
                return self._no_fault(f"parameter {self._parameter_name} does not exist")
            # Throttled or denied: keep what we last knew, so a region that is `down` stays down.
            return self._keep_last(f"cannot read parameter {self._parameter_name}: {code}")
        except BotoCoreError as error:
            return self._keep_last(f"cannot reach SSM for {self._parameter_name}: {type(error).__name__}")

        try:
            config = parse_chaos(raw)
        except ChaosConfigError as error:
            return self._no_fault(f"parameter {self._parameter_name} is malformed: {error}")

        if self._reported_problem is not None:
            logger.info("chaos parameter readable again", extra={"chaos_mode": config.mode})
            self._reported_problem = None
        return config

    def _no_fault(self, problem: str) -> ChaosConfig:
        self._report(problem, "no fault injected")
        return NO_CHAOS

    def _keep_last(self, problem: str) -> ChaosConfig:
        self._report(problem, f"keeping the last known mode {self._config.mode!r}")
        return self._config

    def _report(self, problem: str, consequence: str) -> None:
        if problem != self._reported_problem:
            logger.warning(f"chaos: {problem}; {consequence}")
            self._reported_problem = problem
