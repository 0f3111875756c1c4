"""A timed game day: break one region, watch each door move traffic away and back, always mend it.

The run records the region's chaos value, writes the fault, probes every target once a second (each
door's own hostname and the region's own entry, on the health path, from wherever it runs) for the
fault's duration, restores the recorded value (also on Ctrl-C or an error), and keeps probing until
every door that sent traffic to the region does so again, or `recover_timeout` passes.

From the timeline it finds, per door:
- time to evacuate: from the fault to the first probe after which the door never answered from the
  broken region again during the fault;
- time to recover: from the restore to the first probe answered from the region again.
A door that never sent this prober to the region (its nearest healthy region is elsewhere) has neither.

`progress(event, timeline, elapsed)` hears the run as it goes: "fault" once the fault is written,
"round" after every round of probes, "restored" once the recorded value is back, "done" at the end.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ops.probe import ProbeResult

PROBE_INTERVAL_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 2.0
ENTRY = "entry"  # the lane of the broken region's own entry


@dataclass(frozen=True)
class ProbeSample:
    at: float  # seconds since the fault was written
    phase: str  # "fault" | "recovery"
    target: str  # a door's name, or ENTRY
    status: int | None
    region: str | None
    latency_ms: float


@dataclass
class Timeline:
    region: str
    fault: str
    targets: dict[str, str]  # target -> URL probed
    restored_at: float | None = None
    interrupted: bool = False  # Ctrl-C during the fault: restored at once, no recovery watch
    samples: list[ProbeSample] = field(default_factory=list)


class RestoreFailed(Exception):
    """Writing the recorded value back failed: the region is still broken."""

    def __init__(self, previous: str, error: Exception) -> None:
        super().__init__(f"could not write back {previous}: {error}")
        self.previous, self.error = previous, error


class ParameterStore:
    """The region's chaos parameter: read, written, restored."""

    def __init__(self, client, name: str) -> None:
        self._client, self._name = client, name

    def read(self) -> str:
        return self._client.get_parameter(Name=self._name)["Parameter"]["Value"]

    def write(self, value: str) -> None:
        self._client.put_parameter(Name=self._name, Value=value, Type="String", Overwrite=True)


def run(
    store: ParameterStore,
    fault_value: str,
    targets: Mapping[str, str],
    region: str,
    fault: str,
    duration: float,
    recover_timeout: float,
    *,
    probe: Callable[[str, float], ProbeResult],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str, Timeline, float], None] = lambda event, timeline, elapsed: None,
) -> Timeline:
    previous = store.read()
    timeline = Timeline(region=region, fault=fault, targets=dict(targets))
    store.write(fault_value)
    started = clock()
    try:
        progress("fault", timeline, 0.0)
        while clock() - started < duration:
            _probe_round(timeline, "fault", started, probe, clock)
            progress("round", timeline, clock() - started)
            sleep(PROBE_INTERVAL_SECONDS)
    except KeyboardInterrupt:
        timeline.interrupted = True
    finally:
        try:
            store.write(previous)  # whatever happened: the region is mended
        except Exception as error:
            raise RestoreFailed(previous, error) from error
        timeline.restored_at = round(clock() - started, 3)
    progress("restored", timeline, timeline.restored_at)
    if timeline.interrupted:
        return timeline
    waiting = {t for t in targets if t != ENTRY and _ever_sent(timeline, t)}
    while waiting and clock() - started - timeline.restored_at < recover_timeout:
        _probe_round(timeline, "recovery", started, probe, clock)
        waiting -= {t for t in waiting if recovery_seconds(timeline, t) is not None}
        progress("round", timeline, clock() - started)
        if waiting:
            sleep(PROBE_INTERVAL_SECONDS)
    progress("done", timeline, clock() - started)
    return timeline


def _probe_round(timeline: Timeline, phase: str, started: float, probe, clock) -> None:
    for target, url in timeline.targets.items():
        result = probe(url, PROBE_TIMEOUT_SECONDS)
        timeline.samples.append(
            ProbeSample(
                round(clock() - started, 3), phase, target, result.status, result.region, round(result.latency_ms, 1)
            )
        )


