"""Per-container region health for Lambda@Edge: no timers, no redeploy, bounded waits.

Lambda@Edge realities this is built around:
- A container serves one request at a time and is frozen between invocations. No background timer
  fires, and a thread started in one invocation only makes progress while some invocation runs. A
  socket timeout that expires while frozen fires at thaw, so a timeout spanning a freeze says nothing
  about the origin.
- A cold container must not keep its first viewer waiting long; a busy one must not probe per request.

Model:
- Each region has a probe target (URL + request headers), a short history of probe outcomes (healthy
  or not, stamped with the time each probe *started*) and at most one current probe. An answer counts
  healthy only as the prober says (the router's prober wants a 200 naming the probed region); any other
  answer or a connection error is unhealthy; no answer within PROBE_TIMEOUT is unhealthy.
- Targets arrive late: the router probes through its own distribution, whose domain the container learns
  from its first request (Router.handle sets the targets). Until then nothing is probed and every region
  counts as not known unhealthy (a request with no distribution to probe through is routed on preference).
- HealthVerdict: a region is believed healthy while its last healthy outcome started less than MAX_STALE ago
  and fewer than FAILURE_THRESHOLD failed outcomes followed it; believed unhealthy while it is not healthy
  and a failed outcome started less than MAX_STALE ago; otherwise unknown.
- Refresh (stale-while-revalidate): the first request once the last round is TTL old starts a new
  round, every region probed concurrently on daemon threads, and does not wait for it.
- Bounded staleness: a request whose preferred region is unknown waits for that region's probe from this
  invocation, at most PROBE_TIMEOUT for all its waits together; no answer by then counts as unhealthy
  (recorded only for a probe that had the whole PROBE_TIMEOUT: one launched late in the walk is not
  condemned for the budget the earlier waits used, it just does not count as healthy for this request).
  The waits walk the preference order and stop at the first region found healthy, so a cold or idle
  container pays about one health round trip to its nearest region, and a container busy enough to
  refresh every TTL never waits. Every region with a fresh healthy verdict is looked at before any
  fail-open: the router fails open only when every region is believed or found unhealthy.
- Freeze-aware timeouts: a missing answer counts only when the probe started and ended inside one
  running invocation (no freeze in between); otherwise it is dropped and the old verdict ages towards
  MAX_STALE. Answers (200, 5xx, refused connection) always count; a 200 slower than PROBE_TIMEOUT
  counts as unhealthy only when no freeze can explain the delay.

Detection budget (`timing(interval, threshold)`, from the stack's healthCheck): MAX_STALE = interval x
threshold, TTL = interval (interval / 2 when threshold is 1, so that a busy container refreshes before its
verdicts go stale). A region that fails at t stops getting new requests from t + MAX_STALE on: its last
healthy outcome started before t and no probe started after t says healthy, so from t + MAX_STALE nothing
fresh says healthy; the one request that finds out may wait up to PROBE_TIMEOUT more. With traffic it is
usually sooner (after `threshold` failed rounds). Recovery shows up at the next round, within TTL plus a
probe. Without a healthCheck in the table: TTL 10 s, MAX_STALE 20 s, threshold 1 (the old behaviour).
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Optional

from .probe import probe_health

TTL_SECONDS = 10.0
MAX_STALE_SECONDS = 20.0
PROBE_TIMEOUT_SECONDS = 2.0
FAILURE_THRESHOLD = 1

# prober(url, timeout, headers, expect_region) -> True (200 from that region) | False (other answer,
# connection error) | None (no answer in time)
Prober = Callable[..., Optional[bool]]
Clock = Callable[[], float]
Spawn = Callable[[Callable[[], None]], None]

_log = logging.getLogger(__name__)


def timing(interval: Optional[float], threshold: Optional[int]) -> dict:
    """HealthMonitor keyword arguments for the stack's healthCheck (None, None: the defaults)."""
    if interval is None or threshold is None:
        return {"ttl": TTL_SECONDS, "max_stale": MAX_STALE_SECONDS, "failure_threshold": FAILURE_THRESHOLD}
    return {
        "ttl": float(interval) if threshold >= 2 else interval / 2,
        "max_stale": float(interval * threshold),
        "failure_threshold": threshold,
    }


@dataclass(frozen=True)
class Target:
    url: str
    headers: Mapping[str, str]


def start_daemon_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="edge-health-probe", daemon=True).start()


@dataclass(frozen=True)
class HealthVerdict:
    healthy: bool
    checked_at: float  # when the probe that produced it started


class _Probe:
    def __init__(self, region: str, started_at: float, invocation: int):
        self.region = region
        self.started_at = started_at
        self.invocation = invocation
        self.done = threading.Event()
        self.healthy: Optional[bool] = None  # None once done: the outcome was dropped


