"""Exposure over time (issue 18 item 8): every change of doors, secret version and auth on a live stack is
an update AWS accepts, and the entries open to a door before it serves and close only after it is gone.

Nothing is read back from AWS (components/security/exposure.py): what admits a door at the entries (ingress rules,
listener rules, the ALB's scheme) is resources the door's own resources depend on, so the engine orders
them. These tests replay each update in the engine's order (offline/engine/lifecycle.py: replaced resources get
new identities, AWS's uniqueness and association rules are checked at every operation) and check the
dependencies the engine acts on. Program runs are cached per config (tests/support/transitions.py).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from components.regional.entries.alb import TARGET_GROUP_KIND
from components.security.exposure import INTERNAL, plan_exposure
from offline.engine.lifecycle import (
    Step,
    UpdatePlan,
    deployed_tables,
    plan_failed_transition,
    plan_update,
    run_from_snapshot,
)
from offline.engine.run import ProgramRun, run_program
from tests.support.transitions import REGIONS, TABLE, assert_accepted, config, failed_between, plan_between

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
ENDPOINT_GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"
PARAMETER = "aws:ssm/parameter:Parameter"
PASSWORD = "random:index/randomPassword:RandomPassword"
FUNCTION = "aws:lambda/function:Function"
API = "aws:apigatewayv2/api:Api"
SNAPSHOTS = Path(__file__).parent / "snapshots"
SPLIT_GA = {"globalaccelerator": 50, "cloudfront": 50}
SPLIT_R53 = {"route53": 50, "cloudfront": 50}
AUTH = {"issuer": "https://issuer.example.com/", "audience": "api"}
ALB_AUTH = {**AUTH, "jwksUrl": "https://issuer.example.com/keys"}


# -- Helpers ----------------------------------------------------------------------------------------


def name(urn: str) -> str:
    return urn.rsplit("::", 1)[1]


def door_id(door) -> str:
    return door if isinstance(door, str) else "+".join(f"{k}{v}" for k, v in sorted(door.items()))


def strategies(door) -> tuple[str, ...]:
    return (door,) if isinstance(door, str) else tuple(door)


def select(plan: UpdatePlan, type_: str, where: Callable[[str], bool] = lambda _: True) -> list[Step]:
    return [s for s in plan.steps if s.type == type_ and where(name(s.urn))]


def of_door(plan: UpdatePlan, component: str, *types: str) -> list[Step]:
    """The door's own resources of these types (children of its component, e.g. Route53LatencyFrontDoor)."""
    return [s for s in plan.steps if s.type in types and f":{component}$" in s.urn]


def event_index(plan: UpdatePlan, op: str, steps: Iterable[Step]) -> list[int]:
    """Where the replay carries out `op` on each of `steps` (one index each)."""
    urns = {s.urn for s in steps}
    found = {e.step.urn: i for i, e in enumerate(plan.events) if e.op == op and e.step.urn in urns}
    assert set(found) == urns, f"no {op} of {sorted(map(name, urns - set(found)))}"
    return list(found.values())


def reaches(run: ProgramRun, urn: str) -> set[str]:
    """Every URN `urn` depends on, directly or through what it depends on."""
    by_urn = {r.urn: r for r in run.resources}
    seen, todo = set(), [urn]
    while todo:
        for dependency in by_urn[todo.pop()].dependencies:
            if dependency not in seen:
                seen.add(dependency)
                todo.append(dependency)
    return seen


def own_gates(gates: list[Step], door_step: Step) -> list[Step]:
    """The gates a door's resource waits for: its own region's (a per-region resource of the door, named
    after the region), or every region's (one resource for the whole door, like the distribution)."""
    mine = [g for g in gates if g.region in name(door_step.urn)]
    return mine or gates


