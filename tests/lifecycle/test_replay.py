"""The replay itself: the uniqueness rules and the engine's order, on hand-made states."""

from offline.engine.lifecycle import FORCE_NEW, plan_update
from offline.engine.run import CapturedResource, ProgramRun

ZONE = "Z1"
RECORD = "aws:route53/record:Record"


def record(name, host, policy=None, set_id=None, **options):
    inputs = {"zoneId": ZONE, "name": host, "type": "A", "aliases": [{"name": "target", "zoneId": "Z2"}]}
    if policy:
        inputs[f"{policy}RoutingPolicies"] = [{"weight": 1} if policy == "weighted" else {"region": set_id}]
        inputs["setIdentifier"] = set_id
    return resource(RECORD, name, inputs, **options)


def resource(type_, name, inputs, **options):
    return CapturedResource(
        urn=f"urn:pulumi:s::p::{type_}::{name}",
        type=type_,
        name=name,
        id=name,
        inputs=inputs,
        state={},
        region="us-east-1",
        custom=True,
        parent=None,
        provider="prov::id",
        **options,
    )


def plan(old, new):
    return plan_update(ProgramRun("s", old, {}), ProgramRun("s", new, {}))


def test_a_simple_record_beside_a_latency_set_clashes_until_the_set_is_deleted():
    latency = [record(f"lat-{r}", "api.example.com", "latency", r) for r in ("us-east-1", "eu-west-1")]
    result = plan(latency, [record("door-a", "api.example.com")])
    assert len(result.clashes) == 2  # one per latency record still there
    assert all("door-a claims Route 53 A api.example.com simple" in clash for clash in result.clashes)
    assert "lat-us-east-1 still holds" in result.clashes[0] and "lat-eu-west-1 still holds" in result.clashes[1]


def test_weighted_members_share_a_name_only_with_their_own_set_identifiers():
    old = [record("main-route53", "api.example.com", "weighted", "route53")]
    assert not plan(old, old + [record("main-cloudfront", "api.example.com", "weighted", "cloudfront")]).clashes
    assert plan(old, old + [record("again", "api.example.com", "weighted", "route53")]).clashes
    assert plan(old, [record("lat", "api.example.com", "latency", "us-east-1")]).clashes


def test_delete_before_replace_frees_the_name_first_and_reports_the_gap():
    old = [record("lat", "api.example.com", "latency", "us-east-1")]
    moved = record("lat", "route53.api.example.com", "latency", "us-east-1", delete_before_replace=True)
    result = plan(old, [moved, record("main", "api.example.com", "weighted", "route53")])
    assert not result.clashes
    (replaced,) = result.of("replace")
    assert replaced.forced_by == ("name",) and "name" in FORCE_NEW[RECORD]
    assert result.notices and "api.example.com has no A record" in result.notices[0]
    # Without it the old latency record is deleted only at the end: the weighted member clashes.
    moved.delete_before_replace = False
    assert plan(old, [moved, record("main", "api.example.com", "weighted", "route53")]).clashes


def test_an_update_swaps_the_routing_policy_in_one_change():
    old = [record("door", "api.example.com")]
    new = record(
        "main", "api.example.com", "weighted", "door", aliases=["urn:pulumi:s::p::aws:route53/record:Record::door"]
    )
    result = plan(old, [new])
    assert not result.clashes and not result.notices
    assert [s.op for s in result.steps] == ["update"]


def test_two_resources_may_not_take_over_one_old_resource():
    old = [record("door", "api.example.com")]
    alias = ["urn:pulumi:s::p::aws:route53/record:Record::door"]
    result = plan(old, [record("a", "x.example.com", aliases=alias), record("b", "y.example.com", aliases=alias)])
    assert any("both alias" in clash for clash in result.clashes)


def test_table_replacement_and_protected_deletes_are_hazards():
    table = resource("aws:dynamodb/table:Table", "items", {"name": "t", "hashKey": "pk"})
    rekeyed = resource("aws:dynamodb/table:Table", "items", {"name": "t", "hashKey": "id"})
    assert any("would be replaced" in h for h in plan([table], [rekeyed]).hazards)
    alb = resource("aws:lb/loadBalancer:LoadBalancer", "alb", {"enableDeletionProtection": True})
    assert any("deletion protection on" in h for h in plan([alb], []).hazards)
    kept = resource("aws:ssm/parameter:Parameter", "p", {"name": "/p"}, protect=True)
    assert any("is protected" in h for h in plan([kept], []).hazards)


def test_explicit_names_clash_within_their_region():
    old = [resource("aws:ssm/parameter:Parameter", "old", {"name": "/chaos"})]
    new = [resource("aws:ssm/parameter:Parameter", "new", {"name": "/chaos"})]
    assert plan(old, new).clashes  # created before the old one is deleted
