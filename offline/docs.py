"""`python -m offline.docs [--check] [--json]`: the facts in README.md and docs/*.md, written by the tools themselves.

Every figure, count, table of facts and sample output in the docs sits between two markers,
`<!-- generated:NAME -->` and `<!-- /generated:NAME -->` (on one line for an inline value), and this
module rewrites what is between them: the policy table and count from the pack's own list, the config
reference from the config model, the doors and exposure tables from the registry, the outputs of
`make plan/check/diff`, `ops.cost` and `ops.report` run on the shipped stacks, benchmark figures with
their date from bench/results/*.json, the opt-in regions and the AWS quotas from their dated data files.
It also writes docs/report-prod/ with ops.report.

--check writes nothing and exits 1 when a committed doc differs from what it would write (the files
are named on stderr); --json prints {"changed": [path, ...], "check": bool}. Exit 2 on an unknown marker
or a sample command whose exit code is not the one documented.

Hand-written shell examples are run by tests/unit/test_docs.py: a fenced ```bash or ```sh block runs
from the repository root and must exit 0, unless a comment right above it says otherwise:
`<!-- needs: aws -->` (or pulumi, or long: not run), `<!-- exit: N -->` (the exit code it documents).
"""

from __future__ import annotations

import argparse
import atexit
import concurrent.futures
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROG = "offline.docs"
DOCS = ("README.md", "docs")
REPORT_DIR = ROOT / "docs" / "report-prod"
MARKER = re.compile(r"<!-- generated:(?P<name>[a-z0-9-]+) -->(?P<body>.*?)<!-- /generated:(?P=name) -->", re.S)


class DocsError(Exception):
    """Something the generator cannot write: an unknown marker, a sample that did not run as documented."""


def doc_files() -> list[Path]:
    files = [ROOT / "README.md"]
    files += sorted(p for p in (ROOT / "docs").glob("*.md"))
    return files


# ---------------------------------------------------------------------------------------------
# Sample outputs: each command runs once per process, from the repository root.


@dataclass(frozen=True)
class Sample:
    shown: str  # the command as the docs show it
    run: str  # the command as it runs (the same, minus make's reinstall check)
    exit: int = 0  # the exit code the docs state
    stderr: bool = False  # show stderr too (a terminal shows both)


def _make(args: str, exit: int = 0) -> Sample:
    return Sample(f"make {args}", f"make -s --no-print-directory {args}", exit)


def _py(args: str, exit: int = 0, stderr: bool = False) -> Sample:
    return Sample(f".venv/bin/python {args}", f"{sys.executable} {args}", exit, stderr)


REMOVE_REGION = """'regions=["us-east-1","eu-west-1"]'"""
SAMPLES: dict[str, Sample] = {
    "make-help": _make("help"),
    "config-error": _py("-m offline.plan --stack dev --config frontDoor=globalaccelerator", 2, stderr=True),
    "plan-dev": _make("plan STACK=dev"),
    "check-prod": _make("check STACK=prod"),
    "check-one-region": _py("""-m offline.check --stack prod --config 'regions=["us-east-1"]'""", 1),
    "diff-dev-cloudfront": _make('diff STACK=dev CONFIG="--config frontDoor=cloudfront"'),
    "diff-prod-remove-region": _py(f"-m offline.diff --stack prod --config {REMOVE_REGION}", 1),
    "cost-prod": _py("-m ops.cost --stack prod --requests-per-month 50000000"),
}


