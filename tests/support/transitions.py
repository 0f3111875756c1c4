"""Transitions between two configs of one stack, replayed the way the engine would carry them out."""

import json
from typing import Optional

from offline.engine.lifecycle import (
    DeployedState,
    UpdatePlan,
    deployed_tables,
    failed_update_state,
    plan_transition,
    plan_update,
)
from offline.engine.run import ProgramRun, run_program

DOMAIN = {"zone": "example.com", "name": "api"}
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
TABLE = "aws:dynamodb/table:Table"


def config(front_door="route53", backend="alb", regions=REGIONS, domain=DOMAIN, **extra) -> dict:
    values = {
        "aws:region": regions[0],
        "regions": list(regions),
        "backend": backend,
        "frontDoor": front_door,
        "healthCheck": {"path": "/health", "intervalSeconds": 30, "failureThreshold": 3},
        **extra,
    }
    if domain is not None:
        values["domain"] = domain
    return values


def transition(before: dict, after: dict) -> UpdatePlan:
    plan, _, _ = plan_transition("test", before, after)
    return plan


def assert_accepted(plan: UpdatePlan) -> None:
    """AWS would take every step, and the table stays what it is."""
    assert not plan.clashes, "\n".join(plan.clashes)
    assert not plan.hazards, "\n".join(plan.hazards)
    (table,) = [s for s in plan.steps if s.type == TABLE]
    assert table.op in ("same", "update"), table.describe()
    assert set(table.changed) <= {"replicas", "deletionProtectionEnabled", "tags"}, table.describe()
    if "tags" in table.changed:  # only the tags earlier releases kept of which doors served and how ALBs were made
        before, after = table.old.inputs["tags"], table.new.inputs["tags"]
        assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} <= {
            "front-doors",
            "alb-scheme",
        }


# Program runs cached per config, for tests that replay many transitions among a few configs.
_TABLE_KEYS = ("aws:region", "regions", "tableConsistency", "witnessRegion")
_TABLES: dict[str, dict[str, dict[str, str]]] = {}
_RUNS: dict[str, ProgramRun] = {}


def deployed_run(values: dict, stack: str = "test") -> ProgramRun:
    """The stack as an update with config `values` leaves it once its table exists (any update after the
    one that created the stack), run once per config and process. The table is taken from one run that
    creates a stack with the same table settings, and must be the one this run registers."""
    key = f"{stack}:{json.dumps(values, sort_keys=True)}"
    if key not in _RUNS:
        table_key = f"{stack}:{json.dumps({k: values.get(k) for k in _TABLE_KEYS}, sort_keys=True)}"
        if table_key not in _TABLES:
            _TABLES[table_key] = deployed_tables(run_program(stack, values=values))
        run = run_program(stack, values=values, deployed_tables=_TABLES[table_key])
        assert deployed_tables(run) == _TABLES[table_key], f"{key}: not the table its settings make"
        _RUNS[key] = run
    return _RUNS[key]


def plan_between(before: dict, after: dict, stack: str = "test") -> tuple[UpdatePlan, ProgramRun, ProgramRun]:
    """`plan_transition(stack, before, after)` from cached runs: the update's run sees the table the deployed
    stack has, as there. The deployed stack is `before`'s run with its table deployed rather than the run
    that created it: the program reads the table only to refuse a change of home region or consistency, so
    both register the same resources."""
    old_run, new_run = deployed_run(before, stack), deployed_run(after, stack)
    assert deployed_tables(old_run) == deployed_tables(new_run), "the configs make different tables"
    return plan_update(old_run, new_run), old_run, new_run


def failed_between(
    before: dict, after: dict, upto: Optional[int] = None, creates_only: bool = False, stack: str = "test"
) -> tuple[UpdatePlan, DeployedState, UpdatePlan]:
    """`plan_failed_transition(stack, before, after, upto, creates_only)` from cached runs: the switch stops
    part way (`failed_update_state`), and `pulumi up` runs again with `after` from the state it left."""
    first, old_run, new_run = plan_between(before, after, stack)
    state = failed_update_state(first, old_run, upto=upto, creates_only=creates_only)
    assert deployed_tables(state) == deployed_tables(new_run)  # what plan_recovery's run would see
    return first, state, plan_update(state, new_run)
