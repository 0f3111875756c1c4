"""Every config change users make on a live stack is an update AWS accepts (the engine's order replayed)."""

import itertools
import json
from pathlib import Path

import pytest

from components.config import ConfigError
from offline.engine.lifecycle import deployed_tables, plan_update, run_from_snapshot
from offline.engine.run import run_program
from tests.support.transitions import DOMAIN, REGIONS, assert_accepted, config, transition

SNAPSHOTS = Path(__file__).parent / "snapshots"
ALB_DOORS = ["route53", "globalaccelerator", "cloudfront"]


@pytest.mark.parametrize("before,after", list(itertools.permutations(ALB_DOORS, 2)))
def test_switching_front_doors_with_alb(before, after):
    plan = transition(config(before), config(after))
    assert_accepted(plan)
    # The main name keeps one weighted set: the new door's member is added, the old one's deleted.
    created = {s.new.inputs.get("setIdentifier") for s in plan.of("create") if s.urn.endswith(f"::main-{after}")}
    deleted = {s.old.inputs.get("setIdentifier") for s in plan.of("delete") if s.urn.endswith(f"::main-{before}")}
    assert created == {after} and deleted == {before}


@pytest.mark.parametrize("before,after", [("route53", "cloudfront"), ("cloudfront", "route53")])
def test_switching_front_doors_with_apigateway(before, after):
    assert_accepted(transition(config(before, "apigateway"), config(after, "apigateway")))


@pytest.mark.parametrize("door", ["route53", "cloudfront"])
@pytest.mark.parametrize("before,after", [("alb", "apigateway"), ("apigateway", "alb")])
def test_switching_the_backend_under_a_door(door, before, after):
    plan = transition(config(door, before), config(door, after))
    assert_accepted(plan)
    # <region>.<name> is one record per region: updated in place to the new entry, never re-created.
    regional = [s for s in plan.steps if s.urn.endswith("-regional")]
    assert sorted(s.op for s in regional) == ["update"] * len(REGIONS)
    assert all(s.changed == ("aliases",) for s in regional)


@pytest.mark.parametrize(
    "single,split",
    [
        ("cloudfront", {"cloudfront": 50, "globalaccelerator": 50}),
        ("route53", {"route53": 1, "cloudfront": 3}),
        ("globalaccelerator", {"globalaccelerator": 90, "route53": 10}),
    ],
)
def test_turning_an_ab_split_on_and_off(single, split):
    on = transition(config(single), config(split))
    assert_accepted(on)
    (member,) = [s for s in on.steps if s.urn.endswith(f"::main-{single}")]
    assert member.op == "update" and member.changed == ("weightedRoutingPolicies",)
    assert_accepted(transition(config(split), config(single)))


def test_new_weights_update_members_in_place():
    plan = transition(
        config({"cloudfront": 50, "globalaccelerator": 50}), config({"cloudfront": 10, "globalaccelerator": 90})
    )
    assert_accepted(plan)
    assert {s.op for s in plan.steps if s.op != "same"} == {"update"}
    assert sorted(s.urn.split("::")[-1] for s in plan.of("update")) == ["main-cloudfront", "main-globalaccelerator"]


def test_adding_a_door_to_a_split():
    plan = transition(
        config({"cloudfront": 50, "globalaccelerator": 50}),
        config({"cloudfront": 50, "globalaccelerator": 50, "route53": 10}),
    )
    assert_accepted(plan)
    assert not plan.of("replace")
    # A direct door opens the entries: CloudFront's lock goes (its 403 rule and prefix-list rule), at the end.
    deleted = {s.urn.split("::")[-1] for s in plan.of("delete") if s.old.custom}
    assert deleted == {
        name for region in REGIONS for name in (f"lockdown-{region}-last", f"api-{region}-alb-in-cloudfront-443")
    }


def test_cloudfront_leaving_a_split_takes_the_main_ipv6_records_along_when_it_was_alone():
    plan = transition(config("cloudfront"), config({"cloudfront": 50, "globalaccelerator": 50}))
    assert_accepted(plan)
    assert [s.urn.split("::")[-1] for s in plan.of("delete") if "aws:route53" in s.type] == ["main-cloudfront-aaaa"]


def test_adding_and_removing_a_region_changes_only_that_replica():
    two, three = config("route53", regions=REGIONS[:2]), config("route53")
    for before, after in ((two, three), (three, two)):
        plan = transition(before, after)
        assert_accepted(plan)
        (table,) = [s for s in plan.steps if s.type == "aws:dynamodb/table:Table"]
        assert table.op == "update" and table.changed == ("replicas",)
        touched = {
            s.region
            for s in plan.steps
            if s.op in ("create", "delete", "replace")
            and s.type.startswith("aws:")
            and not s.type.startswith("aws:route53")
            and not s.type.startswith("aws:globalaccelerator")
            and "-health-" not in s.urn  # its Route 53 health check's alarm, in us-east-1
        }
        assert touched == {"ap-southeast-1"}


