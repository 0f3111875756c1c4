"""`python -m ops.report --stack S --out DIR`: which front door wins on failover, latency and cost.

    python -m ops.report --stack prod --out report/
    python -m ops.report --stack prod --out report/ --gameday gameday/summary.json --requests-per-month 5e7

Writes DIR/report.md and DIR/doors.png, comparing every door the stack's backend can take (not only
the configured one), each as the stack's only door:
- time to fail over: modelled from the stack's health-check, target-group and router settings; measured
  from game-day summaries when given (`--gameday`, the `evacuate_seconds` of each door);
- latency: modelled from the inter-region latency matrix in ops/data (p50 round trips between AWS
  regions, source and date in the file): a client near each region of the matrix reaches the nearest
  healthy region of the stack; the doors differ only by what they add on the way (DoorFacts.overhead_ms);
- monthly cost: ops.cost with the same usage for each door.
With `--from-cloudwatch` the probes' own figures come in too (the last `--hours`, default 24, from every
vantage): latency p50/p99 and availability per door, computed from the per-minute values (each probe
publishes one value a minute per door and vantage, so a minute's average is that probe). Measured
latency then decides the latency winner. Then the winner on each axis. Exit 0, or 2 with one line for
bad input, an --out that cannot take the files, a missing dependency (matplotlib; boto3 with
--from-cloudwatch; checked before anything is written) or unreadable CloudWatch.

`--json` prints only this (the files are written as without it):

    {"stack": "prod",
     "files": {"report": "DIR/report.md", "chart": "DIR/doors.png"},
     "winners": {"failover": "<door>", "latency": "<door> = <door>", "cost": "<door>"},
     "doors": {"<door>": {"failover_modelled_s": 30, "failover_measured_s": null or seconds,
                          "latency_p50_ms": 51.4, "monthly_cost": 93.1,
                          "probes": null or {"p50_ms": ..., "p99_ms": ..., "availability": 0.99, "samples": 300}},
               ...}}
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

try:
    from components.config import ConfigError, Settings
    from components.regional import function_settings
    from components.registry import DOORS, PROBE_NAMESPACE
    from functions.edge import health as edge_health
    from functions.probe import contract as probe_contract
    from offline.stack_config import StackConfigError
    from offline.stack_facts import stack_settings
    from ops import cost
except ImportError as _missing:  # run outside the virtualenv: one line, not a traceback
    if __name__ != "__main__":
        raise
    print(f"ops.report: cannot import {_missing.name or _missing} (run with the project's virtualenv)", file=sys.stderr)
    sys.exit(2)

RTT_FILE = Path(__file__).with_name("data") / "inter_region_rtt_p50.json"
DNS_TTL_SECONDS = 60  # the alias target's TTL clients wait out after Route 53 flips (docs/operations.md)
# What each door adds to a request's round trip in the model (DoorFacts.overhead_ms) and its one colour in
# every panel and every stack's chart (DoorFacts.colour) come from the door's facts.


def _dns_health_check(settings: Settings) -> float:
    return settings.health_check.detection_seconds + DNS_TTL_SECONDS


def _target_group_health_check(settings: Settings) -> float:
    check = function_settings.alb_target_group_health(settings.health_check)
    return check.interval * check.unhealthy_threshold


def _edge_router(settings: Settings) -> float:
    return edge_health.MAX_STALE_SECONDS + edge_health.PROBE_TIMEOUT_SECONDS


# How a dead region stops getting requests (DoorFacts.failover): the model's seconds and how it is made.
FAILOVER_MODELS = {
    "dns-health-check": (
        _dns_health_check,
        lambda settings: f"checks ({settings.health_check.detection_seconds} s) + {DNS_TTL_SECONDS} s TTL",
    ),
    "target-group-health-check": (
        _target_group_health_check,
        lambda settings: "the ALB target group's interval x unhealthy threshold",
    ),
    "edge-router": (
        _edge_router,
        lambda settings: (
            f"the router's verdict age ({edge_health.MAX_STALE_SECONDS:g} s) + one probe "
            f"({edge_health.PROBE_TIMEOUT_SECONDS:g} s)"
        ),
    ),
}
ASSUMPTIONS = (
    "clients sit in the metro of each region of the latency matrix and reuse connections (no handshakes counted)",
    "a door's path costs the p50 round trip from the client's region to the stack region nearest it",
    "Global Accelerator's and CloudFront's edges are in the client's metro",
    f"failover ends when new requests stop reaching the failed region; DNS clients also wait out {DNS_TTL_SECONDS} s of TTL",
)


class ReportInputError(ValueError):
    """Input the report cannot use; the message says which."""


@dataclass(frozen=True)
class Measured:
    p50_ms: float
    p99_ms: float
    availability: float  # share of successful probes
    samples: int
    by_vantage: dict[str, Measured] = field(default_factory=dict)  # the same, from each vantage alone

    @classmethod
    def of(cls, latencies: list[float], successes: list[float], **extra) -> Measured:
        return cls(
            p50_ms=round(_percentile(latencies, 0.50), 1),
            p99_ms=round(_percentile(latencies, 0.99), 1),
            availability=round(statistics.fmean(successes), 4),
            samples=len(successes),
            **extra,
        )


@dataclass(frozen=True)
class DoorFigures:
    door: str
    failover_modelled_s: float
    failover_measured_s: float | None
    latency_p50_ms: float  # mean over client vantages of the modelled round trip
    latency_by_vantage: dict[str, float]
    monthly_cost: float
    measured: Measured | None = None  # from the probes (--from-cloudwatch)


def load_rtt(path: Path = RTT_FILE) -> dict:
    return json.loads(path.read_text())


def candidate_doors(settings: Settings) -> tuple[str, ...]:
    return tuple(door for door, facts in DOORS.items() if settings.backend in facts.backends)


def _failover_model(door: str):
    model = FAILOVER_MODELS.get(DOORS[door].failover)
    if model is None:
        raise ReportInputError(
            f"no failover model for door {door!r}: its DoorFacts.failover is {DOORS[door].failover!r}, "
            f"one of {', '.join(FAILOVER_MODELS)}"
        )
    return model


def modelled_failover_seconds(door: str, settings: Settings) -> float:
    return _failover_model(door)[0](settings)


def modelled_latency(door: str, regions: tuple[str, ...], rtt: dict) -> dict[str, float]:
    """Client vantage (a matrix region) -> modelled round trip through the door to the nearest stack region."""
    matrix = rtt["rtt"]
    known = [r for r in regions if r in matrix]
    if not known:
        raise ReportInputError(f"none of the regions {', '.join(regions)} is in the latency matrix")
    return {
        vantage: round(min(row[r] for r in known if r in row) + DOORS[door].overhead_ms, 1)
        for vantage, row in sorted(matrix.items())
        if any(r in row for r in known)
    }


def measured_failover(summaries: list[dict]) -> dict[str, float]:
    """Door -> the slowest evacuation any game day measured (the figure a user must plan for)."""
    measured: dict[str, float] = {}
    for summary in summaries:
        for door, figures in summary.get("targets", {}).items():
            seconds = figures.get("evacuate_seconds")
            if door in DOORS and isinstance(seconds, (int, float)):
                measured[door] = max(measured.get(door, 0.0), float(seconds))
    return measured


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it (NaN for none:
    probes publish LatencyMs only for successful probes)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:g}"


LATENCY, SUCCESS = probe_contract.METRIC_LATENCY, probe_contract.METRIC_SUCCESS  # what the probes publish


def probe_figures(settings: Settings, cloudwatch_for, hours: float, now) -> dict[str, Measured]:
    """Door -> the probes' figures over the last `hours`, from every vantage (region) together."""
    start = now - timedelta(hours=hours)
    measured = {}
    for door in settings.strategies:
        latencies, successes, by_vantage = [], [], {}
        for vantage in settings.probe_regions:
            client = cloudwatch_for(vantage)
            dimensions = [
                {"Name": probe_contract.DIMENSION_DOOR, "Value": door},
                {"Name": probe_contract.DIMENSION_VANTAGE, "Value": vantage},
            ]
            values = {}
            for metric in (LATENCY, SUCCESS):
                points = client.get_metric_statistics(
                    Namespace=PROBE_NAMESPACE, MetricName=metric, Dimensions=dimensions,
                    StartTime=start, EndTime=now, Period=60, Statistics=["Average"],
                )["Datapoints"]  # fmt: skip
                values[metric] = [point["Average"] for point in points]
            if values[SUCCESS]:  # LatencyMs exists for successful probes only: a vantage that always failed counts
                by_vantage[vantage] = Measured.of(values[LATENCY], values[SUCCESS])
                latencies += values[LATENCY]
                successes += values[SUCCESS]
        if latencies and successes:
            measured[door] = Measured.of(latencies, successes, by_vantage=by_vantage)
    return measured


