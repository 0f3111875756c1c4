"""`python -m offline.plan --stack dev [--config key=value ...] [--json]`: what a stack would create, offline.

Runs the program under Pulumi mocks (no CLI, no AWS) and prints the resources per region, what protects
the entries, how each region's `live` alias is released (who moves it, SnapStart, provisioned concurrency), and
the stack outputs as mocks compute them. Resources are the custom resources AWS would
hold (components and providers are not counted); `offline.check` counts the same ones.

--json prints one object and nothing else on stdout:
  {"stack": "dev", "total": 57,
   "resources": {"us-east-1": {"aws:dynamodb/table:Table": 1, ...}, ...},
   "security": ["regional entries answer 403 to ...", ...],
   "release": {"us-east-1": "live alias moved by pulumi up (all-at-once); SnapStart off; ...", ...},
   "outputs": {"endpoint": "...", ...}}          (mock values; what JSON cannot hold as text)

Exit status: 0 the plan was made, 2 unusable input (bad stack config, no stack file, a missing package),
one line on stderr.
"""

import json
import sys
from collections import Counter
from collections.abc import Iterable

from offline.stack_config import StackConfigError, guarded, missing_package, stack_arguments

PROG = "offline.plan"

try:
    from components.config import ConfigError
    from components.regional.release_plan import ALIAS_NAME
    from components.security.exposure import security_summary
    from offline.engine.run import CapturedResource, run_program
    from offline.stack_facts import stack_settings
except ImportError as missing:  # run outside the virtualenv: say what is missing, in one line
    if __name__ != "__main__":
        raise
    sys.exit(missing_package(PROG, missing))


def build_parser():
    return stack_arguments(
        f"python -m {PROG}",
        __doc__ or "",
        "override a stack config value, e.g. --config 'regions=[\"us-east-1\"]'",
        json_help="print one JSON object (the shape above) on stdout and nothing else",
    )


def count_resources(resources: Iterable[CapturedResource]) -> dict[str, Counter]:
    """Region -> type -> count of the custom resources AWS would hold (no components, no providers)."""
    by_region: dict[str, Counter] = {}
    for resource in resources:
        if resource.custom and not resource.type.startswith("pulumi:providers:"):
            by_region.setdefault(resource.region, Counter())[resource.type] += 1
    return by_region


def release_lines(resources: Iterable[CapturedResource]) -> dict[str, str]:
    """Region -> how its API function's `live` alias is released, as the run registers it: who moves the alias
    (a CodeDeploy deployment group's config, or pulumi up), SnapStart on the function, provisioned concurrency."""
    resources = list(resources)
    functions = {(r.region, r.state.get("name")): r for r in resources if r.type == "aws:lambda/function:Function"}
    lines = {}
    for alias in (r for r in resources if r.type == "aws:lambda/alias:Alias" and r.inputs.get("name") == ALIAS_NAME):
        region = alias.region
        function = functions.get((region, alias.inputs.get("functionName")))
        snap_start = bool(function is not None and (function.inputs.get("snapStart") or {}).get("applyOn"))
        configs = [
            r.inputs.get("deploymentConfigName")
            for r in resources
            if r.type == "aws:codedeploy/deploymentGroup:DeploymentGroup" and r.region == region
        ]
        provisioned = [
            r.inputs["provisionedConcurrentExecutions"]  # a required input of the resource
            for r in resources
            if r.type == "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
            and r.region == region
            and r.inputs.get("qualifier") == ALIAS_NAME
        ]
        mover = f"CodeDeploy {configs[0]} (python -m ops.release)" if configs else "pulumi up (all-at-once)"
        lines[region] = (
            f"{ALIAS_NAME} alias moved by {mover}; SnapStart {'on' if snap_start else 'off'}; "
            f"provisioned concurrency {int(provisioned[0]) if provisioned else 'none'}"
        )
    return dict(sorted(lines.items()))


def make_plan(stack: str, overrides: list[str]) -> dict:
    settings = stack_settings(stack, overrides)
    run = run_program(stack, overrides=overrides)
    by_region = count_resources(run.resources)
    security = security_summary(
        settings.strategies,
        settings.backend,
        settings.domain is not None,
        settings.allow_plaintext,
        waf_rate_limit=settings.waf.rate_limit if settings.waf else None,
        auth_issuer=settings.auth.issuer if settings.auth else None,
        protect_reads=bool(settings.auth and settings.auth.protect_reads),
    )
    return {
        "stack": stack,
        "total": sum(sum(counts.values()) for counts in by_region.values()),
        "resources": {region: dict(sorted(by_region[region].items())) for region in sorted(by_region)},
        "security": list(security),
        "release": release_lines(run.resources),
        "outputs": json.loads(json.dumps(run.outputs, default=str)),
    }


def render(plan: dict) -> list[str]:
    resources = plan["resources"]
    lines = [
        f"stack {plan['stack']}: {plan['total']} resources in {len(resources)} regions "
        "(offline plan under Pulumi mocks)"
    ]
    for region, counts in resources.items():
        lines.append(f"\n{region} ({sum(counts.values())})")
        lines += [f"  {count:3d}  {type_token}" for type_token, count in counts.items()]
    lines.append("\nsecurity:")
    lines += [f"  {line}" for line in plan["security"]]
    lines.append("\nrelease:")
    lines += [f"  {region}: {line}" for region, line in plan["release"].items()]
    lines.append("\noutputs (mock values):")
    lines += [f"  {key}: {value}" for key, value in plan["outputs"].items()]
    return lines


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> int:
        plan = make_plan(args.stack, args.config)
        print(json.dumps(plan, indent=2) if args.json else "\n".join(render(plan)))
        return 0

    return guarded(PROG, body, (ConfigError, StackConfigError))


if __name__ == "__main__":
    sys.exit(main())
