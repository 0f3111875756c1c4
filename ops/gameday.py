"""`python -m ops.gameday`: break a region on purpose, and mend it, through its chaos parameter.

    python -m ops.gameday run --stack prod --region eu-west-1 --fault down --duration 300 --out gameday/
    python -m ops.gameday --stack dev status
    python -m ops.gameday --stack dev --region eu-west-1 down
    python -m ops.gameday --stack dev --region eu-west-1 latency --ms 300
    python -m ops.gameday --stack dev --region eu-west-1 error --rate 0.5 --status 503
    python -m ops.gameday --stack dev --region eu-west-1 none

The regional functions read the parameter with a short cache, so a change takes effect within
CHAOS_CACHE_SECONDS; `down` turns the region's health checks to 503 and the front doors move traffic.
`run` does a whole game day and measures it (ops/gameday_run.py): timeline.csv, summary.json and
timeline.png in --out. Needs AWS credentials for the stack's account; without them, or without
permission, one line and exit 2. `pulumi up` leaves the parameter's value alone.
"""

import argparse
import json
import sys
from pathlib import Path

from components import naming
from components.catalogue import NAMESPACE
from components.config import ConfigError, Settings, parse_settings
from components.exposure import plan_exposure, probes_entries
from functions.api import contract
from offline.stack_config import StackConfigError, load_stack_config
from ops.gameday_run import ENTRY


def stack_settings(stack: str) -> Settings:
    config = load_stack_config(stack)
    prefix = f"{NAMESPACE}:"
    raw = {k[len(prefix) :]: v for k, v in config.items() if k.startswith(prefix)}
    return parse_settings(raw, config.get("aws:region"), stack=stack)


def chaos_value(args: argparse.Namespace) -> str:
    if args.mode == "latency":
        return json.dumps({"mode": "latency", "latencyMs": args.ms})
    if args.mode == "error":
        return json.dumps({"mode": "error", "errorRate": args.rate, "status": args.status})
    return json.dumps({"mode": args.mode})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ops.gameday", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--stack", default=argparse.SUPPRESS)
    common.add_argument("--region", default=argparse.SUPPRESS, help="the region to break or mend")
    parser.add_argument("--stack")
    parser.add_argument("--region", help="the region to break or mend (one of the stack's regions)")
    modes = parser.add_subparsers(dest="mode", required=True)
    run = modes.add_parser("run", parents=[common], help="a measured game day: fault, probes, restore, report")
    run.add_argument("--fault", choices=("down", "error", "latency"), required=True)
    run.add_argument("--duration", type=float, default=300.0, help="seconds the fault lasts (default 300)")
    run.add_argument("--recover-timeout", type=float, default=300.0, help="seconds to wait for traffic to return")
    run.add_argument("--door", action="append", help="probe only this door (repeatable; default: every door)")
    run.add_argument(
        "--url",
        action="append",
        default=[],
        metavar="TARGET=URL",
        help="probe URL for a door or for 'entry' (needed without a domain; default: the stack's names)",
    )
    run.add_argument("--out", default="gameday", help="directory for timeline.csv, summary.json, timeline.png")
    run.add_argument("--ms", type=int, default=1000, help="latency fault: milliseconds added")
    modes.add_parser("status", help="show every region's chaos mode")
    modes.add_parser("none", help="no fault")
    modes.add_parser("down", help="health and every route answer 503: front doors fail over")
    latency = modes.add_parser("latency", help="add latency to data requests")
    latency.add_argument("--ms", type=int, required=True)
    error = modes.add_parser("error", help="answer a 5xx to a fraction of data requests")
    error.add_argument("--rate", type=float, default=1.0)
    error.add_argument("--status", type=int, default=500)
    return parser


