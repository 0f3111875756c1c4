"""Issue 21: moving a live stack from the unqualified function to the `live` alias is an update AWS accepts with
no request refused.

Replayed from the snapshots of the last release (v3 prod: ALBs behind Global Accelerator; v3 dev: HTTP APIs) in
the engine's order (offline/engine/lifecycle.py: replaced resources get new identities, AWS's association rules hold at
every operation, among them ELB's one Lambda target per target group). What must come first, per region:
- the alias, on the version this update publishes, before anything invokes it;
- the permission that lets ELB (API Gateway) invoke the alias, before ELB registers the alias as its target (ELB
  checks the permission at registration) or the integration sends requests to it;
- the new target, in a target group of its own (ELB takes one Lambda target per group), before the listeners
  forward to that group; the old target and permission only after nothing forwards to them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline.engine.lifecycle import (
    UpdatePlan,
    associations_clashes,
    deployed_tables,
    failed_update_state,
    plan_update,
    run_from_snapshot,
)
from offline.engine.mocks import mock_outputs
from offline.engine.run import CapturedResource, ProgramRun, run_program

SNAPSHOTS = Path(__file__).parent / "snapshots"
ALIAS = "aws:lambda/alias:Alias"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
PROD_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")
DEV_REGIONS = ("us-east-1", "eu-west-1")

_UPGRADES: dict[str, tuple[UpdatePlan, ProgramRun, ProgramRun]] = {}


def upgrade(snapshot: str, stack: str) -> tuple[UpdatePlan, ProgramRun, ProgramRun]:
    if snapshot not in _UPGRADES:
        old = run_from_snapshot(json.loads((SNAPSHOTS / snapshot).read_text()))
        new = run_program(stack, deployed_tables=deployed_tables(old))
        _UPGRADES[snapshot] = (plan_update(old, new), old, new)
    return _UPGRADES[snapshot]


def name(urn: str) -> str:
    return urn.rsplit("::", 1)[1]


def at(plan: UpdatePlan, op: str, type_: str, resource_name: str) -> int:
    """Where the replay carries out `op` on the resource of that type and name (exactly once)."""
    found = [
        i
        for i, e in enumerate(plan.events)
        if e.op == op and e.step.type == type_ and name(e.step.urn) == resource_name
    ]
    assert len(found) == 1, f"{op} {resource_name}: {found}"
    return found[0]


def after(plan: UpdatePlan, type_: str, resource_name: str) -> CapturedResource:
    (step,) = [s for s in plan.steps if s.type == type_ and name(s.urn) == resource_name]
    return step.after


# -- The rule the replay holds the upgrade to ---------------------------------------------------------------------


def resource(type_: str, resource_name: str, inputs: dict) -> CapturedResource:
    rid, state = mock_outputs(type_, resource_name, "us-east-1", inputs)
    return CapturedResource(
        urn=f"urn:pulumi:s::p::{type_}::{resource_name}",
        type=type_,
        name=resource_name,
        id=rid,
        inputs=inputs,
        state=state,
        region="us-east-1",
        custom=True,
        parent=None,
        provider="prov::id",
    )


def test_a_lambda_target_group_holds_one_target():
    """ELB registers one Lambda function per target group: the alias cannot join the function in the group it
    serves from (TooManyTargets); registering the same target again is a no-op, another group takes it."""
    group = resource(TARGET_GROUP, "tg", {"targetType": "lambda"})
    other = resource(TARGET_GROUP, "tg-live", {"targetType": "lambda"})
    function_arn = "arn:aws:lambda:us-east-1:123456789012:function:api"

    def target(resource_name: str, group_: CapturedResource, target_id: str) -> CapturedResource:
        return resource(ATTACHMENT, resource_name, {"targetGroupArn": group_.state["arn"], "targetId": target_id})

    held = [group, other, target("function", group, function_arn)]
    (clash,) = associations_clashes(held, [target("alias", group, f"{function_arn}:live")])
    assert "TooManyTargets" in clash and "a Lambda target group holds one target" in clash
    assert associations_clashes(held, [target("again", group, function_arn)]) == []
    assert associations_clashes(held, [target("alias", other, f"{function_arn}:live")]) == []
    instances = resource(TARGET_GROUP, "tg-ip", {"targetType": "ip"})
    two = [instances, target("a", instances, "10.0.0.1")]
    assert associations_clashes(two, [target("b", instances, "10.0.0.2")]) == []  # not a Lambda group


# -- v3 prod: ALBs ----------------------------------------------------------------------------------------------


def test_last_release_prod_registers_the_alias_with_nothing_refused():
    plan, old, new = upgrade("v3-prod.json", "prod")
    assert not plan.problems, "\n".join(plan.problems)
    for region in PROD_REGIONS:
        api = f"api-{region}"
        alias = after(plan, ALIAS, f"{api}-live")
        function = after(plan, FUNCTION, f"{api}-fn")
        assert function.inputs["publish"] is True and alias.inputs["functionVersion"] == function.state["version"]
        permission = after(plan, PERMISSION, f"{api}-alb-invoke")
        assert permission.inputs["qualifier"] == "live"
        target = after(plan, ATTACHMENT, f"{api}-alb-target")
        assert target.inputs["targetId"] == alias.state["arn"] == f"{function.state['arn']}:live"
        (before,) = [r for r in old.resources if r.type == ATTACHMENT and r.name == f"{api}-alb-target"]
        # A group of its own: the old one keeps the function until nothing forwards to it.
        assert target.inputs["targetGroupArn"] != before.inputs["targetGroupArn"]

        created = at(plan, "create", ALIAS, f"{api}-live")
        allowed = at(plan, "create", PERMISSION, f"{api}-alb-invoke")
        registered = at(plan, "create", ATTACHMENT, f"{api}-alb-target")
        assert created < allowed < registered
        switched = [
            i
            for i, e in enumerate(plan.events)
            if e.op == "update"
            and e.step.type == LISTENER
            and target.inputs["targetGroupArn"] in json.dumps(e.resource.inputs)
        ]
        assert switched and registered < min(switched)
        deregistered = at(plan, "delete", ATTACHMENT, f"{api}-alb-target")
        revoked = at(plan, "delete", PERMISSION, f"{api}-alb-invoke")
        assert max(switched) < deregistered < revoked


# -- v3 dev: HTTP APIs ----------------------------------------------------------------------------------------


def test_last_release_dev_integrates_the_alias_after_its_permission():
    plan, _, _ = upgrade("v3-dev.json", "dev")
    assert not plan.problems, "\n".join(plan.problems)
    for region in DEV_REGIONS:
        api = f"api-{region}"
        alias = after(plan, ALIAS, f"{api}-live")
        assert after(plan, PERMISSION, f"{api}-apigateway-invoke").inputs["qualifier"] == "live"
        (integration,) = [s for s in plan.steps if s.type == INTEGRATION and name(s.urn) == f"{api}-apigateway-lambda"]
        assert (integration.op, integration.changed) == ("update", ("integrationUri",))
        assert integration.after.inputs["integrationUri"] == alias.state["arn"]

        created = at(plan, "create", ALIAS, f"{api}-live")
        allowed = at(plan, "create", PERMISSION, f"{api}-apigateway-invoke")
        moved = at(plan, "update", INTEGRATION, f"{api}-apigateway-lambda")
        revoked = at(plan, "delete", PERMISSION, f"{api}-apigateway-invoke")
        assert created < allowed < moved < revoked


# -- An upgrade that stops part way, then runs again ----------------------------------------------------------


@pytest.mark.parametrize(("snapshot", "stack"), [("v3-prod.json", "prod"), ("v3-dev.json", "dev")])
def test_an_upgrade_stopped_anywhere_in_the_move_completes_when_run_again(snapshot, stack):
    """Stopped after each operation on the alias, the permissions, the targets or the integrations (a refused
    request, a timeout): the next `pulumi up` from the state it left is accepted too."""
    plan, old, new = upgrade(snapshot, stack)
    moves = {ALIAS, PERMISSION, ATTACHMENT, INTEGRATION}
    cuts = sorted({i + 1 for i, e in enumerate(plan.events) if e.step.type in moves and "us-east-1" in e.step.urn})
    assert len(cuts) >= 4
    for cut in cuts:
        state = failed_update_state(plan, old, upto=cut)
        recovery = plan_update(state, new)
        assert not recovery.problems, f"stopped after {plan.events[cut - 1].describe()}: {recovery.problems}"


# -- Switching the strategy on a live stack ---------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["alb", "apigateway"])
def test_switching_between_pulumi_up_and_codedeploy_moving_the_alias_is_accepted(backend):
    """To canary: CodeDeploy's application, group and role per region come, the alias stays (ignore_changes from
    now on); back to all-at-once: they go, and the alias is pulumi up's again. No entry is touched either way."""
    from tests.support.transitions import config, plan_between

    before = config("route53", backend=backend, regions=["us-east-1", "eu-west-1"])
    canary = {**before, "release": {"strategy": "canary"}}
    for old, new, op in ((before, canary, "create"), (canary, before, "delete")):
        plan, _, _ = plan_between(old, new)
        assert not plan.problems, "\n".join(plan.problems)
        moved = {(s.op, s.type) for s in plan.steps if s.op != "same"}
        assert moved == {
            (op, "global-serverless:components:CodeDeployRelease"),
            (op, "aws:iam/role:Role"),
            (op, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
            (op, "aws:codedeploy/application:Application"),
            (op, "aws:codedeploy/deploymentGroup:DeploymentGroup"),
        }, moved