def assert_opened_before(plan: UpdatePlan, run: ProgramRun, gates: list[Step], door: list[Step]) -> None:
    """The gates are created, each door resource after the gates it reaches for, because it depends on them."""
    assert gates and door
    assert {s.op for s in gates} == {"create"}, [s.describe() for s in gates]
    assert {s.op for s in door} == {"create"}, [s.describe() for s in door]
    for step in door:
        mine = own_gates(gates, step)
        assert {g.urn for g in mine} <= reaches(run, step.urn), name(step.urn)
        assert max(event_index(plan, "create", mine)) < min(event_index(plan, "create", [step])), name(step.urn)


def assert_closed_after(plan: UpdatePlan, run: ProgramRun, gates: list[Step], door: list[Step]) -> None:
    """The gates are deleted, after the door resources that depended on them."""
    assert gates and door
    assert {s.op for s in gates} == {"delete"}, [s.describe() for s in gates]
    assert {s.op for s in door} == {"delete"}, [s.describe() for s in door]
    for step in door:
        mine = own_gates(gates, step)
        assert {g.urn for g in mine} <= reaches(run, step.urn), name(step.urn)
        assert max(event_index(plan, "delete", [step])) < min(event_index(plan, "delete", mine)), name(step.urn)


def forwarded(resource) -> set[str]:
    """Target group ARNs a listener's or rule's actions forward to."""
    actions = resource.inputs.get("defaultActions") or resource.inputs.get("actions") or []
    return {a["targetGroupArn"] for a in actions if a.get("type") == "forward" and a.get("targetGroupArn")}


# -- 1. The door matrix -----------------------------------------------------------------------------

ALB_DOORS = ["route53", "globalaccelerator", "cloudfront", SPLIT_GA, SPLIT_R53]
API_DOORS = ["route53", "cloudfront", SPLIT_R53]  # Global Accelerator takes ALBs only
MATRIX = [
    pytest.param(backend, before, after, id=f"{backend}:{door_id(before)}->{door_id(after)}")
    for backend, doors in (("alb", ALB_DOORS), ("apigateway", API_DOORS))
    for before, after in itertools.permutations(doors, 2)
]


@pytest.mark.parametrize("backend,before,after", MATRIX)
def test_switching_doors(backend, before, after):
    """Any door set to any other on a stack this release created: AWS takes every step, the table stays as
    it is, and the ALBs are replaced exactly when the scheme planned for the two door sets differs. A
    replacement brings target groups under the other scheme's name (created first, the old ones deleted at
    the end) and new listeners forwarding only to them; otherwise no ALB, target group, API, function or
    table is replaced."""
    plan, old_run, _ = plan_between(config(before, backend), config(after, backend))
    assert_accepted(plan)
    (table,) = select(plan, TABLE)
    assert table.op == "same", table.describe()
    old_scheme = plan_exposure(strategies(before), backend).scheme
    new_scheme = plan_exposure(strategies(after), backend).scheme
    balancers = select(plan, LOAD_BALANCER)
    assert bool(balancers) == (backend == "alb")
    if old_scheme == new_scheme:
        kept = [s for s in plan.steps if s.type in (LOAD_BALANCER, API, FUNCTION, TABLE)]
        assert not [s.describe() for s in kept if s.op == "replace"]
        assert {s.op for s in select(plan, TARGET_GROUP)} <= {"same", "update"}
        return
    assert len(balancers) == len(REGIONS)
    assert all(s.op == "replace" and s.forced_by == ("internal",) for s in balancers), [s.describe() for s in balancers]
    kind = {scheme: TARGET_GROUP_KIND[scheme == INTERNAL] for scheme in (old_scheme, new_scheme)}
    groups = select(plan, TARGET_GROUP)
    assert sorted(name(s.urn) for s in groups if s.op == "delete") == sorted(f"{r}-{kind[old_scheme]}" for r in REGIONS)
    assert sorted(name(s.urn) for s in groups if s.op == "create") == sorted(f"{r}-{kind[new_scheme]}" for r in REGIONS)
    kept_listeners = [s for s in select(plan, LISTENER) if s.old is not None and s.new is not None]
    assert kept_listeners and all(s.op == "replace" and "loadBalancerArn" in s.forced_by for s in kept_listeners)
    # Every listener and rule of the new ALBs forwards to the new groups only, which exist before them.
    new_groups = {r.state["arn"] for r in plan.new_run.of_type(TARGET_GROUP)}
    old_groups = {r.state["arn"] for r in old_run.of_type(TARGET_GROUP)}
    assert not new_groups & old_groups
    for resource in [*plan.new_run.of_type(LISTENER), *plan.new_run.of_type(RULE)]:
        assert forwarded(resource) <= new_groups, resource.name
    created_groups = [s for s in groups if s.op == "create"]
    assert max(event_index(plan, "create", created_groups)) < min(event_index(plan, "create", kept_listeners))
    assert max(event_index(plan, "delete", kept_listeners)) < min(
        event_index(plan, "delete", [s for s in groups if s.op == "delete"])
    )


