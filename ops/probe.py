"""One health probe from where the operator runs: status, answering region and latency, never an exception.

The same probe the deployed synthetic probes run (functions/probe/handler.py), so a game day measures
the doors the way the dashboard does.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from functions.probe.handler import probe as probe_once

# The deployed probe judges an answer against the regions it expects (probe(url, regions, timeout),
# an Outcome); the game day judges the answering region itself, so it expects none. Older versions took
# (url, timeout) and answered (status, region, latency_ms): both are accepted.
_TAKES_REGIONS = "regions" in inspect.signature(probe_once).parameters


@dataclass(frozen=True)
class ProbeResult:
    status: int | None  # None: no answer (timeout, refused, TLS or DNS failure)
    region: str | None  # the answering region (x-served-by-region), when the function answered
    latency_ms: float


def probe(url: str, timeout: float) -> ProbeResult:
    outcome = probe_once(url, frozenset(), timeout) if _TAKES_REGIONS else probe_once(url, timeout)
    status, region, latency_ms = tuple(outcome)[:3]
    return ProbeResult(status, region, latency_ms)