def figures(
    settings: Settings, usage: cost.Usage, summaries: list[dict], rtt: dict, probes: dict[str, Measured] | None = None
) -> list[DoorFigures]:
    measured = measured_failover(summaries)
    prices = cost.load_prices()
    rows = []
    for door in candidate_doors(settings):
        alone = settings.model_copy(update={"front_door": ((door, None),)})
        by_vantage = modelled_latency(door, settings.regions, rtt)
        rows.append(
            DoorFigures(
                door=door,
                failover_modelled_s=modelled_failover_seconds(door, settings),
                failover_measured_s=measured.get(door),
                latency_p50_ms=round(statistics.fmean(by_vantage.values()), 1),
                latency_by_vantage=by_vantage,
                monthly_cost=cost.estimate(alone, usage, prices)["total"],
                measured=(probes or {}).get(door),
            )
        )
    return rows


def winners(rows: list[DoorFigures]) -> dict[str, str]:
    """Axis -> the best door, or the doors tied for best ("a = b")."""

    def failover(row: DoorFigures) -> float:
        return row.failover_measured_s if row.failover_measured_s is not None else row.failover_modelled_s

    def latency(row: DoorFigures) -> float:
        return row.measured.p50_ms if row.measured is not None else row.latency_p50_ms

    measured_all = all(row.measured is not None for row in rows)
    axes = {
        "failover": failover,
        # Measured latency decides when every door has it; otherwise the model compares like with like.
        "latency": latency if measured_all else (lambda r: r.latency_p50_ms),
        "cost": lambda r: r.monthly_cost,
    }
    best = {}
    for axis, key in axes.items():
        lowest = min(key(row) for row in rows)
        best[axis] = " = ".join(row.door for row in rows if key(row) == lowest)
    return best


