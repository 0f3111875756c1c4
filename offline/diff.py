"""`python -m offline.diff --stack S [--config k=v ...] [--base FILE | --state EXPORT.json]`: what `pulumi up` would do.

Compares the stack as deployed with the stack as changed (the working stack file plus `--config`
overrides): per region what would be created, replaced, updated and deleted, then every update hazard
(a name AWS would refuse to hold twice, the table replaced, a protected resource deleted, hand work a
region removal needs). The deployed stack is either modelled, by running the program for the stack
file as committed at HEAD (or `--base`, e.g. the base branch's copy), or read from `--state`, the
output of `pulumi stack export`: the resources, inputs, ids and tags really there (see
offline/engine/state_export.py for how secrets, archives, pending deletes and providers are read).

--json prints one object and nothing else on stdout (notices and hazards inside it):
  {"stack": "prod", "base": "Pulumi.prod.yaml at HEAD" | "--base FILE" | what --state holds,
   "change": ["frontDoor=cloudfront", ...],                    (the --config overrides)
   "steps": {"eu-west-1": {"create" | "replace" | "update" | "delete": [
       {"resource": "aws:lb/loadBalancer:LoadBalancer::eu-west-1-alb", "urn": "urn:pulumi:...",
        "changed": ["internal", ...], "forced_by": ["internal"], "delete_first": false,
        "was": "<type>::<name> an alias keeps" | null}, ...]}, ...},
   "notices": ["...", ...], "hazards": ["...", ...]}
Regions and operations without a step are left out; an empty "steps" is no change.

Exit 0 without hazards, 1 with hazards, 2 on bad input (bad config, no stack file, bad --base or
--state, a missing package), one line on stderr.
"""

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from offline.stack_config import (
    ROOT,
    StackConfigError,
    apply_overrides,
    guarded,
    missing_package,
    read_stack_file,
    stack_arguments,
    stack_file,
    stack_values,
)

PROG = "offline.diff"

try:
    from components.config import ConfigError
    from offline.engine.lifecycle import PROVIDER_PREFIX, Step, UpdatePlan, plan_transition, plan_update, short
    from offline.engine.state_export import DeployedStack, StateExportError, read_export, run_against
except ImportError as missing:  # run outside the virtualenv: say what is missing, in one line
    if __name__ != "__main__":
        raise
    sys.exit(missing_package(PROG, missing))

SHOWN_OPS = ("create", "replace", "update", "delete")


def base_values(stack: str, base: str | None) -> tuple[dict, str]:
    if base is not None:
        path = Path(base)
        if not path.is_file():
            raise StackConfigError(f"--base {base}: no such file")
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError) as error:
            raise StackConfigError(f"--base {base}: cannot be read ({error})") from None
        return read_stack_file(text, base), base
    name = stack_file(stack).name
    shown = subprocess.run(["git", "show", f"HEAD:{name}"], cwd=ROOT, capture_output=True, text=True)
    if shown.returncode != 0:
        raise StackConfigError(f"{name} is not committed at HEAD (a new stack has nothing to diff): pass --base FILE")
    return read_stack_file(shown.stdout, f"{name} at HEAD"), f"{name} at HEAD"


def changed_values(stack: str, overrides: list[str]) -> dict:
    return apply_overrides(stack_values(stack), overrides)


def plan_from_state(stack: str, after: dict, path: str) -> tuple[UpdatePlan, DeployedStack]:
    """The update from what a `pulumi stack export` file records to the config `after`."""
    deployed = read_export(path, stack)
    plan = plan_update(deployed.run, run_against(stack, after, deployed))
    plan.notices.extend(deployed.notices())
    plan.hazards.extend(deployed.hazards())
    return plan, deployed


def shown_steps(plan: UpdatePlan) -> dict[str, dict[str, list[Step]]]:
    """Region -> operation -> the steps people read: AWS resources that change (no providers, no components)."""
    by_region: dict[str, dict[str, list[Step]]] = defaultdict(lambda: defaultdict(list))
    for step in plan.steps:
        resource = step.new or step.before
        if step.op in SHOWN_OPS and resource.custom and not step.type.startswith(PROVIDER_PREFIX):
            by_region[step.region][step.op].append(step)
    return by_region


def render(plan: UpdatePlan) -> list[str]:
    lines = []
    by_region = shown_steps(plan)
    if not by_region:
        lines.append("no changes")
    for region in sorted(by_region):
        ops = by_region[region]
        lines.append(f"\n{region}: " + ", ".join(f"{len(ops[op])} to {op}" for op in SHOWN_OPS if ops[op]))
        for op in SHOWN_OPS:
            lines += [f"  {step.describe()}" for step in ops[op]]
    if plan.notices:
        lines.append("\nnotices:")
        lines += [f"  - {notice}" for notice in plan.notices]
    lines.append("\nhazards:" if plan.problems else "\nhazards: none")
    lines += [f"  - {problem}" for problem in plan.problems]
    return lines


def _step(step: Step) -> dict:
    renamed = step.old is not None and step.new is not None and step.old.urn != step.new.urn
    return {
        "resource": short(step.urn),
        "urn": step.urn,
        "changed": list(step.changed),
        "forced_by": list(step.forced_by),
        "delete_first": step.delete_before_replace,
        "was": short(step.before.urn) if renamed else None,
    }


def as_json(stack: str, source: str, overrides: list[str], plan: UpdatePlan) -> dict:
    by_region = shown_steps(plan)
    return {
        "stack": stack,
        "base": source,
        "change": list(overrides),
        "steps": {
            region: {op: [_step(step) for step in by_region[region][op]] for op in SHOWN_OPS if by_region[region][op]}
            for region in sorted(by_region)
        },
        "notices": list(plan.notices),
        "hazards": list(plan.problems),
    }


def build_parser():
    parser = stack_arguments(
        f"python -m {PROG}",
        __doc__ or "",
        "change a stack config value, e.g. --config frontDoor=cloudfront",
        json_help="print one JSON object (the shape above) on stdout and nothing else",
    )
    base = parser.add_mutually_exclusive_group()
    base.add_argument(
        "--base", metavar="FILE", help="the deployed stack's config file (default: the stack file at HEAD), modelled"
    )
    base.add_argument(
        "--state",
        metavar="EXPORT.json",
        help="the deployed stack as it is: the output of `pulumi stack export --file EXPORT.json` "
        "(with --show-secrets, secret inputs are compared too)",
    )
    return parser


def opt_in_hazards(stack: str, overrides: list[str]) -> list[str]:
    from offline.stack_facts import stack_settings

    return list(stack_settings(stack, overrides).opt_in_warnings)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> int:
        after = changed_values(args.stack, args.config)
        if args.state is not None:
            plan, deployed = plan_from_state(args.stack, after, args.state)
            source = deployed.describe()
        else:
            before, source = base_values(args.stack, args.base)
            plan, _, _ = plan_transition(args.stack, before, after, created_before_release=False)
        # A region the account must opt into: the deploy fails there until it has.
        plan.hazards.extend(opt_in_hazards(args.stack, args.config))
        if args.json:
            print(json.dumps(as_json(args.stack, source, args.config, plan), indent=2))
        else:
            change = " ".join(f"--config {c}" for c in args.config) or "(no overrides)"
            print(f"stack {args.stack}: {source} -> {stack_file(args.stack).name} {change} (offline, Pulumi mocks)")
            print("\n".join(render(plan)))
        return 1 if plan.problems else 0

    return guarded(PROG, body, (ConfigError, StackConfigError, StateExportError))


if __name__ == "__main__":
    sys.exit(main())
