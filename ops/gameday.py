"""`python -m ops.gameday`: break a region on purpose, and mend it, through its chaos parameter.

    python -m ops.gameday --stack dev status
    python -m ops.gameday --stack dev --region eu-west-1 down
    python -m ops.gameday --stack dev --region eu-west-1 latency --ms 300
    python -m ops.gameday --stack dev --region eu-west-1 error --rate 0.5 --status 503
    python -m ops.gameday --stack dev --region eu-west-1 none

The regional functions read the parameter with a short cache, so a change takes effect within
CHAOS_CACHE_SECONDS; `down` turns the region's health checks to 503 and the front doors move traffic.
Needs AWS credentials for the stack's account. `pulumi up` leaves the parameter's value alone.
"""

import argparse
import json
import sys

from components import naming
from components.catalogue import NAMESPACE
from components.config import ConfigError, Settings, parse_settings
from functions.api import contract
from offline.stack_config import StackConfigError, load_stack_config


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
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region", help="the region to break or mend (one of the stack's regions)")
    modes = parser.add_subparsers(dest="mode", required=True)
    modes.add_parser("status", help="show every region's chaos mode")
    modes.add_parser("none", help="no fault")
    modes.add_parser("down", help="health and every route answer 503: front doors fail over")
    latency = modes.add_parser("latency", help="add latency to data requests")
    latency.add_argument("--ms", type=int, required=True)
    error = modes.add_parser("error", help="answer a 5xx to a fraction of data requests")
    error.add_argument("--rate", type=float, default=1.0)
    error.add_argument("--status", type=int, default=500)
    return parser


def main(argv: list[str] | None = None, ssm_client_factory=None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = stack_settings(args.stack)
    except (ConfigError, StackConfigError) as error:
        print(error, file=sys.stderr)
        return 2
    if ssm_client_factory is None:
        import boto3

        def ssm_client_factory(region):
            return boto3.client("ssm", region_name=region)

    name = naming.chaos_parameter_name(settings)
    if args.mode == "status":
        for region in settings.regions:
            try:
                value = ssm_client_factory(region).get_parameter(Name=name)["Parameter"]["Value"]
            except Exception as error:  # noqa: BLE001 reported per region, the others still print
                value = f"unreadable ({type(error).__name__})"
            print(f"{region:<16} {value}")
        return 0

    if args.region not in settings.regions:
        print(
            f"--region {args.region!r} is not one of stack {args.stack}'s regions: {', '.join(settings.regions)}",
            file=sys.stderr,
        )
        return 2
    from functions.api.chaos import ChaosConfigError, parse_chaos

    value = chaos_value(args)
    try:
        parse_chaos(value)  # the function's own validation: never write a value it would ignore
    except ChaosConfigError as error:
        print(f"refusing to write {value}: {error}", file=sys.stderr)
        return 2
    ssm_client_factory(args.region).put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    print(f"{args.region}: {name} = {value} (takes effect within {contract.CHAOS_CACHE_SECONDS:g} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
