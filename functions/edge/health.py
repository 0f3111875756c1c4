"""Per-container region health for Lambda@Edge: no timers, no redeploy, bounded waits.

Lambda@Edge realities this is built around:
- A container serves one request at a time and is frozen between invocations. No background timer
  fires, and a thread started in one invocation only makes progress while some invocation runs. A
  socket timeout that expires while frozen fires at thaw, so a timeout spanning a freeze says nothing
  about the origin.
- A cold container must not keep its first viewer waiting long; a busy one must not probe per request.

Model:
- Each region has a verdict (healthy or not, stamped with the time its probe *started*) and at most
  one current probe. A probe is `GET <protocol>://<originHost>[:<port>]<healthPath>`: 200 = healthy,
  any other answer or a connection error = unhealthy, no answer within PROBE_TIMEOUT = unhealthy.
- Refresh (stale-while-revalidate): the first request once the last round is TTL old starts a new
  round, every region probed concurrently on daemon threads, and does not wait for it.
- Bounded staleness: a verdict older than MAX_STALE is not used. A request whose preferred region has
  no usable verdict waits for that region's probe from this invocation, at most PROBE_TIMEOUT for all
  its waits together; no answer by then counts as unhealthy. The waits walk the preference order and
  stop at the first region found healthy, so a cold or idle container pays about one health round
  trip to its nearest region, and a container busy enough to refresh every TTL never waits.
- Freeze-aware timeouts: a missing answer counts only when the probe started and ended inside one
  running invocation (no freeze in between); otherwise it is dropped and the old verdict ages towards
  MAX_STALE. Answers (200, 5xx, refused connection) always count; a 200 slower than PROBE_TIMEOUT
  counts as unhealthy only when no freeze can explain the delay.

Why a failed region stops getting new requests within 30 s: "healthy" is only used while its probe
started less than MAX_STALE (20 s) ago, and no probe started after the failure can say healthy. From
failure + MAX_STALE on, this container routes nothing there; the one request that finds out may wait
up to PROBE_TIMEOUT (2 s) more. Recovery shows up at the next round, within TTL plus a probe.
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

# prober(url, timeout) -> True (200) | False (other answer, connection error) | None (no answer in time)
Prober = Callable[..., Optional[bool]]  # (url, timeout[, headers])
Clock = Callable[[], float]
Spawn = Callable[[Callable[[], None]], None]

_log = logging.getLogger(__name__)


def start_daemon_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="edge-health-probe", daemon=True).start()


@dataclass(frozen=True)
class Verdict:
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
        health_urls: Mapping[str, str],
        *,
        prober: Prober = probe_health,
        clock: Clock = time.monotonic,
        spawn: Spawn = start_daemon_thread,
        ttl: float = TTL_SECONDS,
        max_stale: float = MAX_STALE_SECONDS,
        probe_timeout: float = PROBE_TIMEOUT_SECONDS,
    ):
        if not 0 < ttl <= max_stale:
            raise ValueError(f"health ttl ({ttl}) must be positive and at most max_stale ({max_stale})")
        self._urls = dict(health_urls)
        self._prober = prober
        self._clock = clock
        self._spawn = spawn
        self._ttl = ttl
        self._max_stale = max_stale
        self._probe_timeout = probe_timeout
        self._lock = threading.Lock()
        self._verdicts: dict[str, Verdict] = {}
        self._probes: dict[str, _Probe] = {}
        self._round_started_at: Optional[float] = None
        self._invocation = 0
        self._running = False
        self._probe_headers: dict[str, str] = {}

    def use_probe_headers(self, headers: Mapping[str, str]) -> None:
        """Headers every probe sends: the distribution's origin custom headers (the origin secret), so a
        region whose entry refuses requests without them is not taken for down."""
        self._probe_headers = dict(headers)

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
            if self._round_started_at is None or now - self._round_started_at >= self._ttl:
                self._round_started_at = now
                started = [self._new_probe(region, now) for region in self._urls]
        self._launch(started)
        deadline = now + self._probe_timeout
        unhealthy = set()
        for region in preference:
            healthy = self._usable_verdict(region, now)
            if healthy is None:
                healthy = self._await_probe(region, deadline)
            if healthy:
                break
            unhealthy.add(region)
        return frozenset(unhealthy)

    def end_invocation(self) -> None:
        """The container may be frozen from now on: timeouts seen from here on are not evidence."""
        with self._lock:
            self._running = False

    def verdicts(self) -> dict[str, Verdict]:
        with self._lock:
            return dict(self._verdicts)

    def _usable_verdict(self, region: str, now: float) -> Optional[bool]:
        with self._lock:
            verdict = self._verdicts.get(region)
        if verdict is None or now - verdict.checked_at > self._max_stale:
            return None
        return verdict.healthy

    def _await_probe(self, region: str, deadline: float) -> bool:
        with self._lock:
            probe = self._probes.get(region)
            fresh = probe is None or probe.invocation != self._invocation
            if fresh:
                # A probe from an earlier invocation may have been frozen half-way: ask again.
                probe = self._new_probe(region, self._clock())
        if fresh:
            self._launch([probe])
        remaining = deadline - self._clock()
        if remaining > 0:
            probe.done.wait(remaining)
        with self._lock:
            # Still nothing after waiting the whole budget in a running invocation: a real timeout.
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
            url = self._urls[probe.region]
            headers = self._probe_headers
            answer = (
                self._prober(url, self._probe_timeout, headers) if headers else self._prober(url, self._probe_timeout)
            )
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
        previous = self._verdicts.get(probe.region)
        if healthy is not None and (previous is None or probe.started_at >= previous.checked_at):
            self._verdicts[probe.region] = Verdict(healthy, probe.started_at)
            if previous is not None and previous.healthy != healthy:
                _log.warning("region %s is now %s", probe.region, "healthy" if healthy else "unhealthy")
        probe.done.set()
