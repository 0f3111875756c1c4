"""Offline policy check: `python -m offline.check --stack NAME [--config key=value ...]`.

Runs the program under Pulumi mocks with the stack's config (plus overrides), feeds every captured
resource to every policy of the pack with the stack's pack config, generated from the same stack config
as `make preview/up` generate it for the real pack (offline/pack_config.py: regions, home region, front
doors, WAF rate limit, JWT issuer, and the levels the stack config lowers), prints one line per violation
and a summary. A note names each policy the stack config made advisory.

Resources are counted as `offline.plan` counts them: the custom resources AWS would hold.

--json prints one object and nothing else on stdout:
  {"stack": "prod", "resources": 75, "policies": 30,
   "pack_config": {"min-regions": ..., ...},         (what `python -m offline.pack_config` writes)
   "notes": ["note: table-deletion-protection is advisory: Pulumi.dev.yaml sets deletionProtection: false"],
   "violations": [{"policy": "min-regions", "level": "mandatory" | "advisory",
                   "resource": "aws:dynamodb/table:Table 'items' in us-east-1" | "stack",
                   "urn": "urn:pulumi:..." | null, "message": "..."}, ...],
   "mandatory": 1, "advisory": 0}

Exit status: 0 no mandatory violation, 1 at least one, 2 the config cannot be used (bad stack config,
missing stack file, a pack config the pack's schemas refuse, a missing package), one line on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional, TextIO

from offline.stack_config import StackConfigError, guarded, missing_package, stack_arguments, stack_file

PROG = "offline.check"

try:
    from components.config import ConfigError
    from offline import pack_config, stack_facts
    from offline.engine.policy_engine import PackConfigError, Violation, evaluate, resolve_pack_config
    from offline.engine.run import run_program
    from offline.plan import count_resources
    from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL
except ImportError as missing:  # run outside the virtualenv: say what is missing, in one line
    if __name__ != "__main__":
        raise
    sys.exit(missing_package(PROG, missing))

EXIT_OK, EXIT_VIOLATIONS, EXIT_CONFIG = 0, 1, 2


@dataclass
class CheckResult:
    stack: str
    resources: int
    violations: list[Violation]
    pack_config: dict[str, Any]  # the stack's generated pack config, as `pulumi preview` gets it
    notes: list[str]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.mandatory]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if not v.mandatory]

    @property
    def exit_code(self) -> int:
        return EXIT_VIOLATIONS if self.mandatory else EXIT_OK

    def summary(self) -> str:
        resources = len({v.urn or "stack" for v in self.violations})
        return f"{len(self.mandatory)} mandatory, {len(self.advisory)} advisory violations in {resources} resources"


def _lowered_levels(stack: str, settings: stack_facts.Settings) -> list[str]:
    """What the stack config accepted is reported, not enforced: say so once per policy."""
    return [
        f"note: {policy} is {level}: {stack_file(stack).name} sets {stack_facts.ACCEPTED_BY_CONFIG[policy]}"
        for policy, level in stack_facts.levels(settings).items()
    ]


def run_check(stack: str, overrides: Sequence[str] = ()) -> CheckResult:
    """Raises ConfigError / StackConfigError / PackConfigError for config the check cannot use."""
    settings = stack_facts.stack_settings(stack, overrides)
    document = pack_config.for_settings(settings)
    resolved = resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, document)
    run = run_program(stack, overrides=list(overrides))
    violations = evaluate(ALL_POLICIES, run.resources, resolved, home_region=settings.home_region)
    return CheckResult(
        stack=stack,
        resources=sum(sum(counts.values()) for counts in count_resources(run.resources).values()),
        violations=violations,
        pack_config=document,
        notes=_lowered_levels(stack, settings),
    )


def report(result: CheckResult, out: TextIO) -> None:
    print(
        f"offline.check: stack {result.stack}, {result.resources} resources, {len(ALL_POLICIES)} policies, "
        f"pack config generated from {stack_file(result.stack).name}",
        file=out,
    )
    for note in result.notes:
        print(note, file=out)
    for violation in result.violations:
        print(line(violation), file=out)
    print(result.summary(), file=out)


def as_json(result: CheckResult) -> dict:
    return {
        "stack": result.stack,
        "resources": result.resources,
        "policies": len(ALL_POLICIES),
        "pack_config": result.pack_config,
        "notes": result.notes,
        "violations": [
            {"policy": v.policy, "level": v.level.value, "resource": v.resource, "urn": v.urn, "message": v.message}
            for v in result.violations
        ],
        "mandatory": len(result.mandatory),
        "advisory": len(result.advisory),
    }


def line(violation: Violation) -> str:
    """`<level>  <policy>  <resource>[ in <region>]: <message>`; messages start with their resource."""
    head = f"{violation.level.value:<9}  {violation.policy}  "
    if violation.message.startswith(violation.resource):
        return head + violation.message
    return f"{head}{violation.resource}: {violation.message}"


def build_parser():
    return stack_arguments(
        f"python -m {PROG}",
        __doc__ or "",
        "override a stack config value, e.g. --config 'regions=[\"us-east-1\"]'",
        stack_required=True,
        json_help="print one JSON object (the shape above) on stdout and nothing else",
    )


def main(argv: Optional[Sequence[str]] = None, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    stdout, stderr = out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)

    def body() -> int:
        result = run_check(args.stack, args.config)
        if args.json:
            print(json.dumps(as_json(result), indent=2), file=stdout)
        else:
            report(result, stdout)
        return result.exit_code

    return guarded(f"{PROG}: stack {args.stack}", body, (ConfigError, StackConfigError, PackConfigError), stderr)


if __name__ == "__main__":
    sys.exit(main())
