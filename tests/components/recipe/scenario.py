"""Run in a fresh process by tests/components/test_extension_recipe.py: register the throwaway door and backend
(one registry line each), rebuild the pack's view of the registry (the build step `make pack` runs), then
run the program, offline.check, ops.cost, ops.report and live transitions to and from each; print JSON.

    python -m tests.components.recipe.scenario OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from components import registry

# The recipe's one line each (what a contributor adds to components/registry.py).
registry.DOORS["echo"] = "tests.components.recipe.echo_door"
registry.BACKENDS["plainapi"] = "tests.components.recipe.plain_api_entry"


def build_pack_view(directory: Path) -> None:
    """`make pack` into `directory`, and point the pack at it (before any policy module is imported)."""
    from offline import pack_build
    from policies import common

    directory.mkdir(parents=True, exist_ok=True)
    for path, text in pack_build.render().items():
        if path.parent == pack_build.SHARED_DIR:
            (directory / path.name).write_text(text)
    common.SHARED_DIR = directory
    common._shared.cache_clear()


def check(overrides: list[str]) -> dict:
    from offline.check import run_check

    result = run_check("dev", overrides)
    return {
        "mandatory": [f"{v.policy}: {v.message}" for v in result.mandatory],
        "advisory": [v.policy for v in result.advisory],
    }


def program(values: dict) -> dict:
    from offline.engine.run import run_program

    run = run_program("recipe", values=values)
    return {
        "types": sorted({r.type for r in run.resources}),
        "frontDoorUrls": run.outputs.get("frontDoorUrls"),
        "regionalEndpoints": run.outputs.get("regionalEndpoints"),
    }


def cost_and_report(overrides: list[str]) -> dict:
    from offline.stack_facts import stack_settings
    from ops import cost, report

    settings = stack_settings("dev", overrides)
    usage = cost.Usage(1e7, 1, 0.2)
    rows = report.figures(settings, usage, [], report.load_rtt())
    return {
        "cost": cost.estimate(settings, usage),
        "report": {row.door: {"failover": row.failover_modelled_s, "cost": row.monthly_cost} for row in rows},
        "markdown": report.render("dev", settings, usage, rows, report.load_rtt()),
    }


def transition(before: dict, after: dict) -> dict:
    from offline.engine.lifecycle import plan_transition

    plan, _, _ = plan_transition("recipe", before, after)
    return {"clashes": list(plan.clashes), "hazards": list(plan.hazards), "ops": sorted({s.op for s in plan.steps})}


def main(out: Path) -> None:
    build_pack_view(out / "shared")
    from tests.support.transitions import config

    door, backend = config("echo", "apigateway"), config("cloudfront", "plainapi")
    result = {
        "door": {
            "program": program(door),
            "check": check(["frontDoor=echo"]),
            **cost_and_report(["frontDoor=echo"]),
            "to": transition(config("route53", "apigateway"), door),
            "from": transition(door, config("cloudfront", "apigateway")),
        },
        "backend": {
            "program": program(backend),
            "check": check(["frontDoor=cloudfront", "backend=plainapi"]),
            **cost_and_report(["frontDoor=cloudfront", "backend=plainapi"]),
            # From and to an ALB (two API Gateway backends cannot hold the same custom domain names at once).
            "to": transition(config("cloudfront", "alb"), backend),
            "from": transition(backend, config("cloudfront", "alb")),
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
