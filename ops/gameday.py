"""`python -m ops.gameday`: break a region on purpose, and mend it, through its chaos parameter.

    python -m ops.gameday run --stack prod --region eu-west-1 --fault down --duration 300 --out gameday/
    python -m ops.gameday status --stack dev
    python -m ops.gameday --stack dev --region eu-west-1 down
    python -m ops.gameday latency --stack dev --region eu-west-1 --ms 300
    python -m ops.gameday error --stack dev --region eu-west-1 --rate 0.5 --status 503
    python -m ops.gameday none --stack dev --region eu-west-1 --json

Options go before or after the subcommand. The regional functions read the parameter with a short
cache, so a change takes effect within CHAOS_CACHE_SECONDS; `down` turns the region's health checks to
503 and the front doors move traffic. `run` does a whole game day and measures it (ops/gameday_run.py):
a line per phase and a running count on stderr, the figures at the end, and timeline.csv, summary.json
and timeline.png in --out. Needs AWS credentials for the stack's account. `pulumi up` leaves the
parameter's value alone.

Exit 0 done; 1 `status` could not read some regions (the others are shown); 2 one line for bad input,
an --out that cannot take the files, a missing dependency, or any AWS or credential problem (no
profile, no credentials, access denied, endpoint unreachable; `run` checks all of them before it breaks
anything); 130 a `run` stopped by Ctrl-C (the region restored, the files written).

`--json` prints only one JSON document:
- status: {"stack": "dev", "parameter": "/global-serverless/dev/chaos",
           "regions": {"<region>": {"value": "<the parameter's text>" or null, "error": null or "<one line>"}}}
- none|down|latency|error: {"stack": "dev", "region": "eu-west-1", "parameter": "...",
           "value": "<the JSON text written>", "takes_effect_within_seconds": 5}
- run: summary.json ({"region", "fault", "restored_at", "interrupted",
           "targets": {"<door>|entry": {"url", "probes", "availability", "evacuate_seconds",
                                         "recover_seconds", "answered_by": [regions]}}})
       plus "files": {"csv": "OUT/timeline.csv", "summary": "OUT/summary.json", "png": "OUT/timeline.png"}
"""

import argparse
import json
import sys
from pathlib import Path

try:
    from components.config import ConfigError, Settings
    from components.security.exposure import plan_exposure, probes_entries
    from components.stack import naming
    from functions.api import contract
    from offline.stack_config import StackConfigError
    from offline.stack_facts import stack_settings
    from ops import cost
    from ops.aws_errors import aws_problem
    from ops.gameday_run import ENTRY
except ImportError as _missing:  # run outside the virtualenv: one line, not a traceback
    if __name__ != "__main__":
        raise
    print(
        f"ops.gameday: cannot import {_missing.name or _missing} (run with the project's virtualenv)", file=sys.stderr
    )
    sys.exit(2)

TOOL = "ops.gameday"
MODES = ("run", "status", "none", "down", "latency", "error")
COUNT_EVERY_SECONDS = 10.0  # a running-count line on stderr this often during `run`


def chaos_value(args: argparse.Namespace) -> str:
    if args.mode == "latency":
        return json.dumps({"mode": "latency", "latencyMs": args.ms})
    if args.mode == "error":
        return json.dumps({"mode": "error", "errorRate": args.rate, "status": args.status})
    return json.dumps({"mode": args.mode})