def test_removing_a_protected_region_names_the_hand_work():
    before = config("globalaccelerator", deletionProtection=True)
    plan = transition(before, config("globalaccelerator", regions=REGIONS[:2], deletionProtection=True))
    assert not plan.clashes
    text = "\n".join(plan.hazards)
    assert "replica in ap-southeast-1 has deletion protection on" in text
    assert "ap-southeast-1-alb has deletion protection on" in text
    assert "security group named GlobalAccelerator" in text


@pytest.mark.parametrize(
    "change",
    [
        {"healthCheck": {"path": "/health", "intervalSeconds": 10, "failureThreshold": 2}},
        {"trafficDials": {"eu-west-1": 0}},
        {"deletionProtection": True},
    ],
)
def test_tuning_changes_are_accepted(change):
    assert_accepted(transition(config("globalaccelerator"), config("globalaccelerator", **change)))
    assert_accepted(
        transition(config("route53"), config("route53", **{k: v for k, v in change.items() if k != "trafficDials"}))
    )


def test_a_faster_health_check_replaces_the_checks_not_the_records():
    plan = transition(config("route53"), config("route53", healthCheck={"path": "/health", "intervalSeconds": 10}))
    assert_accepted(plan)
    assert {s.type for s in plan.of("replace")} == {"aws:route53/healthCheck:HealthCheck"}  # request_interval forces it
    assert all(s.forced_by == ("requestInterval",) for s in plan.of("replace"))


@pytest.mark.parametrize("door", ["cloudfront", "globalaccelerator"])
def test_adding_and_removing_the_domain(door):
    without, with_domain = {**config(door, domain=None), "allowPlaintext": True}, config(door)
    added = transition(without, with_domain)
    assert_accepted(added)
    removed = transition(with_domain, without)
    # The one hazard: clients of the custom name lose it (the diff says what stops answering).
    assert not removed.clashes and len(removed.hazards) == 1 and "api.example.com stops answering" in removed.hazards[0]
    # Without a certificate the ALB listens on HTTP only: its HTTPS listener goes, nothing is replaced
    # but the GA listener's ports (an update), behind CloudFront the origins (an update), and the listener
    # rules, which move to the listener that now serves (ELB: a rule's listener is fixed at creation).
    replaced = [s for s in removed.of("replace") if s.type != "aws:route53/healthCheck:HealthCheck"]
    assert all(s.type == "aws:lb/listenerRule:ListenerRule" and s.forced_by == ("listenerArn",) for s in replaced)
    assert {s.type for s in removed.of("delete")} >= {"aws:acm/certificate:Certificate", "aws:lb/listener:Listener"}


def test_changing_the_home_region_is_refused_before_any_resource():
    before = config("globalaccelerator")
    old = run_program("test", values=before)
    after = {**before, "aws:region": "eu-west-1"}
    new = run_program("test", values=after, deployed_tables=deployed_tables(old), raise_errors=False)
    assert isinstance(new.error, ConfigError)
    assert "aws:region" in str(new.error) and "home region us-east-1" in str(new.error)
    assert "pulumi config set aws:region us-east-1" in str(new.error)
    assert new.resources == []


def test_a_new_stack_may_choose_any_home_region():
    run = run_program("test", values={**config("globalaccelerator"), "aws:region": "eu-west-1"})
    (table,) = run.of_type("aws:dynamodb/table:Table")
    assert table.region == "eu-west-1" and table.inputs["tags"] == {
        "home-region": "eu-west-1",
        "consistency": "eventual",
    }  # and nothing about the doors: exposure follows the config, never a tag read back


# -- Stacks deployed by the first release ---------------------------------------------------------


def upgrade(snapshot: str, stack: str, overrides=()):
    old = run_from_snapshot(json.loads((SNAPSHOTS / snapshot).read_text()))
    new = run_program(stack, overrides=overrides, deployed_tables=deployed_tables(old))
    return plan_update(old, new)