@functools.cache
def shell_env() -> dict[str, str]:
    """The environment commands run in: `make` never reinstalls the virtualenv from inside the docs or their
    tests (a shim adds `-o .venv/.installed`; the recipes are the same), and no outer make's flags leak in."""
    shims = Path(tempfile.mkdtemp(prefix="docs-shims-"))
    atexit.register(shutil.rmtree, shims, ignore_errors=True)
    real = shutil.which("make") or "/usr/bin/make"
    shim = shims / "make"
    shim.write_text(f'#!/bin/sh\nexec {real} -o {ROOT / ".venv/.installed"} "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "120", "PATH": f"{shims}:{os.environ['PATH']}"}
    for name in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(name, None)
    return env


def _run(sample: Sample) -> str:
    env = shell_env()
    done = subprocess.run(
        ["bash", "-c", sample.run + (" 2>&1" if sample.stderr else "")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if done.returncode != sample.exit:
        raise DocsError(
            f"`{sample.shown}` exited {done.returncode}, the docs say {sample.exit}: {done.stderr.strip()[-500:]}"
        )
    return done.stdout.rstrip("\n")


@functools.cache
def outputs() -> dict[str, str]:
    """Every sample's output, run two at a time (the machines here have two cores)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        done = {name: pool.submit(_run, sample) for name, sample in SAMPLES.items()}
        return {name: future.result() for name, future in done.items()}


def console(name: str) -> str:
    sample = SAMPLES[name]
    status = f"\n$ echo $?\n{sample.exit}" if sample.exit else ""
    return f"```console\n$ {sample.shown}\n{outputs()[name]}{status}\n```"


# ---------------------------------------------------------------------------------------------
# The report: ops.report writes docs/report-prod/ (model mode); the README quotes its table.


@functools.cache
def report_files() -> dict[str, bytes]:
    out = Path(tempfile.mkdtemp(prefix="docs-report-"))
    try:
        _run(_py(f"-m ops.report --stack prod --out {out}"))
        return {p.name: p.read_bytes() for p in out.iterdir()}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def report_table() -> str:
    text = report_files()["report.md"].decode()
    lines = text.splitlines()
    table = [line for line in lines if line.startswith("|")]
    winners = [line for line in lines if line.startswith("Winners:")]
    intro = next((line for line in lines if line.startswith("Regions ")), "").rstrip(".")
    return "\n".join(
        [
            f"`.venv/bin/python -m ops.report --stack prod --out docs/report-prod` (model mode: {intro[:1].lower()}"
            f"{intro[1:]}) gives [docs/report-prod/report.md](docs/report-prod/report.md):",
            "",
            *table,
            "",
            *winners,
        ]
    )


# ---------------------------------------------------------------------------------------------
# The policy pack: its own list of policies, and each shipped stack's levels as the check resolves them.


def shipped_stacks() -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))


def _stack_levels(stack: str) -> dict[str, str]:
    """Policy -> level for a stack, from the pack config its stack file generates (as make check/preview/up do)."""
    from offline import stack_facts
    from offline.engine.policy_engine import resolve_pack_config
    from offline.pack_config import for_settings
    from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL

    config = resolve_pack_config(
        ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, for_settings(stack_facts.stack_settings(stack))
    )
    return {name: level.value for name, level in config.levels.items()}


def policy_count() -> str:
    from policies.catalog import ALL_POLICIES

    return str(len(ALL_POLICIES))


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def policies_table() -> str:
    from pulumi_policy import StackValidationPolicy

    from policies.catalog import ALL_POLICIES, PACK_NAME

    stacks = shipped_stacks()
    levels = {stack: _stack_levels(stack) for stack in stacks}
    head = ["policy", "kind", *stacks, "checks", "config (default)"]
    rows = [f"| {' | '.join(head)} |", f"|{'---|' * len(head)}"]
    for policy in ALL_POLICIES:
        kind = "stack" if isinstance(policy, StackValidationPolicy) else "resource"
        schema = policy.config_schema.properties if policy.config_schema else {}
        config = ", ".join(
            f"`{key}`" + (f" ({json.dumps(spec['default'])})" if "default" in spec else "")
            for key, spec in schema.items()
        )
        shown = []
        for stack in stacks:
            level = levels[stack].get(policy.name, "?")
            shown.append(level if level == "mandatory" else f"**{level}**")
        rows.append(f"| `{policy.name}` | {kind} | {' | '.join(shown)} | {_cell(policy.description)} | {config} |")
    return f"Pack `{PACK_NAME}`, {len(ALL_POLICIES)} policies, in the order they report:\n\n" + "\n".join(rows)


# ---------------------------------------------------------------------------------------------
# The config reference, from the config model: its keys, their types and defaults, their help text.


def _config_model(module: Any, keys: list[str]) -> Any:
    """The model whose fields are the stack's config keys (whatever the config package names it)."""
    from pydantic import BaseModel

    best, score = None, 0
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
            names = {f.alias or n for n, f in value.model_fields.items()}
            hits = sum(1 for key in keys if key in names or any(n.startswith(key) for n in names))
            if hits > score:
                best, score = value, hits
    if best is None:
        raise DocsError("no config model found in components.config")
    return best


def _schema_type(spec: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in spec:
        target = defs[spec["$ref"].rsplit("/", 1)[-1]]
        return "map {" + ", ".join(target.get("properties", {})) + "}"
    if "anyOf" in spec or "oneOf" in spec:
        members: list[dict[str, Any]] = spec.get("anyOf") or spec.get("oneOf") or []
        kinds = [_schema_type(s, defs) for s in members if s.get("type") != "null"]
        return " or ".join(dict.fromkeys(kinds))
    if "enum" in spec:
        return " or ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    kind = spec.get("type")
    if kind == "array":
        items = spec.get("items") or (spec.get("prefixItems") or [{}])[0]
        inner = _schema_type(items, defs) if items else "value"
        return f"list of {inner}"
    if kind == "object":
        values = spec.get("additionalProperties")
        if isinstance(values, dict) and values:
            return f"map {{key: {_schema_type(values, defs)}}}"
        props = spec.get("properties")
        return "map {" + ", ".join(props) + "}" if props else "map"
    bounds = []
    if "minimum" in spec and "maximum" in spec:
        bounds.append(f" {spec['minimum']}-{spec['maximum']}")
    names = {"integer": "integer", "boolean": "bool", "string": "text", "number": "number"}
    return names.get(str(kind), "value") + "".join(bounds)


def _default(field: Any) -> str:
    from pydantic import BaseModel
    from pydantic_core import PydanticUndefined

    value = field.get_default(call_default_factory=True)
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True, mode="json", exclude_none=True)
        value = {k: v for k, v in value.items() if v not in ([], {}, "")}
    if isinstance(value, (dict, list, tuple)) and not value:
        return "none"
    return f"`{json.dumps(value, default=str)}`" if not isinstance(value, str) else f"`{value}`"


def _help_text(text: str) -> str:
    """Help text with the registry's facts filled in, the way the config's own messages show it."""
    from components.config.render import with_facts

    return with_facts(text)


def config_table() -> str:
    import components.config as config

    keys = list(config.config_keys())
    model = _config_model(config, keys)
    try:
        schema = model.model_json_schema(by_alias=True)
    except Exception:  # a type pydantic cannot describe: the types column falls back to "value"
        schema = {"properties": {}}
    props, defs = schema.get("properties", {}), schema.get("$defs", {})
    legacy_help = getattr(config, "_HELP", {})
    by_key: dict[str, list[tuple[str, Any]]] = {}
    home_help = ""
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if extra.get("engine"):  # what the engine knows (project, stack, aws:region), not a key of the namespace
            if extra.get("key") == "aws:region":
                home_help = field.description or ""
            continue
        alias = field.alias or name
        key = alias if alias in keys else next((k for k in keys if alias.startswith(k)), alias)
        by_key.setdefault(key, []).append((alias, field))
    home = "the home region: the table's primary, where global resources live; fixed once deployed"
    rows = [
        "| key | type | default | meaning |",
        "|---|---|---|---|",
        f"| `aws:region` | region code | required | {_cell(home + (f' ({_help_text(home_help)})' if home_help else ''))} |",
    ]
    for key in keys:
        fields = by_key.get(key, [])
        types = " or ".join(dict.fromkeys(_schema_type(props.get(a, {}), defs) for a, _ in fields)) or "value"
        defaults = [_default(f) for _, f in fields]
        default = "required" if "required" in defaults else next((d for d in defaults if d != "none"), "none")
        described = [f.description for _, f in fields if f.description]
        meaning = _help_text(described[0]) if described else (legacy_help.get(key, ("",))[0])
        rows.append(f"| `{key}` | {_cell(types)} | {_cell(default)} | {_cell(meaning)} |")
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------------
# The registry: doors and backends, and who reaches a regional entry for each combination.


def doors_table() -> str:
    from components.registry import BACKENDS, DEFAULT_BACKEND, DEFAULT_FRONT_DOOR, DOORS, EDGE_REGION

    reach = {
        "client": "clients connect to the regional entries themselves",
        "private-network": "over AWS's network: the entries can stay internal",
        "edge": "as a public origin that must carry the stack's secret header",
    }
    dials = {"weight": "a share, 0-100", "on-off": "0 or 100 only"}
    rows = [
        "| `frontDoor` | backends | needs `domain` | IPv6 (AAAA) | reaches the regional entries | `trafficDials` |"
        f" web ACL on the door | builds in {EDGE_REGION} |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, facts in DOORS.items():
        backends = ", ".join(f"`{b}`" for b in facts.backends)
        why = getattr(facts, "why_backends", "")
        if why:
            backends += f" ({why})"
        dial = getattr(facts, "dials", "weight")
        rows.append(
            f"| `{name}`{' (default)' if name == DEFAULT_FRONT_DOOR else ''} | {backends} | "
            f"{'yes' if facts.needs_domain else 'no'} | {'yes' if facts.ipv6 else 'no'} | "
            f"{reach.get(facts.reaches_entry, facts.reaches_entry)} | {dials.get(dial, dial)} | "
            f"{facts.web_acl_scope or 'none'} | {'yes' if facts.needs_edge_region else 'no'} |"
        )
    rows += [
        "",
        "| `backend` | what each region runs | HTTPS without a domain | can be internal | web ACL |",
        "|---|---|---|---|---|",
    ]
    for name, facts in BACKENDS.items():
        rows.append(
            f"| `{name}`{' (default)' if name == DEFAULT_BACKEND else ''} | {_cell(facts.description)} | "
            f"{'yes' if facts.https_without_domain else 'no'} | {'yes' if facts.private_network else 'no'} | "
            f"{'REGIONAL' if facts.takes_web_acl else 'none'} |"
        )
    return "\n".join(rows)


def exposure_table() -> str:
    from components.registry import BACKENDS, DOORS
    from components.security.exposure import access, plan_exposure, waf_coverage

    rows = [
        "| doors | backend | `entryAccess` | who reaches a regional entry | WAF web ACLs |",
        "|---|---|---|---|---|",
    ]
    for size in range(1, len(DOORS) + 1):
        for doors in combinations(DOORS, size):
            for backend in BACKENDS:
                if any(backend not in DOORS[d].backends for d in doors):
                    continue
                exposure = plan_exposure(doors, backend)
                waf = waf_coverage(doors, backend)
                acls = [
                    w
                    for w, on in (("CLOUDFRONT on the distribution", waf.edge), ("REGIONAL per entry", waf.regional))
                    if on
                ]
                if waf.uncovered:
                    acls.append(f"not covered: {', '.join(waf.uncovered)}")
                label = " + ".join(f"`{d}`" for d in doors) + (" (A/B map)" if size > 1 else "")
                rows.append(
                    f"| {label} | `{backend}` | {access(exposure, doors)} | {_cell(exposure.summary)} | "
                    f"{'; '.join(acls) or 'none'} |"
                )
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------------
# Dated data files: opt-in regions, AWS limits, benchmark results.


def opt_in_regions() -> str:
    data = json.loads((ROOT / "components/stack/data/aws_opt_in_regions.json").read_text())
    listed = "\n".join(f"| `{code}` | {name} |" for code, name in sorted(data["regions"].items()))
    return (
        f"| region | name, launched |\n|---|---|\n{listed}\n\n"
        f"Source: {data['source']}; read {data['date']} (`components/stack/data/aws_opt_in_regions.json`).\n\n"
        f"- check: `{data['check']}`\n- enable: `{data['enable']}`"
    )


QUOTA_SECTIONS = ("Lambda@Edge", "Global Accelerator", "Route 53", "DynamoDB global tables", "CloudWatch alarms")


def quotas() -> str:
    text = (ROOT / "docs/reference/aws-facts.md").read_text()
    header = text.splitlines()[1] if len(text.splitlines()) > 1 else ""
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    out = [f"From [reference/aws-facts.md](reference/aws-facts.md): {header.strip()}", ""]
    for part in parts:
        title, _, body = part.partition("\n")
        if title.startswith(QUOTA_SECTIONS):
            out += [f"**{title.strip()}**", "", body.strip(), ""]
    from components.registry import MRSC_REGION_SETS, WAF_RATE_LIMIT_RANGE, WAF_RATE_WINDOW_SECONDS

    out += [
        "**From the program's catalogue** (`components/registry.py`, each with its source in a comment there)",
        "",
        f"- WAF rate-based rules: {WAF_RATE_LIMIT_RANGE[0]:,} to {WAF_RATE_LIMIT_RANGE[1]:,} requests per client IP "
        f"per {WAF_RATE_WINDOW_SECONDS // 60} minutes.",
        "- DynamoDB multi-Region strong consistency: three regions of one set: "
        + "; ".join(f"{name} {', '.join(regions)}" for name, regions in MRSC_REGION_SETS.items())
        + ".",
    ]
    return "\n".join(out).rstrip()


def _result(name: str) -> dict | None:
    path = ROOT / "bench" / "results" / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _flat(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [item for key, value in data.items() for item in _flat(value, f"{prefix}{key}.")]
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return [item for i, value in enumerate(data) for item in _flat(value, f"{prefix}{i}.")]
    return [(prefix.rstrip("."), data)]


def bench_figures() -> str:
    lines = []
    synth = _result("synth")
    if synth:
        sizes = synth["sizes"]
        first, last = sizes[0], sizes[-1]
        goal_t, goal_m = synth["goal_t16_over_t2"], synth["goal_peak_mib"]
        lines.append(
            f"- `bench/synth.py` ({synth['date']}"
            + (f", commit {synth['commit']}" if synth.get("commit") else "")
            + f", {synth['cpus']} cores, medians of {synth['repeat']}): "
            + ", ".join(f"{s['resources']} resources in {s['seconds']} s at {s['regions']} regions" for s in sizes)
            + f"; t{last['regions']}/t{first['regions']} = {synth['t16_over_t2']} for {synth['resources_grown']}x the "
            f"resources (goal <= {goal_t}: {'met' if synth['t16_over_t2'] <= goal_t else 'missed'}), time per "
            f"resource {synth['per_resource']}x from {first['regions']} to {last['regions']} regions; peak memory "
            f"{synth['peak_mib_16']} MiB at {last['regions']} regions, {synth['peak_mib_imports']} MiB for the imports "
            f"alone (goal <= {goal_m}: {'met' if synth['peak_mib_16'] <= goal_m else 'missed'})."
        )
    else:
        lines.append("- `bench/synth.py`: no committed results (`bench/results/synth.json`).")
    handler = _result("handler")
    if handler and isinstance(handler.get("goals"), dict):
        goals = handler["goals"]
        shapes = {k: v for k, v in handler.items() if k != "goals" and isinstance(v, dict) and "cold_over_floor" in v}

        def met(flag: Any) -> str:
            return "met" if flag else "missed"

        parts = [
            f"{shape}: cold start {f['cold_over_floor']:.2f}x the floor (goal <= {goals['cold_over_floor']}: "
            f"{met(f.get('cold_goal_met'))}; CPU {f.get('cold_cpu_over_floor', 0):.2f}x), warm p50 "
            f"{f['warm_p50_over_bare']:.2f}x the bare handler (goal <= {goals['warm_p50_over_bare']}: "
            f"{met(f.get('warm_goal_met'))}), warm p99 {f.get('warm_p99_over_bare', 0):.2f}x"
            for shape, f in shapes.items()
        ]
        lines.append(
            f"- `bench/handler.py` ({handler['date']}, {handler.get('cpus')} cores, {handler.get('cold_runs')} cold "
            f"runs, {handler.get('warm_requests')} warm requests): " + "; ".join(parts) + "."
        )
    else:
        lines.append("- `bench/handler.py`: no committed results (`bench/results/handler.json`).")
    for name in ("policy_check",):
        data = _result(name)
        if not data:
            lines.append(f"- `bench/{name}.py`: no committed results (`bench/results/{name}.json`).")
            continue
        date = data.get("date", "undated")
        figures = ", ".join(f"{key} {value}" for key, value in _flat(data) if key != "date" and value is not None)
        lines.append(f"- `bench/{name}.py` ({date}): {figures}.")
    return "\n".join(lines)


def release_times() -> str:
    """Minutes a release takes per strategy for each shipped stack's default waves (CodeDeploy's predefined
    configs; the bake runs between waves, not after the last)."""
    from components.regional import release_plan as plan
    from offline.stack_facts import stack_settings

    head = "| strategy | CodeDeploy config | shifting one wave, at most (min) | " + " | ".join(
        f"{stack}: default waves, minutes in all at most" for stack in shipped_stacks()
    )
    rows = [head + " |", "|---|---|---|" + "---|" * len(shipped_stacks())]
    waves = {}
    for stack in shipped_stacks():
        settings = stack_settings(stack)
        regions = [settings.home_region, *(r for r in settings.regions if r != settings.home_region)]
        waves[stack] = plan.default_waves(regions)
    rows.append(
        f"| `{plan.ALL_AT_ONCE}` | none: `pulumi up` moves every alias | 0 | "
        + " | ".join("every region in one `pulumi up`" for _ in waves.values())
        + " |"
    )
    for strategy, offered in plan.INTERVAL_MINUTES.items():
        for minutes in offered:
            name = plan.deployment_config_name(strategy, minutes)
            shift = plan.shift_minutes(config_name=name or "") or 0.0
            default = " (default)" if minutes == plan.DEFAULT_INTERVAL_MINUTES[strategy] else ""
            cells = []
            for stack_waves in waves.values():
                total = shift * len(stack_waves) + plan.DEFAULT_BAKE_MINUTES * (len(stack_waves) - 1)
                shown = " then ".join(f"[{', '.join(w)}]" for w in stack_waves)
                cells.append(f"{shown}: {total:g}")
            rows.append(f"| `{strategy}` {minutes}{default} | `{name}` | {shift:g} | {' | '.join(cells)} |")
    return (
        "\n".join(rows)
        + f"\n\nDefault waves: {(plan.default_waves.__doc__ or '').strip().rstrip('.').lower()}; the default bake of "
        f"{plan.DEFAULT_BAKE_MINUTES} minutes between waves; CodeDeploy's own start and alarm polling come on top "
        f"(ops.release waits up to {plan.DEPLOYMENT_MARGIN_MINUTES} minutes beyond the shifting for a region)."
    )


def snapstart_regions() -> str:
    data = json.loads((ROOT / "components/stack/data/snapstart_python_regions.json").read_text())
    excluded = ", ".join(f"`{code}` ({name})" for code, name in sorted(data["excluded"].items()))
    return (
        f"Python SnapStart ({data['runtimes']}) is offered in every commercial region except {excluded}. "
        f"Source: {data['source']}; read {data['date']} (`components/stack/data/snapstart_python_regions.json`)."
    )


def snapstart_cost() -> str:
    """What SnapStart adds for the API function, from the dated prices in aws-facts.md and the function's memory."""
    from components.regional.function_settings import FUNCTION_MEMORY_MB

    text = facts_section("Lambda SnapStart")
    cache = re.search(r"\$([0-9.]+) per GB-second", text)
    restore = re.search(r"\$([0-9.]+) per GB each", text)
    if not cache or not restore:
        raise DocsError("docs/reference/aws-facts.md, Lambda SnapStart: no caching or restore price")
    gb = FUNCTION_MEMORY_MB / 1024
    month = gb * 30 * 24 * 3600 * float(cache[1])
    per_million = gb * float(restore[1]) * 1_000_000
    return (
        f"For the API function ({FUNCTION_MEMORY_MB} MB, `components/regional/function_settings.py`): caching one "
        f"published version costs about ${month:.2f} a month in each region while it is active, and every "
        f"restore ${gb * float(restore[1]):.6f} (${per_million:.2f} per million cold starts), on top of the usual "
        "request and duration charges."
    )


def facts_section(title: str) -> str:
    """One section of docs/reference/aws-facts.md, verbatim."""
    text = (ROOT / "docs/reference/aws-facts.md").read_text()
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        heading, _, body = part.partition("\n")
        if heading.startswith(title):
            return f"From [reference/aws-facts.md](reference/aws-facts.md), {heading.strip()}:\n\n{body.strip()}"
    raise DocsError(f"docs/reference/aws-facts.md has no section {title!r}")


def metrics_table() -> str:
    """Every custom metric the functions publish, from their contract modules (what dashboards and alarms chart)."""
    from functions.api import contract as api
    from functions.probe import contract as probe

    def dims(sets: Any) -> str:
        return "; ".join("{" + ", ".join(group) + "}" for group in sets)

    rows = ["| namespace | metric | dimension sets | published by |", "|---|---|---|---|"]
    for metric in api.REQUEST_METRICS:
        rows.append(
            f"| `{api.METRICS_NAMESPACE}` | `{metric}` | {dims(api.DIMENSION_SETS)} | the API function, per request |"
        )
    cold_start = getattr(api, "METRIC_COLD_START", None)
    cold_start_dimensions = getattr(api, "COLD_START_DIMENSIONS", None)
    if cold_start and cold_start_dimensions:
        rows.append(
            f"| `{api.METRICS_NAMESPACE}` | `{cold_start}` | {dims([cold_start_dimensions])} | "
            "the API function, once per execution environment |"
        )
    for metric, sets in probe.METRIC_DIMENSIONS.items():
        rows.append(f"| `{probe.NAMESPACE}` | `{metric}` | {dims([sets])} | the probe, every minute per door |")
    return "\n".join(rows)


def troubleshooting_table() -> str:
    from offline.engine.lifecycle import ASSOCIATION_RULES

    grouped: dict[tuple[str, str], list[str]] = {}
    for rule in ASSOCIATION_RULES:
        grouped.setdefault((rule.code, rule.why), []).append(rule.type)
    rows = ["| AWS error | the rule | resources `make diff` checks it on |", "|---|---|---|"]
    for (code, why), types in grouped.items():
        rows.append(f"| `{code}` | {_cell(why)} | {', '.join(f'`{t}`' for t in dict.fromkeys(types))} |")
    return "\n".join(rows)


def stacks_table() -> str:
    """The shipped stacks, from Pulumi.<stack>.yaml through the program's own config parser."""
    from offline.stack_facts import stack_settings

    rows = [
        "| stack | regions (home first) | backend | `frontDoor` | domain | deletion protection |",
        "|---|---|---|---|---|---|",
    ]
    for stack in shipped_stacks():
        settings = stack_settings(stack)
        regions = [settings.home_region, *(r for r in settings.regions if r != settings.home_region)]
        weights = settings.weights if settings.is_ab else {}
        doors = ", ".join(f"{s}: {weights[s]}" if s in weights else s for s in settings.strategies)
        domain = f"`{settings.domain.name}.{settings.domain.zone}`" if settings.domain else "none"
        rows.append(
            f"| `{stack}` | {', '.join(regions)} | `{settings.backend}` | `{doors}` | {domain} | "
            f"{'on' if settings.deletion_protection else 'off'} |"
        )
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------------
# Hand-written shell examples, for tests/unit/test_docs.py to run.

FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[a-z]*)\s*$")
NEEDS = re.compile(r"<!-- needs: (?P<what>[a-z, ]+) -->")
EXIT = re.compile(r"<!-- exit: (?P<code>[0-9]+) -->")


@dataclass(frozen=True)
class Example:
    path: str  # relative to the repository root
    line: int  # of the opening fence
    code: str
    needs: str  # "" when it runs anywhere
    exit: int

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


def shell_examples(path: Path) -> list[Example]:
    """Every fenced bash/sh block outside the generated regions, with the markers right above it."""
    text = MARKER.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text())
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        start, lang, indent = i, fence["lang"], len(fence["indent"])
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), len(lines))
        i = end + 1
        if lang not in ("bash", "sh"):
            continue
        above = []
        for j in range(start - 1, -1, -1):
            if not lines[j].strip().startswith("<!--"):
                break
            above.append(lines[j])
        comments = " ".join(above)
        needs = NEEDS.search(comments)
        code = EXIT.search(comments)
        body = "\n".join(line[indent:] for line in lines[start + 1 : end])
        found.append(
            Example(
                path=str(path.relative_to(ROOT)),
                line=start + 1,
                code=body,
                needs=needs["what"] if needs else "",
                exit=int(code["code"]) if code else 0,
            )
        )
    return found


def run_example(example: Example, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", example.code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=shell_env(),
        timeout=timeout,
    )


# ---------------------------------------------------------------------------------------------
# The markers and the files.

SECTIONS: dict[str, Callable[[], str]] = {
    "policy-count": policy_count,
    "policies": policies_table,
    "config": config_table,
    "doors": doors_table,
    "exposure": exposure_table,
    "report": report_table,
    "opt-in-regions": opt_in_regions,
    "quotas": quotas,
    "bench": bench_figures,
    "aws-errors": troubleshooting_table,
    "stacks": stacks_table,
    "metrics": metrics_table,
    "release-times": release_times,
    "snapstart-regions": snapstart_regions,
    "snapstart-facts": functools.partial(facts_section, "Lambda SnapStart"),
    "snapstart-cost": snapstart_cost,
    **{f"sample-{name}": functools.partial(console, name) for name in SAMPLES},
}


@functools.cache
def section(name: str) -> str:
    if name not in SECTIONS:
        raise DocsError(f"unknown marker generated:{name} (known: {', '.join(sorted(SECTIONS))})")
    return SECTIONS[name]()


def render(text: str) -> str:
    def replace(match: re.Match) -> str:
        name, body = match["name"], match["body"]
        value = section(name)
        inline = "\n" not in body
        inner = value if inline else f"\n{value}\n"
        return f"<!-- generated:{name} -->{inner}<!-- /generated:{name} -->"

    return MARKER.sub(replace, text)


def expected() -> dict[Path, bytes]:
    """Every generated file and the bytes it should hold."""
    files = {path: render(path.read_text()).encode() for path in doc_files()}
    files[REPORT_DIR / "report.md"] = report_files()["report.md"]
    return files


def _settled(text: str) -> str:
    """The text with each sample output's lines sorted: the tools print some steps in the order the mocked
    engine happened to register them (which varies from run to run), so a doc is current when it holds the
    same lines; a rewrite keeps the order of the run that wrote it."""

    def sort(match: re.Match) -> str:
        if not match["name"].startswith("sample-"):
            return match.group(0)
        return "\n".join(sorted(match.group(0).splitlines()))

    return MARKER.sub(sort, text)


def changed() -> dict[Path, bytes]:
    stale = {}
    for path, data in expected().items():
        if not path.exists():
            stale[path] = data
        elif path.read_bytes() != data and _settled(path.read_text()) != _settled(data.decode()):
            stale[path] = data
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {PROG}", description=(__doc__ or PROG).splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a doc is out of date")
    parser.add_argument("--json", action="store_true", help='print {"changed": [path, ...], "check": bool} only')
    args = parser.parse_args(argv)
    try:
        stale = changed()
    except DocsError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a tool the docs quote is broken: one line, not a traceback
        print(f"{PROG}: cannot build the docs: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    names = [str(p.relative_to(ROOT)) for p in stale]
    if not args.check:
        for path, data in stale.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        # The chart carries the day it was drawn: written, never compared.
        (REPORT_DIR / "doors.png").write_bytes(report_files()["doors.png"])
    if args.json:
        print(json.dumps({"changed": names, "check": args.check}))
    else:
        verb = "out of date" if args.check else "rewritten"
        for name in names:
            print(f"{verb}: {name}", file=sys.stderr if args.check else sys.stdout)
        if not names:
            print("docs up to date")
    return 1 if args.check and names else 0


if __name__ == "__main__":
    sys.exit(main())