def _answered_from(sample: ProbeSample, region: str) -> bool:
    return sample.status is not None and sample.status < 500 and sample.region == region


def _ever_sent(timeline: Timeline, target: str) -> bool:
    """Whether this door sent this prober to the region at all (before or after the fault)."""
    return any(s.target == target and s.region == timeline.region for s in timeline.samples)


def evacuation_seconds(timeline: Timeline, target: str) -> float | None:
    """From the fault to the first probe after which the door stopped answering from the region."""
    fault = [s for s in timeline.samples if s.target == target and s.phase == "fault"]
    if not fault or not any(s.region == timeline.region for s in fault):
        return None  # never sent here during the fault: nothing to evacuate (or never observed)
    last_here = max(i for i, s in enumerate(fault) if s.region == timeline.region)
    return fault[last_here + 1].at if last_here + 1 < len(fault) else None


def recovery_seconds(timeline: Timeline, target: str) -> float | None:
    """From the restore to the first probe answered from the region again."""
    if timeline.restored_at is None:
        return None
    back = [
        s
        for s in timeline.samples
        if s.target == target and s.phase == "recovery" and _answered_from(s, timeline.region)
    ]
    return round(back[0].at - timeline.restored_at, 3) if back else None


def summary(timeline: Timeline) -> dict:
    doors = {}
    for target in timeline.targets:
        samples = [s for s in timeline.samples if s.target == target]
        answered = [s for s in samples if s.status is not None and s.status < 500]
        doors[target] = {
            "url": timeline.targets[target],
            "probes": len(samples),
            "availability": round(len(answered) / len(samples), 4) if samples else None,
            "evacuate_seconds": None if target == ENTRY else evacuation_seconds(timeline, target),
            "recover_seconds": None if target == ENTRY else recovery_seconds(timeline, target),
            "answered_by": sorted({s.region for s in samples if s.region}),
        }
    return {
        "region": timeline.region,
        "fault": timeline.fault,
        "restored_at": timeline.restored_at,
        "interrupted": timeline.interrupted,
        "targets": doors,
    }


def write_outputs(timeline: Timeline, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / "timeline.csv", "summary": out / "summary.json", "png": out / "timeline.png"}
    with paths["csv"].open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ProbeSample.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(asdict(s) for s in timeline.samples)
    paths["summary"].write_text(json.dumps(summary(timeline), indent=2) + "\n")
    _plot(timeline, paths["png"])
    return paths


def _plot(timeline: Timeline, path: Path) -> None:
    import matplotlib.pyplot as plt

    figure = timeline_figure(timeline)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def timeline_figure(timeline: Timeline):
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    lanes = list(timeline.targets)
    figure, axis = plt.subplots(figsize=(11, max(2.8, 1 + 0.6 * len(lanes))))  # room for the legend
    colors = {"broken": "tab:red", "elsewhere": "tab:green", "failed": "black"}
    for row, target in enumerate(lanes):
        times: dict[str, list[float]] = {kind: [] for kind in colors}
        for sample in (s for s in timeline.samples if s.target == target):
            if sample.status is None or sample.status >= 500:
                kind = "failed"
            else:
                kind = "broken" if sample.region == timeline.region else "elsewhere"
            times[kind].append(sample.at)
        for kind, at in times.items():
            if at:
                axis.scatter(at, [row] * len(at), color=colors[kind], s=12)
    if timeline.restored_at is not None:
        axis.axvline(timeline.restored_at, color="gray", linestyle="--", label="restored")
    axis.axvline(0, color="tab:red", linestyle="--", label=f"{timeline.fault} written")
    axis.set_yticks(range(len(lanes)), lanes)
    axis.set_xlabel("seconds since the fault")
    axis.set_title(f"game day: {timeline.region} {timeline.fault}")
    for kind, label in (
        ("broken", f"answered by {timeline.region}"),
        ("elsewhere", "answered elsewhere"),
        ("failed", "failed (5xx, no answer)"),
    ):
        axis.scatter([], [], color=colors[kind], s=12, label=label)
    # Outside the axes, right of the lanes: the legend never covers a probe.
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize="small")
    figure.tight_layout()
    return figure
