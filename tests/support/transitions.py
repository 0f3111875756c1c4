"""Transitions between two configs of one stack, replayed the way the engine would carry them out."""

from offline.lifecycle import UpdatePlan, plan_transition

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