def main(argv: list[str] | None = None, ssm_client_factory=None, probe=None, clock=None, sleep=None) -> int:
    args = _parser().parse_args(argv)
    if not args.stack:
        print("ops.gameday: --stack is required", file=sys.stderr)
        return 2
    try:
        settings = stack_settings(args.stack)
    except (ConfigError, StackConfigError) as error:
        print(str(error).splitlines()[0], file=sys.stderr)
        return 2
    if ssm_client_factory is None:
        import boto3

        def ssm_client_factory(region):
            return boto3.client("ssm", region_name=region)

    name = naming.chaos_parameter_name(settings)
    if args.mode == "status":
        unreadable = 0
        for region in settings.regions:
            try:
                value = ssm_client_factory(region).get_parameter(Name=name)["Parameter"]["Value"]
            except Exception as error:  # noqa: BLE001 reported per region, the others still print
                value, unreadable = f"unreadable: {_aws_problem(error)}", unreadable + 1
            print(f"{region:<16} {value}")
        return 1 if unreadable else 0

    if args.region not in settings.regions:
        print(
            f"--region {args.region!r} is not one of stack {args.stack}'s regions: {', '.join(settings.regions)}",
            file=sys.stderr,
        )
        return 2
    from functions.api.chaos import ChaosConfigError, parse_chaos

    if args.mode == "run":
        return _run(args, settings, name, ssm_client_factory, probe, clock, sleep)
    value = chaos_value(args)
    try:
        parse_chaos(value)  # the function's own validation: never write a value it would ignore
    except ChaosConfigError as error:
        print(f"refusing to write {value}: {error}", file=sys.stderr)
        return 2
    try:
        ssm_client_factory(args.region).put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    except Exception as error:  # noqa: BLE001 one line, never a traceback
        print(f"ops.gameday: cannot write {name} in {args.region}: {_aws_problem(error)}", file=sys.stderr)
        return 2
    print(f"{args.region}: {name} = {value} (takes effect within {contract.CHAOS_CACHE_SECONDS:g} s)")
    return 0


def _aws_problem(error: Exception) -> str:
    """What went wrong talking to AWS, in one line a person can act on."""
    from botocore.exceptions import ClientError, NoCredentialsError, PartialCredentialsError

    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return "no AWS credentials (set AWS_PROFILE, or run aws sso login)"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Unknown")
        if code in ("AccessDenied", "AccessDeniedException", "UnrecognizedClientException"):
            return f"{code}: the credentials may not read or write SSM parameters of this stack"
        return code
    return f"{type(error).__name__}: {error}".splitlines()[0]


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


def _run(args, settings, name, ssm_client_factory, probe, clock, sleep) -> int:
    from ops import gameday_run
    from ops.probe import probe as real_probe

    targets = _targets(args, settings)
    if isinstance(targets, str):
        print(f"ops.gameday: {targets}", file=sys.stderr)
        return 2
    if ENTRY not in targets:
        print(
            f"ops.gameday: no entry lane: {args.region}'s entry answers only its doors (stack output entryAccess); "
            "give --url entry=<URL> to probe it from somewhere that can reach it",
            file=sys.stderr,
        )
    store = gameday_run.ParameterStore(ssm_client_factory(args.region), name)
    try:
        store.read()  # credentials and permission, before anything is broken
    except Exception as error:  # noqa: BLE001 one line, never a traceback
        print(f"ops.gameday: cannot read {name} in {args.region}: {_aws_problem(error)}", file=sys.stderr)
        return 2
    fault = argparse.Namespace(mode=args.fault, ms=args.ms, rate=1.0, status=503)
    try:
        timeline = gameday_run.run(
            store,
            chaos_value(fault),
            targets,
            args.region,
            args.fault,
            args.duration,
            args.recover_timeout,
            probe=probe or real_probe,
            **({"clock": clock} if clock else {}),
            **({"sleep": sleep} if sleep else {}),
        )
    except Exception as error:  # noqa: BLE001 the value was restored by run(); say what broke
        print(
            f"ops.gameday: the run stopped ({_aws_problem(error)}); {name} in {args.region} was restored",
            file=sys.stderr,
        )
        return 1
    paths = gameday_run.write_outputs(timeline, Path(args.out))
    result = gameday_run.summary(timeline)
    for target, figures in result["targets"].items():
        print(
            f"{target:<18} evacuate {_seconds(figures['evacuate_seconds'])}  recover {_seconds(figures['recover_seconds'])}"
            f"  availability {figures['availability']:.1%}  answered by {', '.join(figures['answered_by']) or '-'}"
        )
    print(f"{args.region} restored at {timeline.restored_at:g} s; wrote {', '.join(str(p) for p in paths.values())}")
    return 130 if timeline.interrupted else 0


def _seconds(value: float | None) -> str:
    return "   -   " if value is None else f"{value:6.1f}s"


if __name__ == "__main__":
    sys.exit(main())
