"""The replay sees identity: a replaced resource is a new one to AWS (new id, ARN, DNS name), whatever
refers to it changes, and AWS's association rules hold at every operation, also after a failed update."""

import pytest

from offline.engine.lifecycle import (
    ASSOCIATION_RULES,
    DeployedState,
    associations_clashes,
    failed_update_state,
    plan_failed_transition,
    plan_transition,
    plan_update,
)
from offline.engine.mocks import mock_outputs
from offline.engine.run import CapturedResource, ProgramRun
from offline.stack_config import stack_values

LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
PERMISSION = "aws:lambda/permission:Permission"
FUNCTION = "aws:lambda/function:Function"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
ENDPOINT_GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"
REGION = "us-east-1"


def resource(type_, name, inputs, region=REGION, **options) -> CapturedResource:
    """A resource with the id and outputs the mocks give it."""
    rid, state = mock_outputs(type_, name, region, inputs)
    return CapturedResource(
        urn=f"urn:pulumi:s::p::{type_}::{name}",
        type=type_,
        name=name,
        id=rid,
        inputs=inputs,
        state=state,
        region=region,
        custom=True,
        parent=None,
        provider="prov::id",
        **options,
    )


def arn(r: CapturedResource) -> str:
    return r.state["arn"]


def forward(group):
    return [{"type": "forward", "targetGroupArn": arn(group)}]


def entry(internal: bool, group=None):
    """An ALB, its target group and its HTTPS listener forwarding to it; `group` shared if given."""
    alb = resource(LB, "alb", {"internal": internal, "loadBalancerType": "application"})
    group = group or resource(TG, "tg", {"targetType": "lambda"})
    listener = resource(
        LISTENER,
        "https",
        {"loadBalancerArn": arn(alb), "port": 443, "protocol": "HTTPS", "defaultActions": forward(group)},
    )
    rule = resource(
        RULE, "last", {"listenerArn": arn(listener), "priority": 50000, "actions": forward(group), "conditions": []}
    )
    return [alb, group, listener, rule]


def run(resources) -> ProgramRun:
    return ProgramRun("s", list(resources), {})


def codes(clashes) -> set[str]:
    return {rule.code for rule in ASSOCIATION_RULES if any(rule.code in clash for clash in clashes)}


# -- Identity -----------------------------------------------------------------------------------


def test_a_replaced_resource_gets_a_new_arn_and_its_dependents_follow():
    """The mocks make the new ALB's ARN the old one's: the replay gives it a new one, so the listener
    (load_balancer_arn is ForceNew) is replaced in turn, and so is the rule on it (listener_arn)."""
    old = run(entry(internal=True))
    new = run(entry(internal=False))
    assert new.resources[2].inputs == old.resources[2].inputs  # what the mocks alone say
    plan = plan_update(old, new)
    ops = {s.urn.rsplit("::", 1)[1]: (s.op, s.forced_by) for s in plan.steps}
    assert ops == {
        "alb": ("replace", ("internal",)),
        "tg": ("same", ()),
        "https": ("replace", ("loadBalancerArn",)),
        "last": ("replace", ("listenerArn",)),
    }
    alb = plan.new_run.resources[0]
    assert arn(alb) != arn(old.resources[0]) and alb.id != old.resources[0].id
    assert alb.state["dnsName"] != old.resources[0].state["dnsName"]
    assert plan.new_run.resources[2].inputs["loadBalancerArn"] == arn(alb)
    assert set(plan.generations.values()) == {1} and len(plan.generations) == 3
    # Without identity the listener looks unchanged: the blind spot this closes.
    assert [s.op for s in plan_update(old, new, identity=False).steps] == ["replace", "same", "same", "same"]


def test_a_resource_deleted_and_created_under_another_urn_is_new_too():
    old_group = resource(TG, "tg", {"targetType": "lambda"})
    moved = resource(TG, "tg", {"targetType": "lambda"})
    moved.urn = "urn:pulumi:s::p::parent$" + TG + "::tg"
    permission = resource(PERMISSION, "invoke", {"function": "fn", "sourceArn": arn(old_group), "action": "x"})
    plan = plan_update(run([old_group, permission]), run([moved, permission]))
    ops = {s.urn: s.op for s in plan.steps}
    assert ops[moved.urn] == "create" and ops[old_group.urn] == "delete"
    assert ops[permission.urn] == "replace"  # source_arn now names the new target group


def test_explicit_names_keep_their_arn_when_replaced():
    """AWS builds a named function's ARN from its name: a replacement keeps it, so nothing else moves."""
    old = resource(FUNCTION, "fn", {"name": "api", "packageType": "Zip"})
    new = resource(FUNCTION, "fn", {"name": "api", "packageType": "Image"})
    user = resource(PERMISSION, "invoke", {"function": arn(old), "action": "x"})
    plan = plan_update(run([old, user]), run([new, user]))
    assert [s.op for s in plan.steps] == ["replace", "same"]