def parser() -> argparse.ArgumentParser:
    """One subparser per mode, each with every option it takes (main() moves the subcommand first, so
    the options may stand on either side of it)."""
    top = cost.OpsArgumentParser(
        prog="python -m ops.gameday",
        description=(__doc__ or "").splitlines()[0],
        epilog="Options go before or after the subcommand; `python -m ops.gameday MODE --help` lists a mode's.",
    )
    common = cost.OpsArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument("--stack", required=True, help="the stack (dev, prod): its regions and parameter name")
    common.add_argument("--json", action="store_true", help="print only JSON (shapes: python -m pydoc ops.gameday)")
    where = cost.OpsArgumentParser(add_help=False, allow_abbrev=False)
    where.add_argument("--region", help="the region to break or mend (one of the stack's regions)")
    modes = top.add_subparsers(dest="mode", required=True, metavar="{" + ",".join(MODES) + "}", help="what to do")
    run = modes.add_parser("run", parents=[common, where], help="a measured game day: fault, probes, restore, report")
    run.add_argument("--fault", choices=("down", "error", "latency"), required=True, help="the fault to inject")
    run.add_argument("--duration", type=_seconds_option, default=300.0, help="seconds the fault lasts (default 300)")
    run.add_argument(
        "--recover-timeout",
        type=_seconds_option,
        default=300.0,
        help="seconds to wait for traffic to return (default 300)",
    )
    run.add_argument("--door", action="append", help="probe only this door (repeatable; default: every door)")
    run.add_argument(
        "--url",
        action="append",
        default=[],
        metavar="TARGET=URL",
        help="probe URL for a door or for 'entry' (needed without a domain; default: the stack's names)",
    )
    run.add_argument(
        "--out", default="gameday", help="directory for timeline.csv, summary.json, timeline.png (default gameday)"
    )
    run.add_argument("--ms", type=int, default=1000, help="latency fault: milliseconds added (default 1000)")
    modes.add_parser("status", parents=[common], help="show every region's chaos mode")
    modes.add_parser("none", parents=[common, where], help="no fault")
    modes.add_parser("down", parents=[common, where], help="health and every route answer 503: front doors fail over")
    latency = modes.add_parser("latency", parents=[common, where], help="add latency to data requests")
    latency.add_argument("--ms", type=int, required=True, help="milliseconds added to each data request")
    error = modes.add_parser("error", parents=[common, where], help="answer a 5xx to a fraction of data requests")
    error.add_argument(
        "--rate", type=float, default=1.0, help="the fraction of data requests that fail, 0-1 (default 1)"
    )
    error.add_argument("--status", type=int, default=500, help="the 5xx status they answer (default 500)")
    return top


MAX_SECONDS = 3600.0  # a game day's fault, or its wait for recovery, lasts at most an hour