def test_prod_upgrade_replaces_its_internet_facing_albs_and_names_their_deletion_protection():
    """The first release made prod's ALBs internet-facing; behind Global Accelerator alone they are internal
    now, so the upgrade replaces each ALB with everything that belongs to one load balancer, and AWS refuses
    to delete the old, protected ones at the end: the only problems, named with the steps."""
    plan = upgrade("v1-prod.json", "prod")
    assert not plan.clashes and not plan.notices
    assert len(plan.hazards) == len(REGIONS)
    assert all("-alb has deletion protection on" in h and "modify-load-balancer-attributes" in h for h in plan.hazards)
    (main,) = [s for s in plan.steps if s.urn.endswith("::main-globalaccelerator")]
    assert main.op == "update" and main.old.urn.endswith(
        "GlobalAcceleratorFrontDoor$aws:route53/record:Record::globalaccelerator-dns"
    )
    assert set(main.changed) == {"aliases", "setIdentifier", "weightedRoutingPolicies"}  # one atomic change batch
    replaced = {(s.type.split(":")[-1], s.urn.split("::")[-1]) for s in plan.of("replace")}
    for region in REGIONS:
        assert ("LoadBalancer", f"{region}-alb") in replaced  # internal is fixed at creation
        assert ("Listener", f"api-{region}-alb-https") in replaced  # on the new ALB
    # The new ALBs' listeners forward to new target groups: the old ones stay with the old ALBs until the end.
    created = {s.urn.split("::")[-1] for s in plan.of("create")}
    deleted = {s.urn.split("::")[-1] for s in plan.of("delete")}
    assert {f"{r}-tg-int" for r in REGIONS} <= created and {f"{r}-tg" for r in REGIONS} <= deleted


def test_cloudfront_upgrade_keeps_the_main_name_answering():
    plan = upgrade("v1-prod-cloudfront.json", "prod", ["frontDoor=cloudfront"])
    # Its ALBs stay internet-facing and lock in this update: nothing but CloudFront reached them before.
    assert not plan.problems and not plan.notices
    assert not [s for s in plan.of("replace") if s.type == "aws:lb/loadBalancer:LoadBalancer"]


def test_dev_upgrade_moves_latency_records_with_a_short_gap_on_the_main_name():
    plan = upgrade("v1-dev.json", "dev")
    assert not plan.problems
    # Route 53 cannot hold a weighted member beside latency records of one name: they go first.
    replaced = [s for s in plan.of("replace") if s.type == "aws:route53/record:Record"]
    assert sorted(s.urn.split("::")[-1] for s in replaced) == ["route53-eu-west-1", "route53-us-east-1"]
    assert all(s.delete_before_replace for s in replaced)
    assert len(plan.notices) == 1 and "api-dev.example.com has no A record" in plan.notices[0]


def test_an_ab_stack_of_the_first_release_needs_its_door_records_renamed_first():
    plan = upgrade("v1-prod-ab.json", "prod", ['frontDoor={"globalaccelerator": 50, "cloudfront": 50}'])
    assert len(plan.clashes) == 3  # the door records' new names meet their old selves
    # The README's hand step: `pulumi state rename` each door record to its new name.
    data = json.loads((SNAPSHOTS / "v1-prod-ab.json").read_text())
    renames = {
        "globalaccelerator-dns": "globalaccelerator-hostname",
        "cloudfront-a": "cloudfront-hostname-a",
        "cloudfront-aaaa": "cloudfront-hostname-aaaa",
    }
    for item in data["resources"]:
        head, _, name = item["urn"].rpartition("::")
        if "route53/record" in head and name in renames:
            item["urn"], item["name"] = f"{head}::{renames[name]}", renames[name]
    old = run_from_snapshot(data)
    new = run_program(
        "prod",
        overrides=['frontDoor={"globalaccelerator": 50, "cloudfront": 50}'],
        deployed_tables=deployed_tables(old),
    )
    renamed = plan_update(old, new)
    assert not renamed.problems
    assert DOMAIN["name"]


# -- Stacks deployed by the last landing (issues 11 and 12) -------------------------------------------


