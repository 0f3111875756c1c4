"""`python -m offline.pack_config --stack S [--config k=v ...] [--out FILE] [--json]`: the stack's pack config,
generated from Pulumi.<stack>.yaml (`make check/preview/up` call it; nobody keeps one by hand).

CrossGuard runs a pack without the program's stack config, so what the stack-level policies must know of
the stack (its regions and home region, its front doors, the WAF rate limit, the JWT issuer) and the levels
the stack config implies (a plain-text hop it allows, deletion protection it turns off: advisory) reach the
pack as pack config: `pulumi preview --policy-pack policies --policy-pack-config <this file>`. Each fact is
set on every policy whose config schema declares it, and the whole document is checked against the pack's
schemas the way the CLI checks it. `offline.check` uses the same document in memory, so the check and the
real deploy read the same facts, and a generated file cannot be stale.

Writes build/pack-config/<stack>.json (gitignored) unless --out says where; --json prints the document
instead of the path. Exit 0 written, 2 the stack config (or the document) cannot be used, one line on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Optional, TextIO

from offline.stack_config import ROOT, StackConfigError, guarded, missing_package, stack_arguments

PROG = "offline.pack_config"

try:
    from components.config import ConfigError, Settings
    from offline import stack_facts
    from offline.engine.policy_engine import PackConfig, PackConfigError, resolve_pack_config
    from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL
except ImportError as missing:  # run outside the virtualenv: say what is missing, in one line
    if __name__ != "__main__":
        raise
    sys.exit(missing_package(PROG, missing))

BUILD_DIR = ROOT / "build" / "pack-config"
LEVEL_KEY = "enforcementLevel"


def default_path(stack: str) -> Path:
    return BUILD_DIR / f"{stack}.json"


def for_settings(settings: Settings) -> dict[str, Any]:
    """{policy: level | {property: value, [enforcementLevel]}} for the stack, in the pack's catalogue order;
    raises PackConfigError when a value does not fit the policy's schema (as the CLI would)."""
    facts = stack_facts.facts(settings)
    levels = stack_facts.levels(settings)
    document: dict[str, Any] = {}
    for policy in ALL_POLICIES:
        schema = policy.config_schema.properties if policy.config_schema else {}
        properties = {key: value for key, value in facts.items() if key in schema}
        level = levels.get(policy.name)
        if properties:
            document[policy.name] = {**({LEVEL_KEY: level} if level else {}), **properties}
        elif level:
            document[policy.name] = level
    resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, document)  # the schemas' check
    return document


def for_stack(stack: str, overrides: Iterable[str] = ()) -> dict[str, Any]:
    """Raises ConfigError / StackConfigError / PackConfigError."""
    return for_settings(stack_facts.stack_settings(stack, overrides))


def resolved(settings: Settings) -> PackConfig:
    """Levels and properties per policy as the CLI reconciles the stack's pack config with the pack."""
    return resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, for_settings(settings))


def write(stack: str, overrides: Iterable[str] = (), path: Optional[Path] = None) -> Path:
    path = path or default_path(stack)
    document = for_stack(stack, overrides)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def build_parser():
    parser = stack_arguments(
        f"python -m {PROG}",
        __doc__ or "",
        "override a stack config value, e.g. --config 'regions=[\"us-east-1\"]'",
        stack_required=True,
        json_help="print the pack config (one JSON object) on stdout instead of writing it",
    )
    parser.add_argument("--out", metavar="FILE", help="where to write it (default: build/pack-config/<stack>.json)")
    return parser


def main(argv: Optional[Sequence[str]] = None, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    stdout, stderr = out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)

    def body() -> int:
        if args.json:
            print(json.dumps(for_stack(args.stack, args.config), indent=2), file=stdout)
        else:
            path = write(args.stack, args.config, Path(args.out) if args.out else None)
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path, file=stdout)
        return 0

    return guarded(f"{PROG}: stack {args.stack}", body, (ConfigError, StackConfigError, PackConfigError), stderr)


if __name__ == "__main__":
    sys.exit(main())