def _seconds_option(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_SECONDS:  # also refuses nan; inf is above the limit
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0 and at most {MAX_SECONDS:g}")
    return value


def subcommand_first(top: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """argv with the subcommand moved to the front, wherever it stood among the options."""
    takes_value = set()
    for action in top._actions:  # argparse keeps subparsers there; no public way to list their options
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                for option in sub._actions:
                    if option.option_strings and option.nargs != 0:
                        takes_value.update(option.option_strings)
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            break
        if token.startswith("-") and token != "-":
            index += 2 if token in takes_value else 1
            continue
        return [token, *argv[:index], *argv[index + 1 :]]
    return argv


def _boto3_ssm_client_factory(boto3):
    return lambda region: boto3.client("ssm", region_name=region)


def main(argv: list[str] | None = None, ssm_client_factory=None, probe=None, clock=None, sleep=None) -> int:
    top = parser()
    try:
        args = top.parse_args(subcommand_first(top, list(sys.argv[1:] if argv is None else argv)))
    except SystemExit as done:  # usage errors (one line, exit 2) and --help (exit 0)
        return cost.exit_code(done)
    try:
        settings = stack_settings(args.stack)
    except (ConfigError, StackConfigError) as error:
        return cost.fail(TOOL, str(error))
    if ssm_client_factory is None:
        problem = cost.missing_module("boto3")
        if problem:
            return cost.fail(TOOL, problem)
        import boto3

        ssm_client_factory = _boto3_ssm_client_factory(boto3)

    name = naming.chaos_parameter_name(settings)
    if args.mode == "status":
        return _status(args, settings, name, ssm_client_factory)

    if args.region not in settings.regions:
        if args.region is None:
            return cost.fail(TOOL, f"{args.mode} needs --region: one of {', '.join(settings.regions)}")
        return cost.fail(
            TOOL, f"--region {args.region!r} is not one of stack {args.stack}'s regions: {', '.join(settings.regions)}"
        )
    from functions.api.chaos import ChaosConfigError, parse_chaos

    fault = argparse.Namespace(mode=args.fault, ms=args.ms, rate=1.0, status=503) if args.mode == "run" else args
    value = chaos_value(fault)
    try:
        parse_chaos(value)  # the function's own validation: never write a value it would ignore
    except ChaosConfigError as error:
        return cost.fail(TOOL, f"refusing to write {value}: {error}")
    if args.mode == "run":
        return _run(args, settings, name, value, ssm_client_factory, probe, clock, sleep)
    try:
        ssm_client_factory(args.region).put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    except Exception as error:  # noqa: BLE001 one line, never a traceback
        return cost.fail(TOOL, f"cannot write {name} in {args.region}: {_aws_problem(error)}")
    if args.json:
        result = {
            "stack": args.stack,
            "region": args.region,
            "parameter": name,
            "value": value,
            "takes_effect_within_seconds": contract.CHAOS_CACHE_SECONDS,
        }
        cost.emit(json.dumps(result, indent=2))
    else:
        cost.emit(f"{args.region}: {name} = {value} (takes effect within {contract.CHAOS_CACHE_SECONDS:g} s)")
    return 0


def _status(args, settings, name, ssm_client_factory) -> int:
    """Every region's value; a region that cannot be read is shown as such (exit 1), unless the problem
    is one no region would do better with (credentials, profile, endpoint): then one line, exit 2."""
    regions = {}
    for region in settings.regions:
        try:
            value, error = ssm_client_factory(region).get_parameter(Name=name)["Parameter"]["Value"], None
        except Exception as problem:  # noqa: BLE001 reported per region, the others still print
            if _blocks_every_region(problem):
                return cost.fail(TOOL, f"cannot read {name}: {_aws_problem(problem)}")
            value, error = None, _aws_problem(problem)
        regions[region] = {"value": value, "error": error}
    if all(v["error"] for v in regions.values()):
        return cost.fail(
            TOOL, f"cannot read {name} in any of the stack's regions: {regions[settings.regions[0]]['error']}"
        )
    if args.json:
        cost.emit(json.dumps({"stack": args.stack, "parameter": name, "regions": regions}, indent=2))
    else:
        cost.emit(
            "\n".join(
                f"{r:<16} {v['value'] if v['error'] is None else 'unreadable: ' + v['error']}"
                for r, v in regions.items()
            )
        )
    return 1 if any(v["error"] for v in regions.values()) else 0


def _blocks_every_region(error: Exception) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        return code in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException")
    return isinstance(error, BotoCoreError)


def _aws_problem(error: Exception) -> str:
    """What went wrong talking to AWS, in one line a person can act on."""
    return aws_problem(error, denied="the credentials may not read or write SSM parameters of this stack")


def _targets(args: argparse.Namespace, settings: Settings) -> dict[str, str] | str:
    """Door and entry -> health URL, or a message saying which URL is missing."""
    overrides = {}
    for item in args.url:
        target, sep, url = item.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            return f"--url {item!r} must be TARGET=http(s)://..."
        overrides[target] = url
    doors = args.door or list(settings.strategies)
    unknown = [d for d in doors if d not in settings.strategies]
    if unknown:
        return f"--door {unknown[0]!r} is not one of stack {args.stack}'s doors: {', '.join(settings.strategies)}"
    path = settings.health_check.path
    hostnames = settings.hostnames
    targets = {}
    # The entry's own lane only where a client outside AWS can reach it (internal and CloudFront-only
    # entries would only measure their lockdown), unless --url names a way in (e.g. from inside the VPC).
    reachable = probes_entries(plan_exposure(settings.strategies, settings.backend), settings.strategies)
    for target in [*doors, *([ENTRY] if reachable or ENTRY in overrides else [])]:
        if target in overrides:
            targets[target] = overrides[target]
        elif hostnames is not None:
            host = hostnames.regional[args.region] if target == ENTRY else hostnames.doors[target]
            targets[target] = f"https://{host}{path}"
        else:
            return f"stack {args.stack} has no domain: give --url {target}=<its URL, from the stack outputs>{path}"
    return targets


def _run(args, settings, name, value, ssm_client_factory, probe, clock, sleep) -> int:
    from ops import gameday_run
    from ops.probe import probe as real_probe

    targets = _targets(args, settings)
    if isinstance(targets, str):
        return cost.fail(TOOL, targets)
    # Everything the end needs, checked before anything is broken: the files' directory and the chart.
    problem = cost.out_problem("--out", args.out) or cost.missing_module("matplotlib")
    if problem:
        return cost.fail(TOOL, problem)
    if ENTRY not in targets:
        print(
            f"{TOOL}: no entry lane: {args.region}'s entry answers only its doors (stack output entryAccess); "
            "give --url entry=<URL> to probe it from somewhere that can reach it",
            file=sys.stderr,
        )
    try:
        store = gameday_run.ParameterStore(ssm_client_factory(args.region), name)
        store.read()  # credentials and permission, before anything is broken
    except Exception as error:  # noqa: BLE001 one line, never a traceback
        return cost.fail(TOOL, f"cannot read {name} in {args.region}: {_aws_problem(error)}")
    progress = Progress(args, name, value)
    try:
        timeline = gameday_run.run(
            store,
            value,
            targets,
            args.region,
            args.fault,
            args.duration,
            args.recover_timeout,
            probe=probe or real_probe,
            progress=progress,
            **({"clock": clock} if clock else {}),
            **({"sleep": sleep} if sleep else {}),
        )
    except gameday_run.RestoreFailed as failed:
        return cost.fail(
            TOOL,
            f"{name} in {args.region} was NOT restored ({_aws_problem(failed.error)}); it is still {value}: "
            f"mend it with python -m ops.gameday --stack {args.stack} --region {args.region} none "
            f"(it was {failed.previous})",
        )
    except Exception as error:  # noqa: BLE001 the value was restored by run(); say what broke
        return cost.fail(TOOL, f"the run stopped ({_aws_problem(error)}); {name} in {args.region} was restored")
    try:
        paths = gameday_run.write_outputs(timeline, Path(args.out))
    except OSError as error:
        return cost.fail(TOOL, f"cannot write --out {args.out}: {error.strerror or error} (the region is restored)")
    result = gameday_run.summary(timeline)
    if args.json:
        cost.emit(json.dumps({**result, "files": {k: str(p) for k, p in paths.items()}}, indent=2))
    else:
        lines = [
            f"{target:<18} evacuate {_seconds(figures['evacuate_seconds'])}  recover {_seconds(figures['recover_seconds'])}"
            f"  availability {_share(figures['availability'])}  answered by {', '.join(figures['answered_by']) or '-'}"
            for target, figures in result["targets"].items()
        ]
        lines.append(
            f"{args.region} restored at {timeline.restored_at:g} s; wrote {', '.join(str(p) for p in paths.values())}"
        )
        cost.emit("\n".join(lines))
    return 130 if timeline.interrupted else 0


class Progress:
    """`run` as it goes, on stderr: a line per phase, and a running count every COUNT_EVERY_SECONDS."""

    def __init__(self, args: argparse.Namespace, name: str, value: str) -> None:
        self.args, self.name, self.value = args, name, value
        self.next_count = COUNT_EVERY_SECONDS

    def say(self, text: str) -> None:
        print(f"{TOOL}: {text}", file=sys.stderr, flush=True)

    def __call__(self, event: str, timeline, elapsed: float) -> None:
        from ops import gameday_run

        args = self.args
        if event == "fault":
            self.say(
                f"[1/3] fault: wrote {self.value} to {self.name} in {args.region}; probing "
                f"{', '.join(timeline.targets)} every {gameday_run.PROBE_INTERVAL_SECONDS:g} s for {args.duration:g} s"
            )
        elif event == "restored":
            how = "Ctrl-C: " if timeline.interrupted else ""
            self.say(f"[2/3] restore: {how}{self.name} in {args.region} written back at {elapsed:.1f} s")
            waiting = [t for t in timeline.targets if t != gameday_run.ENTRY and gameday_run._ever_sent(timeline, t)]
            if not timeline.interrupted:
                self.say(
                    f"[3/3] recovery: waiting up to {args.recover_timeout:g} s for "
                    f"{', '.join(waiting) or 'no door (none sent this prober there)'} to answer from {args.region} again"
                )
            self.next_count = elapsed + COUNT_EVERY_SECONDS
        elif event == "round" and elapsed >= self.next_count:
            self.next_count = elapsed + COUNT_EVERY_SECONDS
            phase = "recovery" if timeline.restored_at is not None else "fault"
            limit = args.duration if phase == "fault" else timeline.restored_at + args.recover_timeout
            latest = {}
            for sample in timeline.samples:
                latest[sample.target] = sample
            last = ", ".join(
                f"{t} {s.status or 'no answer'}{' from ' + s.region if s.region else ''}" for t, s in latest.items()
            )
            self.say(f"  {phase} {elapsed:.0f} s of {limit:g}: {len(timeline.samples)} probes; last: {last}")
        elif event == "done":
            doors = [t for t in timeline.targets if t != gameday_run.ENTRY and gameday_run._ever_sent(timeline, t)]
            back = [t for t in doors if gameday_run.recovery_seconds(timeline, t) is not None]
            late = [t for t in doors if t not in back]
            said = [f"{', '.join(back)} back in {args.region}"] if back else []
            said += [f"{', '.join(late)} not back after {args.recover_timeout:g} s"] if late else []
            self.say(f"      done at {elapsed:.0f} s: {'; '.join(said) or 'no door to wait for'}")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _seconds(value: float | None) -> str:
    return "   -   " if value is None else f"{value:6.1f}s"


if __name__ == "__main__":
    sys.exit(main())