@pytest.mark.parametrize("snapshot,stack,regions", [("v3-prod.json", "prod", 3), ("v3-dev.json", "dev", 2)])
def test_upgrading_from_the_last_release_is_an_update_aws_accepts(snapshot, stack, regions):
    """What this release changes on a live stack of the last one (issue 18): the table loses the tags the
    program used to read back; behind Global Accelerator alone the internal ALBs keep their scheme, move to
    security groups whose rules are resources, and forward to a target group named for that scheme (created
    first, the old one deleted at the end); the origin lock rule of the old model goes; function code."""
    plan = upgrade(snapshot, stack)
    assert not plan.problems and not plan.notices
    assert not [s for s in plan.of("replace") if s.type == "aws:lb/loadBalancer:LoadBalancer"]
    changes = {
        (s.op, s.type.split(":")[-1], s.changed if s.op == "update" else s.forced_by)
        for s in plan.steps
        if s.op != "same" and s.type != "aws:cloudwatch/metricAlarm:MetricAlarm"
    }
    both = {
        ("update", "Table", ("tags",)),
        # Issue 21: the API function publishes versions and the entries invoke its `live` alias; its environment
        # says how each door marks its requests (the registry's door facts).
        ("update", "Function", ("code", "environment", "publish")),
        ("create", "Alias", ()),
        # The probes (issue 20): the stack's regions in their environment, no retries, a tighter trust
        # policy for the Scheduler role, failures by reason on the dashboard.
        ("update", "Function", ("code", "environment")),
        ("create", "FunctionEventInvokeConfig", ()),
        ("update", "Schedule", ("target",)),
        ("update", "Role", ("assumeRolePolicy",)),
        ("update", "Dashboard", ("dashboardBody",)),
    }
    albs = {
        ("create", "SecurityGroup", ()),
        ("create", "SecurityGroupIngressRule", ()),
        ("create", "TargetGroup", ()),
        ("delete", "SecurityGroup", ()),
        ("delete", "ListenerRule", ()),
        ("delete", "TargetGroup", ()),
        ("delete", "OriginLockdown", ()),
        ("replace", "Permission", ("qualifier", "sourceArn")),
        ("replace", "TargetGroupAttachment", ("targetGroupArn", "targetId")),
        ("update", "Listener", ("defaultActions",)),
        ("update", "LoadBalancer", ("securityGroups",)),
        # Plain http:// on Global Accelerator's name is redirected (issue 20): port 80 and its listener.
        ("create", "Listener", ()),
        ("update", "Listener", ("portRanges",)),
        ("update", "EndpointGroup", ("portOverrides",)),
        ("update", "BucketPolicy", ("policy",)),  # both log-delivery principals
    }
    apis = {("replace", "Permission", ("qualifier",)), ("update", "Integration", ("integrationUri",))}
    assert changes == (both | albs if stack == "prod" else both | apis)
    (table,) = [s for s in plan.steps if s.type == "aws:dynamodb/table:Table"]
    assert set(table.old.inputs["tags"]) - set(table.new.inputs["tags"]) == (
        {"front-doors", "alb-scheme"} if stack == "prod" else {"front-doors"}
    )


# -- A strong (MRSC) table ------------------------------------------------------------------------

US = ["us-east-1", "us-east-2", "us-west-2"]


def test_a_strong_table_is_built_as_dynamodb_requires():
    run = run_program("test", values=config("route53", regions=US, tableConsistency="strong"))
    (table,) = run.of_type("aws:dynamodb/table:Table")
    assert [r["consistencyMode"] for r in table.inputs["replicas"]] == ["STRONG", "STRONG"]
    assert "ttl" not in table.inputs and "globalTableWitness" not in table.inputs
    witnessed = run_program(
        "test", values=config("route53", regions=US[:2], tableConsistency="strong", witnessRegion="us-west-2")
    )
    (table,) = witnessed.of_type("aws:dynamodb/table:Table")
    assert table.inputs["globalTableWitness"] == {"regionName": "us-west-2"}
    assert table.inputs["tags"] == {"home-region": "us-east-1", "consistency": "strong"}


def test_the_consistency_mode_of_a_deployed_table_cannot_change():
    before = config("route53", regions=US)
    old = run_program("test", values=before)
    new = run_program(
        "test",
        values={**before, "tableConsistency": "strong"},
        deployed_tables=deployed_tables(old),
        raise_errors=False,
    )
    assert isinstance(new.error, ConfigError) and new.resources == []
    assert "global-serverless:tableConsistency" in str(new.error) and "was created eventual" in str(new.error)


def test_a_strong_tables_regions_are_fixed():
    before = config("route53", regions=US, tableConsistency="strong")
    after = config("route53", regions=["us-east-1", "us-east-2"], tableConsistency="strong", witnessRegion="us-west-2")
    plan = transition(before, after)
    assert any("strong (MRSC): its regions are fixed" in h for h in plan.hazards)


@pytest.mark.parametrize(
    ("changed", "named"),
    [
        ({"domain": {"zone": "example.com", "name": "api2"}}, "api.example.com stops answering"),
        ({"domain": {"zone": "example.org", "name": "api"}}, "api.example.com stops answering"),
    ],
)
def test_a_domain_rename_or_a_zone_move_is_a_hazard_that_says_what_stops_answering(changed, named):
    """Issue 22: a domain rename or a zone move said "hazards: none" though the old name stops answering."""
    plan = transition(config("route53"), config("route53", **changed))
    assert any(named in hazard and "move clients to the new name first" in hazard for hazard in plan.hazards)


def test_a_door_switch_keeps_the_main_name_and_names_no_domain_hazard():
    plan = transition(config("route53"), config("cloudfront"))
    assert not [h for h in plan.hazards if "stops answering" in h or "hosted zone" in h]
