"""`python -m ops.release --stack S`: move each region's `live` alias to its newest published version, wave by wave.

    python -m ops.release --stack prod --dry-run
    python -m ops.release --stack prod
    python -m ops.release --stack prod --outputs outputs.json --json
    make release STACK=prod

With the stack's `release` strategy canary or linear, `pulumi up` publishes a new version of the API
function in every region and leaves the `live` aliases alone; this command moves them through each region's
CodeDeploy deployment group (its canary or linear config, its alarms rolling a bad version back), a wave of
regions at a time in the order `release.waves` gives, baking `release.bakeMinutes` between waves while it
watches the wave's alarms. It stops at the first region whose deployment fails, rolls back or times out, or
at an alarm in ALARM during a bake, says which, and leaves every later wave on its previous version. Run it
again to resume: regions already on their newest version are skipped, and a deployment still running in a
region is attached to, not started twice. With `all-at-once` `pulumi up` moves every alias: nothing to do.

The function of each region comes from the stack output `functionNames` (`pulumi stack output --json`, or
--outputs FILE holding that JSON). Needs AWS credentials that may read the functions and aliases, run
CodeDeploy deployments and describe the alarms.

Progress goes to stdout, or to stderr with --json. Exit 0 released (or nothing to release, or --dry-run);
1 stopped (a region failed, rolled back or timed out, or an alarm fired); 2 one line for bad input (unknown
stack, unreadable outputs, no Pulumi CLI) or any AWS error (naming the region, the API call and AWS's code
and message); 130 interrupted (deployments already started go on in AWS: run it again to attach).

`--json` prints only one document:
    {"stack": "prod", "strategy": "canary", "dryRun": false,
     "result": "complete" | "stopped" | "planned" | "nothing-to-release",
     "message": "<one line>",
     "stoppedAt": null | {"region": "eu-west-1", "wave": 2, "reason": "<one line>"},
     "waves": [{"regions": ["us-east-1"], "bakeMinutes": 10, "alarm": null | "<alarm in ALARM>"}],
               (bakeMinutes: the minutes the wave's alarms were watched; the plan's in a dry run; null if not reached)
     "regions": {"<region>": {"wave": 1, "function": "...", "from": "3", "to": "4",
                              "status": "planned" | "skipped" | "succeeded" | "rolled-back" | "failed"
                                        | "stopped" | "timed-out" | "not-started",
                              "deploymentId": null | "d-..."}}}
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

try:
    from components.config import ConfigError
    from components.regional.release_plan import (
        ALIAS_NAME,
        FUNCTIONS_OUTPUT,
        ReleasePlan,
        ReleasePlanError,
        ReleasePolicy,
        codedeploy_application_name,
        plan_release,
    )
    from offline.stack_config import StackConfigError
    from offline.stack_facts import stack_settings
    from ops import cost, release_aws, release_run
except ImportError as _missing:  # run outside the virtualenv: one line, not a traceback
    if __name__ != "__main__":
        raise
    print(
        f"ops.release: cannot import {_missing.name or _missing} (run with the project's virtualenv)", file=sys.stderr
    )
    sys.exit(2)

TOOL = "ops.release"
HELP = __doc__ or ""
PULUMI_TIMEOUT_SECONDS = 120
INSTALL_PULUMI = "https://www.pulumi.com/docs/install/"


def parser() -> argparse.ArgumentParser:
    top = cost.OpsArgumentParser(
        prog="python -m ops.release",
        description=(HELP.splitlines() or ["move each region's live alias wave by wave"])[0],
        epilog=HELP[HELP.find("Progress goes to") :] if "Progress goes to" in HELP else None,  # exit codes, --json
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--stack", required=True, help="the stack (dev, prod): its regions and release config")
    top.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a stack config value, as `pulumi config set` stores it (repeatable)",
    )
    top.add_argument(
        "--outputs",
        metavar="FILE",
        help="the stack outputs as JSON (pulumi stack output --json); default: ask the Pulumi CLI",
    )
    top.add_argument(
        "--dry-run", action="store_true", help="print the plan (waves, from -> to per region); change nothing"
    )
    top.add_argument("--json", action="store_true", help="print only one JSON document (its shape below)")
    return top


def load_outputs(stack: str, path: Optional[str], runner=subprocess.run) -> dict[str, Any] | str:
    """The stack outputs, or one sentence saying why they cannot be had."""
    if path is not None:
        try:
            text = Path(path).read_text()
        except OSError as error:
            return f"cannot read --outputs {path}: {error.strerror or error}"
        where = f"--outputs {path}"
    else:
        command = ["pulumi", "stack", "output", "--json", "--stack", stack]
        try:
            done = runner(command, capture_output=True, text=True, timeout=PULUMI_TIMEOUT_SECONDS)
        except FileNotFoundError:
            return (
                f"the Pulumi CLI is not installed: install it ({INSTALL_PULUMI}) or pass --outputs FILE "
                "(the JSON of pulumi stack output --json)"
            )
        except subprocess.TimeoutExpired:
            return f"{' '.join(command)} did not answer within {PULUMI_TIMEOUT_SECONDS} s"
        if done.returncode != 0:
            said = [line.strip() for line in (done.stderr or "").splitlines() if line.strip()]
            return f"{' '.join(command)} failed: {said[-1] if said else f'exit {done.returncode}'}"
        text, where = done.stdout, "pulumi stack output --json"
    try:
        outputs = json.loads(text)
    except ValueError as error:
        return f"{where} is not JSON: {error}"
    if not isinstance(outputs, dict):
        return f"{where} is not a JSON object of stack outputs"
    return outputs


def function_names(outputs: dict[str, Any], regions, where: str) -> dict[str, str] | str:
    names = outputs.get(FUNCTIONS_OUTPUT)
    if names is None:
        return f"{where} has no {FUNCTIONS_OUTPUT} output: run pulumi up with this release of the program first"
    if not isinstance(names, dict) or not all(isinstance(v, str) and v for v in names.values()):
        return f"{where}: {FUNCTIONS_OUTPUT} must map each region to its function's name, got {json.dumps(names)[:80]}"
    missing = [r for r in regions if r not in names]
    if missing:
        return f"{where}: {FUNCTIONS_OUTPUT} has no function for {', '.join(missing)}: run pulumi up first"
    return names


def main(argv: list[str] | None = None, clients=None, clock=None, sleep=None, runner=None) -> int:
    try:
        args = parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as done:  # usage errors (one line, exit 2) and --help (exit 0)
        return cost.exit_code(done)
    try:
        settings = stack_settings(args.stack, args.config)
    except (ConfigError, StackConfigError) as error:
        return cost.fail(TOOL, str(error))
    policy = settings.release_policy  # the config's release, its defaults filled in
    say = _progress(args.json)
    if not policy.moves_aliases:
        message = (
            f"stack {args.stack} releases all-at-once: pulumi up moves every region's {ALIAS_NAME} alias, "
            "nothing to release"
        )
        return _finish(args, policy, None, None, "nothing-to-release", message, say)
    outputs = load_outputs(args.stack, args.outputs, runner or subprocess.run)
    if isinstance(outputs, str):
        return cost.fail(TOOL, outputs)
    regions = [r for wave in policy.waves for r in wave]
    names = function_names(outputs, regions, f"--outputs {args.outputs}" if args.outputs else f"stack {args.stack}")
    if isinstance(names, str):
        return cost.fail(TOOL, names)
    if clients is None:
        problem = cost.missing_module("boto3")
        if problem:
            return cost.fail(TOOL, problem)
        clients = _boto3_clients()
    application = codedeploy_application_name(settings.project, settings.stack)
    try:
        states = {r: release_aws.read_state(clients, r, names[r]) for r in regions}
        plan = plan_release(policy, states)
        if not plan.needed:
            message = f"every region's {ALIAS_NAME} alias is on its newest published version: nothing to release"
            return _finish(args, policy, plan, None, "nothing-to-release", message, say)
        groups = {r: release_aws.read_group(clients, r, application) for r in regions}
        if args.dry_run:
            _say_plan(say, args.stack, policy, plan, groups)
            message = f"dry run: {sum(s.needed for s in plan.steps)} region(s) to move in {len(plan.waves)} wave(s)"
            return _finish(args, policy, plan, None, "planned", message, say)
        _say_plan(say, args.stack, policy, plan, groups)
        release = release_run.Release(
            plan,
            groups,
            application=application,
            bake_minutes=policy.bake_minutes,
            clients=clients,
            clock=clock or time.monotonic,
            sleep=sleep or time.sleep,
            say=say,
        )
        outcome = release.run()
    except ReleasePlanError as error:
        return cost.fail(TOOL, str(error))
    except release_aws.AwsCallFailed as error:
        return cost.fail(TOOL, str(error))
    except KeyboardInterrupt:
        print(f"{TOOL}: interrupted; deployments already started go on in AWS: run it again to attach", file=sys.stderr)
        return 130
    if outcome.complete:
        moved = [f"{r} {v.from_version} -> {v.to_version}" for r, v in outcome.regions.items() if v.status != "skipped"]
        return _finish(args, policy, plan, outcome, "complete", f"release complete: {', '.join(moved)}", say)
    untouched = [r for r, v in outcome.regions.items() if v.status == release_run.NOT_STARTED]
    message = f"release stopped at {outcome.stopped_region} (wave {outcome.stopped_wave}): {outcome.reason}"
    if untouched:
        message += f"; not started: {', '.join(untouched)} (still on their previous version)"
    return _finish(args, policy, plan, outcome, "stopped", message, say)


def _boto3_clients():
    from boto3.session import Session

    # A session of its own: credentials, profile and endpoint as the environment says now (boto3's default
    # session keeps the credentials it resolved first for the life of the process). Made at the first call,
    # inside its error handling: a bad AWS_PROFILE is refused there.
    made: dict[Any, Any] = {}

    def clients(service: str, region: str):
        if "session" not in made:
            made["session"] = Session()
        if (service, region) not in made:
            made[(service, region)] = made["session"].client(service, region_name=region)
        return made[(service, region)]

    return clients


def _progress(as_json: bool):
    def say(text: str) -> None:
        if as_json:
            print(text, file=sys.stderr, flush=True)
        else:
            cost.emit(text)

    return say


def _say_plan(say, stack: str, policy: ReleasePolicy, plan: ReleasePlan, groups) -> None:
    configs = sorted({g.config for g in groups.values()})
    bake = f", baking {policy.bake_minutes:g} min after each wave but the last" if policy.bake_minutes else ""
    say(f"stack {stack}: {policy.strategy} release through {', '.join(configs)}{bake}")
    if policy.deployment_config and configs != [policy.deployment_config]:
        say(
            f"  note: the stack config names {policy.deployment_config}; the deployment groups use "
            f"{', '.join(configs)} (pulumi up aligns them)"
        )
    for number, wave in enumerate(plan.waves, 1):
        moves = [
            f"{s.region} {s.current} -> {s.target}" if s.needed else f"{s.region} on {s.current} (skip)" for s in wave
        ]
        say(f"  wave {number}: {'; '.join(moves)}")


def planned_bake(policy: ReleasePolicy, plan: ReleasePlan, number: int) -> float:
    """The bake after wave `number`: none after the last wave, nor after a wave with nothing to move."""
    moves = any(step.needed for step in plan.waves[number - 1])
    return policy.bake_minutes if moves and number < len(plan.waves) else 0


def _finish(
    args: argparse.Namespace,
    policy: ReleasePolicy,
    plan: Optional[ReleasePlan],
    outcome: Optional[release_run.Outcome],
    result: str,
    message: str,
    say: Callable[[str], None],
) -> int:
    code = 1 if result == "stopped" else 0
    say(message)  # stdout, or stderr beside the JSON
    if not args.json:
        return code
    regions: dict[str, Any] = {}
    for number, wave in enumerate(plan.waves if plan else (), 1):
        for step in wave:
            done = outcome.regions.get(step.region) if outcome else None
            status = done.status if done else ("planned" if step.needed else "skipped")
            regions[step.region] = {
                "wave": number,
                "function": step.function,
                "from": step.current,
                "to": step.target,
                "status": status,
                "deploymentId": done.deployment_id if done else None,
            }
    stopped = None
    if outcome and not outcome.complete:
        stopped = {"region": outcome.stopped_region, "wave": outcome.stopped_wave, "reason": outcome.reason}
    document = {
        "stack": args.stack,
        "strategy": policy.strategy,
        "dryRun": bool(args.dry_run),
        "result": result,
        "message": message,
        "stoppedAt": stopped,
        "waves": [
            {
                "regions": list(wave),
                "bakeMinutes": outcome.baked.get(number) if outcome else planned_bake(policy, plan, number),
                "alarm": outcome.alarms.get(number) if outcome else None,
            }
            for number, wave in enumerate(policy.waves, 1)
        ]
        if plan
        else [],
        "regions": regions,
    }
    cost.emit(json.dumps(document, indent=2))
    return code


if __name__ == "__main__":
    sys.exit(main())