# -- 2. Opening before a door serves, closing after it is gone ---------------------------------------


def client_gates(plan: UpdatePlan) -> list[Step]:
    return select(plan, RULE, lambda n: n.endswith("-alb-open")) + select(plan, INGRESS, lambda n: "-in-clients-" in n)


def route53_door(plan: UpdatePlan) -> list[Step]:
    return of_door(plan, "Route53LatencyFrontDoor", HEALTH_CHECK, RECORD)


def lockdowns(plan: UpdatePlan) -> list[Step]:
    return select(plan, RULE, lambda n: n.startswith("lockdown-") and n.endswith("-last"))


def edge_gates(plan: UpdatePlan) -> list[Step]:
    return select(plan, INGRESS, lambda n: "-in-cloudfront-" in n) + select(
        plan, RULE, lambda n: "-from-cloudfront-v" in n
    )


def test_leaving_route53_for_cloudfront_alone_closes_the_entries_after_route53_is_gone():
    """The open rules and the client ingress rules go in the delete phase after the route53 door's records
    and health checks (which depend on them), so clients resolving the old records still get through while
    the update runs; the entries' 403 rule, CloudFront's prefix-list rule and the accept rules are created,
    the last two before the distribution that depends on them."""
    plan, old_run, new_run = plan_between(config("route53"), config("cloudfront"))
    assert_accepted(plan)
    gates = client_gates(plan)
    assert len(gates) == len(REGIONS) * (1 + 4)  # one open rule, 80/443 x IPv4/IPv6
    assert_closed_after(plan, old_run, gates, route53_door(plan))
    assert {s.op for s in lockdowns(plan)} == {"create"} and len(lockdowns(plan)) == len(REGIONS)
    assert all(s.new.inputs["actions"][0]["fixedResponse"]["statusCode"] == "403" for s in lockdowns(plan))
    assert_opened_before(plan, new_run, edge_gates(plan), select(plan, DISTRIBUTION))


def test_entering_route53_from_cloudfront_alone_opens_the_entries_before_route53_serves():
    """The open rules and the client ingress rules are created before the route53 door's health checks and
    records (which list them among their dependencies); the 403 rules, CloudFront's prefix-list rules and
    accept rules are deleted only after the distribution."""
    plan, old_run, new_run = plan_between(config("cloudfront"), config("route53"))
    assert_accepted(plan)
    assert_opened_before(plan, new_run, client_gates(plan), route53_door(plan))
    for check in of_door(plan, "Route53LatencyFrontDoor", HEALTH_CHECK):  # its own region's gates
        assert {s.urn for s in own_gates(client_gates(plan), check)} <= set(check.new.dependencies)
    assert {s.op for s in lockdowns(plan)} == {"delete"} and len(lockdowns(plan)) == len(REGIONS)
    assert_closed_after(plan, old_run, edge_gates(plan), select(plan, DISTRIBUTION))


GA_SWITCHES = [
    pytest.param("cloudfront", SPLIT_GA, id="cloudfront<->globalaccelerator+cloudfront"),
    pytest.param("route53", "globalaccelerator", id="route53<->globalaccelerator"),
]


