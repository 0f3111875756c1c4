"""Origin protection over time: locking follows the doors, opening goes before them, rotation never drops a secret.

The engine orders an update by the new program's dependencies: a step waits for the steps of the
resources it depends on. These tests check the steps and the dependencies the engine would act on.
"""

from offline.lifecycle import deployed_tables, plan_update
from offline.run import run_program
from tests.support.transitions import REGIONS, assert_accepted, config, transition

RULE = "aws:lb/listenerRule:ListenerRule"
SECRET = "random:index/randomPassword:RandomPassword"


def last_rules(plan):
    return [s for s in plan.steps if s.type == RULE and s.urn.endswith("-last")]


def test_moving_to_cloudfront_alone_accepts_the_secret_but_locks_on_the_next_update():
    """The old door's records go last in the switching update, so some clients still reach the entries
    directly while it runs: the entries only accept the secret, and say the lock is pending."""
    plan = transition(config("route53"), config("cloudfront"))
    assert_accepted(plan)
    for step in last_rules(plan):
        assert step.op == "update" and step.changed == ("tags",)
        assert step.new.inputs["actions"][0]["type"] == "forward" and step.new.inputs["tags"] == {
            "origin-lock": "pending"
        }
    accepting = [s for s in plan.steps if s.type == RULE and s.urn.endswith("-from-cloudfront")]
    assert {s.op for s in accepting} == {"create"} and len(accepting) == len(REGIONS)
    (notice,) = [n for n in plan.notices if "origin secret" in n]
    assert "run pulumi up once more to lock them" in notice


def test_the_next_update_locks_each_entry_after_the_doors():
    """Starting from a stack that serves through CloudFront alone (the table's front-doors tag says so)."""
    switched = run_program("test", values=config("route53"))
    pending = run_program("test", values=config("cloudfront"), deployed_tables=deployed_tables(switched))
    locked = run_program("test", values=config("cloudfront"), deployed_tables=deployed_tables(pending))
    plan = plan_update(pending, locked)
    assert_accepted(plan)
    lockdown = last_rules(plan)
    assert len(lockdown) == len(REGIONS)
    for step in lockdown:
        assert step.op == "update" and set(step.changed) == {"actions", "tags"}
        assert step.new.inputs["actions"][0]["fixedResponse"]["statusCode"] == "403"
        # After the distribution and the main name's CloudFront member.
        assert any(urn.endswith("::main-cloudfront") for urn in step.new.dependencies)
        assert any(urn.endswith("::cloudfront") for urn in step.new.dependencies)
    # And the load balancers' security groups narrow to CloudFront's prefix list; nothing else changes.
    others = {(s.type, s.changed) for s in plan.steps if s.op != "same" and s.type != RULE}
    assert others == {("aws:ec2/securityGroup:SecurityGroup", ("ingress",))}


def test_a_new_cloudfront_stack_is_locked_from_the_start():
    run = run_program("test", values=config("cloudfront"))
    (rule,) = [r for r in run.of_type(RULE) if r.name == f"lockdown-{REGIONS[0]}-last"]
    assert rule.inputs["actions"][0]["type"] == "fixed-response" and "tags" not in rule.inputs


def test_moving_away_from_cloudfront_opens_each_entry_before_the_new_door_serves():
    plan = transition(config("cloudfront"), config("route53"))
    assert_accepted(plan)
    for step in last_rules(plan):
        assert step.op == "update" and step.new.inputs["actions"][0]["type"] == "forward"
        # Depends on nothing of the doors: the engine opens it among the first updates.
        assert not any("main-" in urn or "FrontDoor" in urn for urn in step.new.dependencies)
    accepting = [s for s in plan.steps if s.type == RULE and s.urn.endswith("-from-cloudfront")]
    assert {s.op for s in accepting} == {"delete"}


def test_an_ab_split_with_cloudfront_keeps_the_entries_open():
    plan = transition(config("cloudfront"), config({"cloudfront": 50, "route53": 50}))
    assert_accepted(plan)
    assert all(s.new.inputs["actions"][0]["type"] == "forward" for s in last_rules(plan))


def test_rotating_the_secret_accepts_the_new_one_everywhere_before_cloudfront_sends_it():
    plan = transition(config("cloudfront"), config("cloudfront", originSecretVersion=2))
    assert_accepted(plan)
    secrets = {s.urn.rsplit("::", 1)[1]: s.op for s in plan.steps if s.type == SECRET}
    assert secrets == {"origin-v2": "create", "origin-v1": "same"}
    accepting = [s for s in plan.steps if s.type == RULE and s.urn.endswith("-from-cloudfront")]
    assert {s.op for s in accepting} == {"update"}
    (distribution,) = [s for s in plan.steps if s.type == "aws:cloudfront/distribution:Distribution"]
    assert distribution.op == "update" and "origins" in distribution.changed
    assert {s.urn for s in accepting} <= set(distribution.new.dependencies)
    # Nothing refuses in between: the last rule is untouched.
    assert {s.op for s in last_rules(plan)} == {"same"}