# -- Association rules, one by one --------------------------------------------------------------


def test_a_target_group_belongs_to_one_load_balancer_at_a_time():
    group = resource(TG, "tg", {})
    one = resource(LB, "one", {})
    two = resource(LB, "two", {})
    on_one = resource(LISTENER, "a", {"loadBalancerArn": arn(one), "port": 443, "defaultActions": forward(group)})
    also_one = resource(LISTENER, "b", {"loadBalancerArn": arn(one), "port": 80, "defaultActions": forward(group)})
    on_two = resource(LISTENER, "c", {"loadBalancerArn": arn(two), "port": 443, "defaultActions": forward(group)})
    assert associations_clashes([one, two, group, on_one], [also_one]) == []
    (clash,) = associations_clashes([one, two, group, on_one], [on_two])
    assert (
        "TargetGroupAssociationLimit" in clash and "listener:Listener::c" in clash and "listener:Listener::a" in clash
    )
    # Through a listener rule of another load balancer's listener as well (weighted forward too).
    weighted = [{"type": "forward", "forward": {"targetGroups": [{"arn": arn(group), "weight": 1}]}}]
    bare = resource(LISTENER, "d", {"loadBalancerArn": arn(two), "port": 8443, "defaultActions": []})
    rule = resource(RULE, "r", {"listenerArn": arn(bare), "priority": 1, "actions": weighted})
    assert codes(associations_clashes([one, two, group, on_one, bare], [rule])) == {"TargetGroupAssociationLimit"}


def test_one_listener_per_port_per_load_balancer():
    alb, other = resource(LB, "alb", {}), resource(LB, "other", {})
    first = resource(LISTENER, "a", {"loadBalancerArn": arn(alb), "port": 443.0})
    assert codes(
        associations_clashes([alb, first], [resource(LISTENER, "b", {"loadBalancerArn": arn(alb), "port": 443})])
    ) == {"DuplicateListener"}
    assert (
        associations_clashes([alb, first], [resource(LISTENER, "c", {"loadBalancerArn": arn(other), "port": 443})])
        == []
    )


def test_listener_rule_priorities_are_unique_per_listener():
    one = resource(LISTENER, "one", {"loadBalancerArn": "lb", "port": 443})
    two = resource(LISTENER, "two", {"loadBalancerArn": "lb", "port": 80})
    rule = resource(RULE, "a", {"listenerArn": arn(one), "priority": 100})
    same = resource(RULE, "b", {"listenerArn": arn(one), "priority": 100})
    assert codes(associations_clashes([one, two, rule], [same])) == {"PriorityInUse"}
    elsewhere = resource(RULE, "c", {"listenerArn": arn(two), "priority": 100})
    assert associations_clashes([one, two, rule], [elsewhere]) == []


def test_one_vpc_origin_per_load_balancer():
    alb = resource(LB, "alb", {})
    origin = resource(VPC_ORIGIN, "a", {"vpcOriginEndpointConfig": {"arn": arn(alb), "name": "a"}})
    again = resource(VPC_ORIGIN, "b", {"vpcOriginEndpointConfig": {"arn": arn(alb), "name": "b"}})
    assert codes(associations_clashes([alb, origin], [again])) == {"EntityAlreadyExists"}


