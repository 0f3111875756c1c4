"""One health probe from where the operator runs: status, answering region and latency, never an exception.

The same probe the deployed synthetic probes run (functions/probe/handler.py), so a game day measures
the doors the way the dashboard does.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.probe.handler import probe as probe_once


@dataclass(frozen=True)
class ProbeResult:
    status: int | None  # None: no answer (timeout, refused, TLS or DNS failure)
    region: str | None  # the answering region (x-served-by-region), when the function answered
    latency_ms: float


def probe(url: str, timeout: float) -> ProbeResult:
    # The deployed probe judges an answer against the regions it expects (its Outcome's reason); the game day
    # judges the answering region itself, so it expects none and keeps what answered and how fast.
    outcome = probe_once(url, frozenset(), timeout)
    return ProbeResult(outcome.status, outcome.region, outcome.latency_ms)