def test_the_next_rotation_drops_the_oldest_secret():
    plan = transition(config("cloudfront", originSecretVersion=2), config("cloudfront", originSecretVersion=3))
    assert_accepted(plan)
    secrets = {s.urn.rsplit("::", 1)[1]: s.op for s in plan.steps if s.type == SECRET}
    assert secrets == {"origin-v3": "create", "origin-v2": "same", "origin-v1": "delete"}


FUNCTION = "aws:lambda/function:Function"


def api_functions(steps):
    return [s for s in steps if s.type == FUNCTION and "::api-" in s.urn]


def test_an_http_api_stack_moving_to_cloudfront_checks_the_secret_from_the_next_update():
    switched = run_program("test", values=config("route53", "apigateway"))
    pending = run_program("test", values=config("cloudfront", "apigateway"), deployed_tables=deployed_tables(switched))
    first = plan_update(switched, pending)
    assert_accepted(first)
    for step in api_functions(first.steps):
        assert step.new.inputs["tags"] == {"origin-lock": "pending"}
        assert "ORIGIN_SECRETS" not in step.new.inputs["environment"]["variables"]
    locked = run_program("test", values=config("cloudfront", "apigateway"), deployed_tables=deployed_tables(pending))
    second = plan_update(pending, locked)
    assert_accepted(second)
    for step in api_functions(second.steps):
        assert step.op == "update" and "ORIGIN_SECRETS" in step.new.inputs["environment"]["variables"]


def test_an_http_api_stack_leaving_cloudfront_stops_checking_before_the_main_name_moves():
    plan = transition(config("cloudfront", "apigateway"), config("route53", "apigateway"))
    assert_accepted(plan)
    functions = api_functions(plan.steps)
    assert functions and all("ORIGIN_SECRETS" not in s.new.inputs["environment"]["variables"] for s in functions)
    (member,) = [s for s in plan.steps if s.urn.endswith("::main-route53")]
    assert {s.urn for s in functions} <= set(member.new.dependencies)


def test_an_alb_stack_leaving_cloudfront_opens_before_the_main_name_moves():
    plan = transition(config("cloudfront"), config("route53"))
    (member,) = [s for s in plan.steps if s.urn.endswith("::main-route53")]
    opened = {s.urn for s in last_rules(plan)}
    assert opened and opened <= set(member.new.dependencies)


def test_leaving_cloudfront_opens_the_security_groups_before_the_main_name_moves():
    switched = run_program("test", values=config("route53"))
    locked = run_program(
        "test",
        values=config("cloudfront"),
        deployed_tables=deployed_tables(
            run_program("test", values=config("cloudfront"), deployed_tables=deployed_tables(switched))
        ),
    )
    reopened = run_program("test", values=config("route53"), deployed_tables=deployed_tables(locked))
    plan = plan_update(locked, reopened)
    assert_accepted(plan)
    groups = [s for s in plan.steps if s.type == "aws:ec2/securityGroup:SecurityGroup"]
    assert groups and all(s.op == "update" and s.changed == ("ingress",) for s in groups)
    (member,) = [s for s in plan.steps if s.urn.endswith("::main-route53")]
    assert {s.urn for s in groups} <= set(member.new.dependencies)


LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"


def test_a_live_stack_moving_to_global_accelerator_keeps_its_internet_facing_albs():
    plan = transition(config("route53"), config("globalaccelerator"))
    assert_accepted(plan)
    assert {s.op for s in plan.steps if s.type == LOAD_BALANCER} == {"same"}


def test_leaving_global_accelerator_replaces_internal_albs_and_says_why_with_deletion_protection():
    plan = transition(config("globalaccelerator"), config("route53"))
    assert_accepted(plan)  # without deletion protection AWS takes it
    replaced = [s for s in plan.steps if s.type == LOAD_BALANCER]
    assert replaced and all(s.op == "replace" and s.forced_by == ("internal",) for s in replaced)
    protected = transition(
        config("globalaccelerator", deletionProtection=True), config("route53", deletionProtection=True)
    )
    assert any("has deletion protection on" in h and "-alb" in h for h in protected.hazards)