@pytest.mark.parametrize("without,with_ga", GA_SWITCHES)
def test_global_accelerators_port_opens_before_its_endpoint_groups_and_closes_after(without, with_ga):
    """Global Accelerator's ingress rules (`-in-ga-<port>-v4/v6`) and its ALB listener are created before
    the accelerator's endpoint groups, which depend on them; removing the door deletes them after the
    endpoint groups (also when the ALBs are replaced with the scheme)."""
    plan, _, new_run = plan_between(config(without), config(with_ga))
    assert_accepted(plan)
    gates = select(plan, INGRESS, lambda n: "-in-ga-" in n) + select(
        plan, LISTENER, lambda n: n.endswith(("-alb-ga", "-alb-ga-http"))
    )
    assert len(gates) == len(REGIONS) * 6  # 443 -> 8443 and 80 -> 8081: a listener and two rules each
    assert_opened_before(plan, new_run, gates, select(plan, ENDPOINT_GROUP))
    back, old_run, _ = plan_between(config(with_ga), config(without))
    assert_accepted(back)
    gates = select(back, INGRESS, lambda n: "-in-ga-" in n) + select(
        back, LISTENER, lambda n: n.endswith(("-alb-ga", "-alb-ga-http"))
    )
    assert_closed_after(back, old_run, gates, select(back, ENDPOINT_GROUP))


# -- 3. An update that stops part way, and the next one -----------------------------------------------

FAILED = [
    pytest.param("alb", "route53", "cloudfront", id="alb:route53->cloudfront"),
    pytest.param("alb", "globalaccelerator", "route53", id="alb:globalaccelerator->route53"),
    pytest.param("apigateway", "cloudfront", "route53", id="apigateway:cloudfront->route53"),
    pytest.param("alb", "cloudfront", SPLIT_GA, id="alb:cloudfront->globalaccelerator+cloudfront"),
]