class HealthMonitor:
    def __init__(
        self,
        health_urls: Optional[Mapping[str, str]] = None,
        *,
        prober: Prober = probe_health,
        clock: Clock = time.monotonic,
        spawn: Spawn = start_daemon_thread,
        ttl: float = TTL_SECONDS,
        max_stale: float = MAX_STALE_SECONDS,
        probe_timeout: float = PROBE_TIMEOUT_SECONDS,
        failure_threshold: int = FAILURE_THRESHOLD,
    ):
        if not 0 < ttl <= max_stale:
            raise ValueError(f"health ttl ({ttl}) must be positive and at most max_stale ({max_stale})")
        if failure_threshold < 1:
            raise ValueError(f"health failure_threshold ({failure_threshold}) must be at least 1")
        self._targets = {region: Target(url, {}) for region, url in (health_urls or {}).items()}
        self._prober = prober
        self._clock = clock
        self._spawn = spawn
        self._ttl = ttl
        self._max_stale = max_stale
        self._probe_timeout = probe_timeout
        self._threshold = failure_threshold
        self._lock = threading.Lock()
        # region -> recent outcomes (started_at, healthy), oldest first, at most threshold + 1 of them
        self._outcomes: dict[str, list[tuple[float, bool]]] = {}
        # region -> (last healthy start, last failed start, failures since the last healthy): read per request
        self._summary: dict[str, tuple[Optional[float], Optional[float], int]] = {}
        self._probes: dict[str, _Probe] = {}
        self._round_started_at: Optional[float] = None
        self._invocation = 0
        self._running = False

    @property
    def targets(self) -> dict[str, Target]:
        with self._lock:
            return dict(self._targets)

    def set_targets(self, targets: Mapping[str, Target]) -> None:
        """Where each region's probe goes from now on. Outcomes so far are kept (they are about the regions,
        not the path to them); a probe under way finishes against its old target."""
        with self._lock:
            self._targets = dict(targets)

    def unhealthy_among(self, preference: Iterable[str]) -> frozenset[str]:
        """Start of an invocation: the regions this request must skip, walking `preference` in order.

        Stops at the first region believed healthy; the regions after it are not looked at.
        Call `end_invocation()` once the request is answered.
        """
        with self._lock:
            self._invocation += 1
            self._running = True
            now = self._clock()
            started = []
            if not self._targets:
                return frozenset()  # nowhere to probe yet: nothing is known unhealthy
            if self._round_started_at is None or now - self._round_started_at >= self._ttl:
                self._round_started_at = now
                started = [self._new_probe(region, now) for region in self._targets]
        self._launch(started)
        deadline = now + self._probe_timeout
        unhealthy = set()
        for region in preference:
            healthy = self._usable_verdict(region, now)
            if healthy is None:
                healthy = self._await_probe(region, now, deadline) if region in self._targets else True
            if healthy:
                break
            unhealthy.add(region)
        return frozenset(unhealthy)

    def end_invocation(self) -> None:
        """The container may be frozen from now on: timeouts seen from here on are not evidence."""
        with self._lock:
            self._running = False

    def verdicts(self) -> dict[str, HealthVerdict]:
        """Each region's latest outcome (by probe start)."""
        with self._lock:
            return {region: HealthVerdict(outs[-1][1], outs[-1][0]) for region, outs in self._outcomes.items() if outs}

    def _usable_verdict(self, region: str, now: float) -> Optional[bool]:
        with self._lock:
            summary = self._summary.get(region)
        if summary is None:
            return None
        healthy_at, failed_at, failures_since = summary
        if healthy_at is not None and now - healthy_at <= self._max_stale and failures_since < self._threshold:
            return True
        if failed_at is not None and now - failed_at <= self._max_stale:
            return False
        return None

    def _await_probe(self, region: str, began: float, deadline: float) -> bool:
        with self._lock:
            probe = self._probes.get(region)
            fresh = probe is None or probe.invocation != self._invocation
            if fresh:
                # A probe from an earlier invocation may have been frozen half-way: ask again.
                probe = self._new_probe(region, self._clock())
        assert probe is not None  # an existing probe, or the one just made
        if fresh:
            self._launch([probe])
        remaining = deadline - self._clock()
        if remaining > 0:
            probe.done.wait(remaining)
        with self._lock:
            # Still nothing after a whole PROBE_TIMEOUT in a running invocation: a real timeout. A probe
            # launched late in the walk had less: it stays under way and records its own answer.
            if probe.started_at <= began:  # it had the request's whole budget
                self._finish(probe, False)
        return probe.healthy is True

    def _new_probe(self, region: str, now: float) -> _Probe:
        # Caller holds the lock.
        probe = _Probe(region, now, self._invocation)
        self._probes[region] = probe
        return probe

    def _launch(self, probes: list[_Probe]) -> None:
        # Outside the lock: a probe takes the lock to record its outcome.
        for probe in probes:
            self._spawn(lambda probe=probe: self._run(probe))

    def _run(self, probe: _Probe) -> None:
        try:
            with self._lock:
                target = self._targets[probe.region]
            answer = self._prober(target.url, self._probe_timeout, dict(target.headers), probe.region)
        except Exception:  # a broken prober must not take routing down with it
            _log.exception("health probe for %s raised", probe.region)
            answer = False
        with self._lock:
            watched = probe.invocation == self._invocation and self._running
            too_slow = self._clock() - probe.started_at > self._probe_timeout
            if answer is None:
                healthy = False if watched else None  # silence proves nothing if we were frozen
            elif answer and too_slow and watched:
                healthy = False
            else:
                healthy = bool(answer)
            self._finish(probe, healthy)

    def _finish(self, probe: _Probe, healthy: Optional[bool]) -> None:
        # Caller holds the lock. The first outcome wins: a late answer after the waiter gave up is a timeout.
        if probe.done.is_set():
            return
        probe.healthy = healthy
        if healthy is not None:
            outcomes = self._outcomes.setdefault(probe.region, [])
            previous = outcomes[-1][1] if outcomes else None
            outcomes.append((probe.started_at, healthy))
            outcomes.sort(key=lambda outcome: outcome[0])
            del outcomes[: -(self._threshold + 1)]
            healthy_at = max((at for at, ok in outcomes if ok), default=None)
            self._summary[probe.region] = (
                healthy_at,
                max((at for at, ok in outcomes if not ok), default=None),
                sum(1 for at, ok in outcomes if not ok and (healthy_at is None or at > healthy_at)),
            )
            if previous is not None and outcomes[-1][1] != previous:
                _log.warning("region %s probe now says %s", probe.region, "healthy" if healthy else "unhealthy")
        probe.done.set()