def render(stack: str, settings: Settings, usage: cost.Usage, rows: list[DoorFigures], rtt: dict) -> str:
    best = winners(rows)
    lines = [
        f"# Front doors for stack {stack}",
        "",
        f"Regions {', '.join(settings.regions)}, backend `{settings.backend}`, health checks every "
        f"{settings.health_check.interval_seconds} s x {settings.health_check.failure_threshold}; "
        f"{usage.requests:,.0f} requests a month of {usage.response_kb:g} KB, {usage.write_share:.0%} writes.",
        "",
        "| door | failover, modelled (s) | failover, measured (s) | latency p50, modelled (ms) "
        "| probes p50 / p99 (ms) | probes availability | cost (USD/month) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        measured = "-" if row.failover_measured_s is None else f"{row.failover_measured_s:g}"
        probes = "-" if row.measured is None else f"{_ms(row.measured.p50_ms)} / {_ms(row.measured.p99_ms)}"
        available = "-" if row.measured is None else f"{row.measured.availability:.2%}"
        lines.append(
            f"| {row.door} | {row.failover_modelled_s:g} | {measured} | {row.latency_p50_ms:g} | {probes} "
            f"| {available} | {row.monthly_cost:,.2f} |"
        )
    vantages = [(row.door, v, m) for row in rows if row.measured for v, m in row.measured.by_vantage.items()]
    if vantages:
        lines += [
            "",
            "Probes per vantage:",
            "",
            "| door | vantage | p50 (ms) | p99 (ms) | availability | probes |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {d} | {v} | {_ms(m.p50_ms)} | {_ms(m.p99_ms)} | {m.availability:.2%} | {m.samples} |"
            for d, v, m in vantages
        ]
    lines += [
        "",
        f"Winners: failover **{best['failover']}**, latency **{best['latency']}**, cost **{best['cost']}**.",
        "",
        "How the figures are made:",
        "- failover: "
        + "; ".join(f"{row.door} = {_failover_model(row.door)[1](settings)}" for row in rows)
        + ". Measured = the slowest evacuation of the game days given.",
        f"- latency: {rtt['percentile']} round trips from {rtt['source']} ({rtt['collected']}), averaged over "
        f"{len(rows[0].latency_by_vantage)} client vantages; door overheads "
        f"{ {row.door: DOORS[row.door].overhead_ms for row in rows} } ms.",
        f"- cost: ops.cost with prices of {cost.load_prices()['collected']}, each door alone.",
        "- assumptions: " + "; ".join(ASSUMPTIONS) + ".",
        "- probes: latency percentiles and availability of the probes of every vantage "
        "(`--from-cloudwatch`; '-' without it); they decide the latency winner when every door has them.",
        "",
        "![doors](doors.png)",
    ]
    return "\n".join(lines) + "\n"


def plot(rows: list[DoorFigures], path: Path, stack: str, day: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = doors_figure(rows, stack, day)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def doors_figure(rows: list[DoorFigures], stack: str, day: str):
    """Three panels, each door in its one colour (DoorFacts.colour) with its value on its bar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    doors = [r.door for r in rows]
    measured = any(r.failover_measured_s is not None for r in rows)
    panels = (
        (
            "time to fail over (s)" + (", measured where a game day was given" if measured else ", modelled"),
            [r.failover_measured_s if r.failover_measured_s is not None else r.failover_modelled_s for r in rows],
            "{:g}",
        ),
        ("latency p50, modelled (ms)", [r.latency_p50_ms for r in rows], "{:g}"),
        ("monthly cost (USD)", [r.monthly_cost for r in rows], "{:,.2f}"),
    )
    figure, axes = plt.subplots(1, 3, figsize=(13, 4))
    for axis, (title, values, fmt) in zip(axes, panels, strict=True):
        bars = axis.bar(doors, values, color=[DOORS[d].colour for d in doors])
        axis.bar_label(bars, labels=[fmt.format(v) for v in values], padding=2)
        axis.margins(y=0.15)  # room for the labels above the tallest bar
        axis.set_title(title, fontsize="medium")
        axis.tick_params(axis="x", labelrotation=20)
    figure.suptitle(f"Front doors for stack {stack}, {day}")
    figure.tight_layout()
    return figure


def _from_cloudwatch(settings: Settings, cloudwatch_for, hours: float) -> dict[str, Measured]:
    if cloudwatch_for is None:
        import boto3

        def default_client(region):
            return boto3.client("cloudwatch", region_name=region)

        cloudwatch_for = default_client

    try:
        return probe_figures(settings, cloudwatch_for, hours, datetime.now(UTC))
    except Exception as error:  # noqa: BLE001 one line, never a traceback
        from ops.aws_errors import aws_problem

        raise ReportInputError(f"cannot read the probes' metrics: {aws_problem(error)}") from None


def parser():
    parser = cost.OpsArgumentParser(prog="python -m ops.report", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack", required=True, help="the stack to compare doors for (dev, prod)")
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="directory for report.md and doors.png (created if missing)"
    )
    parser.add_argument(
        "--gameday", action="append", default=[], metavar="FILE", help="a game day's summary.json (repeatable)"
    )
    cost.add_usage_options(parser, requests_default="10000000")
    parser.add_argument("--from-cloudwatch", action="store_true", help="read the probes' figures (AWS credentials)")
    parser.add_argument("--hours", default="24", help="with --from-cloudwatch: how far back (default 24)")
    parser.add_argument("--json", action="store_true", help="print only JSON (shape: python -m pydoc ops.report)")
    return parser


def main(argv: list[str] | None = None, cloudwatch_for=None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as done:  # usage errors (one line, exit 2) and --help (exit 0)
        return cost.exit_code(done)
    needed = ["matplotlib"] + (["boto3"] if args.from_cloudwatch and cloudwatch_for is None else [])
    problem = cost.out_problem("--out", args.out) or cost.missing_module(*needed)
    if problem:
        return cost.fail("ops.report", problem)
    try:
        usage = cost.Usage(
            requests=cost.parse_number("--requests-per-month", args.requests_per_month, 0),
            response_kb=cost.parse_number("--response-kb", args.response_kb, 0),
            write_share=cost.parse_number("--write-share", args.write_share, 0, 1),
        )
        settings = stack_settings(args.stack)
        summaries = [_summary(path) for path in args.gameday]
        rtt = load_rtt()
        measured = None
        if args.from_cloudwatch:
            hours = cost.parse_number("--hours", args.hours, 1, 24 * 15)
            measured = _from_cloudwatch(settings, cloudwatch_for, hours)
        rows = figures(settings, usage, summaries, rtt, measured)
    except (ReportInputError, cost.CostInputError, ConfigError, StackConfigError) as error:
        return cost.fail("ops.report", str(error))
    out = Path(args.out)
    files = {"report": out / "report.md", "chart": out / "doors.png"}
    try:
        out.mkdir(parents=True, exist_ok=True)
        files["report"].write_text(render(args.stack, settings, usage, rows, rtt))
        plot(rows, files["chart"], args.stack, datetime.now(UTC).date().isoformat())
    except OSError as error:
        return cost.fail("ops.report", f"cannot write --out {args.out}: {error.strerror or error}")
    if args.json:
        cost.emit(json.dumps(as_json(args.stack, rows, files), indent=2))
    else:
        cost.emit(f"wrote {files['report']} and {files['chart']}")
    return 0


def as_json(stack: str, rows: list[DoorFigures], files: dict[str, Path]) -> dict:
    """The --json shape (module docstring)."""

    def probes(measured: Measured | None) -> dict | None:
        if measured is None:
            return None
        return {
            "p50_ms": measured.p50_ms,
            "p99_ms": measured.p99_ms,
            "availability": measured.availability,
            "samples": measured.samples,
        }

    return {
        "stack": stack,
        "files": {name: str(path) for name, path in files.items()},
        "winners": winners(rows),
        "doors": {
            row.door: {
                "failover_modelled_s": row.failover_modelled_s,
                "failover_measured_s": row.failover_measured_s,
                "latency_p50_ms": row.latency_p50_ms,
                "monthly_cost": row.monthly_cost,
                "probes": probes(row.measured),
            }
            for row in rows
        },
    }


def _summary(path: str) -> dict:
    try:
        summary = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ReportInputError(f"--gameday {path}: not a readable summary.json ({type(error).__name__})") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("targets"), dict):
        raise ReportInputError(f"--gameday {path}: not a game-day summary (no targets)")
    return summary


if __name__ == "__main__":
    sys.exit(main())