@pytest.mark.parametrize("stop", ["creates-only", "midway"])
@pytest.mark.parametrize("backend,before,after", FAILED)
def test_the_update_after_a_failed_switch_is_accepted(backend, before, after, stop):
    """The switch stops after its creates only (every create-before-delete replacement's new half made, no
    update or delete), or half way through its operations; `pulumi up` again from that state takes every
    step (no clash at any operation), deleting first what the failed update left pending deletion."""
    before, after = config(before, backend), config(after, backend)
    options = (
        {"creates_only": True} if stop == "creates-only" else {"upto": len(plan_between(before, after)[0].events) // 2}
    )
    first, state, second = failed_between(before, after, **options)
    assert not first.problems
    assert_accepted(second)
    pending = [e for e in second.events if e.pending]
    assert len(pending) == len(state.pending_delete)
    assert second.events[: len(pending)] == pending


def test_the_cached_failed_switch_is_plan_failed_transitions():
    """`failed_between` (cached runs) replays what `plan_failed_transition` does: the same state (with the
    replaced ALBs' old halves pending deletion) and the same second update."""
    before, after = config("globalaccelerator"), config("route53")

    def summary(state, second):
        return (
            sorted(r.urn for r in state.resources),
            sorted(r.urn for r in state.pending_delete),
            state.generations,
            sorted((e.op, e.step.urn, e.pending) for e in second.events),
            second.clashes,
            second.hazards,
        )

    _, state, second = plan_failed_transition("test", before, after, creates_only=True)
    assert state.pending_delete
    assert summary(state, second) == summary(*failed_between(before, after, creates_only=True)[1:])


# -- 4. Rotating CloudFront's origin secret -----------------------------------------------------------


def secret(version: int) -> dict:
    return {} if version == 1 else {"originSecretVersion": version}


def accepters(plan: UpdatePlan, backend: str, version: int) -> list[Step]:
    """What accepts one version's value: the ALBs' listener rules, or the HTTP APIs' SSM parameters."""
    if backend == "alb":
        return select(plan, RULE, lambda n: n.endswith(f"-alb-from-cloudfront-v{version}"))
    return select(plan, PARAMETER, lambda n: n.startswith(f"origin-v{version}-"))


@pytest.mark.parametrize("backend", ["alb", "apigateway"])
@pytest.mark.parametrize("old,new", [(1, 2), (2, 1), (1, 3)], ids=["1->2", "2->1", "1->3"])
def test_changing_the_origin_secret_version_accepts_the_new_value_before_cloudfront_sends_it(backend, old, new):
    """Up, down or a jump: the new version's accepters are created, the distribution is updated to send the
    new value after them (it depends on them and on the new password), and the old version's accepters and
    password are deleted at the end, after the distribution no longer sends that value."""
    plan, _, _ = plan_between(
        config("cloudfront", backend, **secret(old)), config("cloudfront", backend, **secret(new))
    )
    assert_accepted(plan)
    created, deleted = accepters(plan, backend, new), accepters(plan, backend, old)
    assert len(created) == len(deleted) == len(REGIONS)
    assert {s.op for s in created} == {"create"} and {s.op for s in deleted} == {"delete"}
    (distribution,) = select(plan, DISTRIBUTION)
    assert distribution.op == "update" and "origins" in distribution.changed
    passwords = {name(s.urn): s for s in select(plan, PASSWORD)}
    assert set(passwords) == {f"origin-v{old}", f"origin-v{new}"}
    assert (passwords[f"origin-v{old}"].op, passwords[f"origin-v{new}"].op) == ("delete", "create")
    assert {s.urn for s in created} | {passwords[f"origin-v{new}"].urn} <= set(distribution.new.dependencies)
    (sent,) = event_index(plan, "update", [distribution])
    assert max(event_index(plan, "create", created)) < sent
    assert sent < min(event_index(plan, "delete", [*deleted, passwords[f"origin-v{old}"]]))


# -- 5. auth on and off --------------------------------------------------------------------------------

AUTH_CASES = [
    pytest.param("alb", door, id=f"alb:{door}") for door in ("route53", "globalaccelerator", "cloudfront")
] + [pytest.param("apigateway", door, id=f"apigateway:{door}") for door in ("route53", "cloudfront")]


@pytest.mark.parametrize("turn", ["on", "off"])
@pytest.mark.parametrize("backend,door", AUTH_CASES)
def test_turning_auth_on_and_off(backend, door, turn):
    """Accepted either way, nothing replaced; on the ALB backend only the token rules beside each forwarding
    rule (`-token-*`) come or go."""
    auth = {"auth": ALB_AUTH if backend == "alb" else AUTH}
    without, with_auth = config(door, backend), config(door, backend, **auth)
    plan, _, _ = plan_between(*((without, with_auth) if turn == "on" else (with_auth, without)))
    assert_accepted(plan)
    assert not plan.of("replace"), [s.describe() for s in plan.of("replace")]
    if backend == "alb":
        came_or_went = plan.of("create" if turn == "on" else "delete")
        assert came_or_went and all(s.type == RULE and "-token-" in name(s.urn) for s in came_or_went)
        assert not plan.of("delete" if turn == "on" else "create")


# -- 6. Stacks deployed by earlier releases -------------------------------------------------------------


def upgrade(snapshot: str, overrides=()) -> UpdatePlan:
    old = run_from_snapshot(json.loads((SNAPSHOTS / snapshot).read_text()))
    return plan_update(old, run_program("prod", overrides=overrides, deployed_tables=deployed_tables(old)))


def deletion_protection_of_replaced_albs(plan: UpdatePlan) -> list[str]:
    return [
        h
        for h in plan.hazards
        if any(h.startswith(f"{LOAD_BALANCER}::{r}-alb has deletion protection on") for r in REGIONS)
        and "delete the old one after replacing it (internal)" in h
    ]


def test_first_release_prod_behind_global_accelerator_gets_internal_albs():
    """v1 prod (Global Accelerator alone, internet-facing ALBs, deletionProtection on): the upgrade replaces
    the ALBs with internal ones and moves their target groups to the internal name; AWS would take every
    step but deleting the old, protected ALBs (the only hazards)."""
    plan = upgrade("v1-prod.json")
    assert not plan.clashes, "\n".join(plan.clashes)
    assert plan.hazards == deletion_protection_of_replaced_albs(plan) and len(plan.hazards) == len(REGIONS)
    assert {(s.op, s.forced_by) for s in select(plan, LOAD_BALANCER)} == {("replace", ("internal",))}
    groups = select(plan, TARGET_GROUP)
    assert sorted(name(s.urn) for s in groups if s.op == "delete") == sorted(f"{r}-tg" for r in REGIONS)
    assert sorted(name(s.urn) for s in groups if s.op == "create") == sorted(f"{r}-tg-int" for r in REGIONS)


def test_first_release_prod_must_upgrade_before_it_switches_doors():
    """v1 prod switched to CloudFront in the upgrading update: Route 53 refuses the main name's new weighted
    member beside the first release's simple record, which only the upgrade itself turns into a member (in
    place). The replay names the clash, so `make diff` does; the README says to upgrade first, then switch,
    and that order is accepted."""
    plan = upgrade("v1-prod.json", ["frontDoor=cloudfront"])
    assert {s.op for s in select(plan, LOAD_BALANCER)} == {"update"}  # CloudFront keeps them internet-facing
    assert plan.clashes and all("globalaccelerator-dns" in clash for clash in plan.clashes)


def test_last_release_prod_keeps_its_internal_albs():
    """v3 prod (Global Accelerator alone, internal ALBs whose target groups had the name earlier releases used):
    no clash or hazard; the ALBs stay (updated in place onto the new security groups), the target groups
    move to the internal name (the new one created before the listeners, on the same ALB, switch to it in
    place; the old one deleted at the end), and v3's 403 rules go."""
    plan = upgrade("v3-prod.json")
    assert not plan.problems, "\n".join(plan.problems)
    assert {s.op for s in select(plan, LOAD_BALANCER)} == {"update"}
    groups = select(plan, TARGET_GROUP)
    created, deleted = [s for s in groups if s.op == "create"], [s for s in groups if s.op == "delete"]
    assert sorted(name(s.urn) for s in deleted) == sorted(f"{r}-tg" for r in REGIONS)
    assert sorted(name(s.urn) for s in created) == sorted(f"{r}-tg-int" for r in REGIONS)
    listeners = [s for s in select(plan, LISTENER) if s.old is not None and forwarded(s.old)]  # not redirects
    assert listeners and {(s.op, s.changed) for s in listeners} == {("update", ("defaultActions",))}
    assert max(event_index(plan, "create", created)) < min(event_index(plan, "update", listeners))
    assert max(event_index(plan, "update", listeners)) < min(event_index(plan, "delete", deleted))
    assert {s.op for s in lockdowns(plan)} == {"delete"}


def test_last_release_prod_moving_to_cloudfront_in_the_upgrade():
    """v3 prod switched to CloudFront in the upgrading update: the internal ALBs are replaced by
    internet-facing ones (the only hazards: their deletion protection), and the new ALBs forward to target
    groups of their own: neither scheme's group keeps the name earlier releases used (`<region>-tg`)."""
    plan = upgrade("v3-prod.json", ["frontDoor=cloudfront"])
    assert plan.hazards == deletion_protection_of_replaced_albs(plan) and len(plan.hazards) == len(REGIONS)
    assert {(s.op, s.forced_by) for s in select(plan, LOAD_BALANCER)} == {("replace", ("internal",))}
    assert not plan.clashes, "\n".join(plan.clashes)


@pytest.mark.parametrize(("waf", "named"), [({"rateLimit": 1000}, True), (None, False)])
def test_a_rotation_beside_a_direct_door_names_the_regional_rate_limit_window(waf, named):
    """Beside route53, the ALBs' WAF rate rule exempts CloudFront's requests by the current secret, an update
    in place that runs before the distribution switches: the one window any rotation leaves, named."""
    extra = {} if waf is None else {"waf": waf}
    before = config({"route53": 50, "cloudfront": 50}, **extra)
    plan, _, _ = plan_between(before, {**before, "originSecretVersion": 2})
    assert not plan.clashes
    window = [h for h in plan.hazards if "rotates the secret" in h]
    assert len(window) == (len(REGIONS) if named else 0)
    assert all("waf-" in h and "busy edge location" in h for h in window)