def test_security_group_rules_are_not_duplicated():
    group = resource(
        SG, "sg", {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]}
    )
    rule = {"securityGroupId": group.id, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"}
    # Beside the group's inline entry, and beside another rule resource.
    assert codes(associations_clashes([group], [resource(INGRESS, "a", rule)])) == {"InvalidPermission.Duplicate"}
    bare = resource(SG, "bare", {"ingress": []})
    twin = {**rule, "securityGroupId": bare.id}
    assert codes(
        associations_clashes(
            [bare, resource(INGRESS, "a", twin)], [resource(INGRESS, "b", {**twin, "ipProtocol": "6"})]
        )
    ) == {"InvalidPermission.Duplicate"}
    assert (
        associations_clashes(
            [bare, resource(INGRESS, "a", twin)], [resource(INGRESS, "c", {**twin, "fromPort": 80, "toPort": 80})]
        )
        == []
    )


def test_a_lambda_statement_id_is_unique_per_function():
    function = resource(FUNCTION, "fn", {"name": "api"})
    by_name = resource(PERMISSION, "a", {"function": "api", "statementId": "elb", "action": "x"})
    by_arn = resource(PERMISSION, "b", {"function": arn(function), "statementId": "elb", "action": "x"})
    assert codes(associations_clashes([function, by_name], [by_arn])) == {"ResourceConflictException"}
    unnamed = [resource(PERMISSION, n, {"function": "api", "action": "x"}) for n in ("c", "d")]
    assert associations_clashes([function, unnamed[0]], [unnamed[1]]) == []  # the provider makes ids up


def test_one_endpoint_group_per_listener_and_region():
    group = resource(ENDPOINT_GROUP, "a", {"listenerArn": "l1", "endpointGroupRegion": "eu-west-1"})
    assert codes(
        associations_clashes(
            [group], [resource(ENDPOINT_GROUP, "b", {"listenerArn": "l1", "endpointGroupRegion": "eu-west-1"})]
        )
    ) == {"EndpointGroupAlreadyExistsException"}
    assert (
        associations_clashes(
            [group], [resource(ENDPOINT_GROUP, "c", {"listenerArn": "l1", "endpointGroupRegion": "us-east-1"})]
        )
        == []
    )


# -- The reviewer's defect ------------------------------------------------------------------------


def test_replacing_an_alb_but_not_its_target_group_is_refused():
    """GA-created internal ALB -> internet-facing: the new listener forwards to the target group the old
    listener still holds until the deletes at the end (hand-built: fast, and independent of the program)."""
    old = entry(internal=True)
    plan = plan_update(run(old), run(entry(internal=False)))
    assert codes(plan.clashes) == {"TargetGroupAssociationLimit"}
    assert any(
        "replacing aws:lb/listener:Listener::https (new)" in c and "load balancer alb (old)" in c for c in plan.clashes
    )
    # Replacing the target group with its ALB (a new name forces it) is what AWS takes.
    fixed = entry(internal=False, group=resource(TG, "tg", {"targetType": "lambda", "name": "tg-public"}))
    fixed[2:] = entry(internal=False, group=fixed[1])[2:]
    assert plan_update(run(old), run(fixed)).clashes == []


@pytest.fixture(scope="module")
def prod_created_behind_global_accelerator_to_route53():
    before = stack_values("prod")
    assert before["global-serverless:frontDoor"] == "globalaccelerator" and before["global-serverless:backend"] == "alb"
    plan, _, _ = plan_transition("prod", before, {**before, "global-serverless:frontDoor": "route53"})
    return plan


def test_a_stack_created_behind_global_accelerator_moves_to_route53(prod_created_behind_global_accelerator_to_route53):
    """The reviewer's blocker (TargetGroupAssociationLimit) on the program: the exposure change (483c197)
    replaces the target group with its ALB, so the new listeners forward to a new target group."""
    plan = prod_created_behind_global_accelerator_to_route53
    assert [s for s in plan.steps if s.type == LB and s.op == "replace"]  # its ALBs were internal
    assert not plan.clashes, "\n".join(plan.clashes)


# -- Failed updates -----------------------------------------------------------------------------


def test_a_failed_replacement_leaves_the_old_half_pending_and_the_next_update_deletes_it_first():
    old = run(entry(internal=True))
    plan = plan_update(old, run(entry(internal=False)))
    state = failed_update_state(plan, old, creates_only=True)
    assert isinstance(state, DeployedState)
    assert sorted(r.name for r in state.pending_delete) == ["alb", "https", "last"]
    assert sorted(r.name for r in state.resources) == ["alb", "https", "last", "tg"]
    assert {urn.rsplit("::", 1)[1]: g for urn, g in state.generations.items()} == {"alb": 1, "https": 1, "last": 1}
    again = plan_update(state, run(entry(internal=False)))
    assert [e.op for e in again.events if e.pending] == ["delete"] * 3
    assert {s.op for s in again.steps} == {"same"} and not again.clashes  # the new ones are what the program wants
    # Up to an operation: the first k of the replay (here: the new ALB only).
    partial = failed_update_state(plan, old, upto=1)
    assert [r.name for r in partial.pending_delete] == ["alb"]


def test_a_faster_health_check_fails_after_its_creates_and_the_next_update_finishes_it():
    """On the current program: the health checks are replaced, the update stops after the creates; the
    next `pulumi up` deletes the old checks first and points the records at the new ones."""
    from tests.support.transitions import config

    before = config("route53")
    after = config("route53", healthCheck={"path": "/health", "intervalSeconds": 10})
    first, state, second = plan_failed_transition("test", before, after, creates_only=True)
    assert not first.clashes and not second.clashes, "\n".join(first.clashes + second.clashes)
    checks = {s.urn for s in first.of("replace")}
    assert checks and {r.urn for r in state.pending_delete} == checks
    assert [e.resource.urn for e in second.events if e.pending] and all(
        e.op == "delete" for e in second.events if e.pending
    )
    # The new checks exist: kept as they are (their new ids), and the records move to them in place.
    assert {s.op for s in second.steps if s.urn in checks} == {"same"}
    records = [s for s in second.steps if s.op == "update" and "healthCheckId" in s.changed]
    new_ids = {r.id for r in state.resources if r.urn in checks}
    assert records and all(s.new.inputs["healthCheckId"] in new_ids for s in records)
    assert not [s for s in second.steps if s.op in ("create", "replace", "delete")]
