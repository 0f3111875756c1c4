"""Every front door under mocks: the shared interface, the A/B split, and what switching strategy leaves alone."""

import json

import pytest

from components.registry import BACKENDS, DOORS, component_type, door_type
from components.security.exposure import PRIVATE_NETWORK
from offline.engine.lifecycle import normalized
from offline.engine.mocks import MOCK_ZONE_ID
from tests.components.helpers import program

DOOR_TYPES = {strategy: door_type(strategy) for strategy in DOORS}
SPLIT_TYPE = component_type("WeightedSplit")
RECORD = "aws:route53/record:Record"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
# Every strategy x backend the config allows, with and without a domain where that is allowed.
ALLOWED = [
    (strategy, backend, domain)
    for strategy in DOORS
    for backend in DOORS[strategy].backends
    for domain in (True, False)
    if domain or not DOORS[strategy].needs_domain
]
# Global resources that CloudFront only takes in us-east-1.
EDGE_TYPES = {
    "aws:lambda/function:Function",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:cloudfront/distribution:Distribution",
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
    # CloudFront's standard logs (v2) are delivered in us-east-1.
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:cloudwatch/logDelivery:LogDelivery",
}


def run_for(strategy, backend, domain, regions=REGIONS, home=None):
    return program(regions, backend=backend, front_door=strategy, home=home, **({} if domain else {"domain": None}))


def door_children(run, door):
    return [r for r in run.resources if r.parent == door.urn]


def serves_a_door_name(urn: str) -> bool:
    """An API Gateway custom domain (or its mapping) for a door's own hostname, which comes and goes with it."""
    return any(urn.endswith(f"-{kind}-{strategy}") for kind in ("domain", "mapping") for strategy in DOOR_TYPES)


def outside_front_doors(run) -> dict[str, object]:
    """URN -> inputs of every resource not under a front door (backends, table, certificates, providers);
    the table's tag recording which doors serve is left out (it follows the door, by design)."""
    doors = tuple(DOOR_TYPES.values()) + (SPLIT_TYPE,)
    return {
        r.urn: _without_door_tag(r.type, normalized(r.inputs))
        for r in run.resources
        if r.type not in doors
        and not any(run.ancestor(r, t.split(":")[-1]) for t in doors)
        and not serves_a_door_name(r.urn)
    }


def _without_door_tag(type_: str, inputs: dict) -> dict:
    """Inputs without what follows the door by design: where an HTTP API's function reads the origin
    secrets behind CloudFront alone, and which doors it counts (test_origin_protection.py)."""
    if type_ == "aws:lambda/function:Function" and "environment" in inputs:  # which doors it counts
        door_keys = {"FRONT_DOORS", "FRONT_DOOR_PORTS", "FRONT_DOOR_HEADERS", "FRONT_DOOR_CLIENTS"}
        variables = {k: v for k, v in inputs["environment"]["variables"].items() if k not in door_keys}
        inputs = {**inputs, "environment": {**inputs["environment"], "variables": variables}}
    if type_ == "aws:iam/rolePolicy:RolePolicy" and "OriginSecrets" in str(inputs.get("policy")):
        document = json.loads(inputs["policy"])  # the function reads the secrets behind CloudFront alone
        document["Statement"] = [st for st in document["Statement"] if st.get("Sid") != "OriginSecrets"]
        return {**inputs, "policy": json.dumps(document)}
    if type_ == "aws:lambda/function:Function" and "environment" in inputs:
        guard = {"ORIGIN_SECRET_PATH", "ORIGIN_OPEN_HOSTS", "ORIGIN_SECRETS"}
        variables = {k: v for k, v in inputs["environment"]["variables"].items() if k not in guard}
        return {**inputs, "environment": {**inputs["environment"], "variables": variables}}
    return inputs


@pytest.mark.parametrize("strategy,backend,domain", ALLOWED)
def test_each_allowed_combination_builds_one_door_whose_children_are_its_own(strategy, backend, domain):
    home = "eu-west-1"
    run = run_for(strategy, backend, domain, home=home)
    (door,) = [r for r in run.resources if r.type in DOOR_TYPES.values()]
    assert door.type == DOOR_TYPES[strategy] and door.name == strategy and not door.custom
    children = door_children(run, door)
    assert children and all(child.custom for child in children)  # parent=self on every child, no nesting
    for child in children:
        expected = "us-east-1" if child.type in EDGE_TYPES else home
        assert child.region == expected, f"{child.type} {child.name} in {child.region}"
        assert child.name.startswith(strategy)
    if domain:
        # The main name is a weighted set of one; the door answers on its own name.
        (split,) = run.of_type(SPLIT_TYPE)
        members = {r.inputs["setIdentifier"] for r in run.resources if r.parent == split.urn}
        assert members == {strategy}
        assert run.outputs["url"] == "https://api.example.com"
        assert run.outputs["frontDoorUrls"][strategy] == f"https://{strategy}.api.example.com"
    else:
        assert not run.of_type(SPLIT_TYPE)
        assert run.outputs["url"] == run.outputs["frontDoorUrls"][strategy]
        assert run.outputs["url"].startswith("https://" if strategy == "cloudfront" else "http://")


@pytest.mark.parametrize(
    "strategy,backend", [("route53", "apigateway"), ("globalaccelerator", "alb"), ("cloudfront", "alb")]
)
def test_child_names_come_from_region_codes_not_positions(strategy, backend):
    forward = run_for(strategy, backend, True)
    backward = run_for(strategy, backend, True, regions=[REGIONS[0], *reversed(REGIONS[1:])])

    def door_urns(run):
        return sorted(r.urn for r in run.resources if run.ancestor(r, DOOR_TYPES[strategy].split(":")[-1]))

    assert door_urns(forward) == door_urns(backward)


@pytest.mark.parametrize(
    "backend,strategies",
    # Doors that leave the entries' scheme alone (a door that reaches them privately alone makes ALBs internal).
    [(b, [s for s in DOORS if b in DOORS[s].backends and DOORS[s].reaches_entry != PRIVATE_NETWORK]) for b in BACKENDS],
)
def test_switching_strategy_leaves_backends_and_table_untouched(backend, strategies):
    """Only exposure follows the door: CloudFront alone adds the secret, a rule accepting it on each
    listener and the lockdown; a direct door the open rule and public ingress rules; each door its own
    ingress rules (test_origin_protection.py). Global Accelerator alone also changes the ALBs' scheme,
    which replaces them (test_exposure.py, tests/lifecycle)."""

    def untouched(run):
        return {urn: inputs for urn, inputs in outside_front_doors(run).items() if not _origin_protection(urn)}

    first, *others = [untouched(run_for(strategy, backend, True)) for strategy in strategies]
    assert any(":RegionalBackend" in urn for urn in first)
    assert any("dynamodb/table:Table" in urn for urn in first)
    for other in others:
        assert other.keys() == first.keys()
        assert other == first


def _origin_protection(urn: str) -> bool:
    """What follows the door by design: origin protection, and monitoring (Route 53's health checks are
    alarmed in us-east-1, where a topic is added for them; the probes probe the doors there are)."""
    parts = (
        ":OriginSecret",
        ":OriginLockdown",
        "-from-cloudfront",
        "-open",
        "-in-clients-",
        "-in-cloudfront-",
        "-in-ga-",
        "-regional",  # the regional record: its alias target may follow a door's scheme
        # The main name's API domains exist only while a door passes the client's Host through (route53):
        # behind CloudFront alone they would be a way around it (components/stack/hostnames.py).
        "-domain-main",
        "-mapping-main",
        "::router-probe-token",  # what the CloudFront router's probes carry
        ":StackMonitoring",
        ":AlarmTopics",
        "-alb-ga",
        ":Probes",
    )
    return any(part in urn for part in parts)


def test_cloudfront_outside_us_east_1_adds_only_its_certificate():
    regions = ["eu-west-1", "ap-southeast-1"]
    route53 = {
        urn: inputs
        for urn, inputs in outside_front_doors(run_for("route53", "apigateway", True, regions=regions)).items()
        if not _origin_protection(urn)
    }
    cloudfront = {
        urn: inputs
        for urn, inputs in outside_front_doors(run_for("cloudfront", "apigateway", True, regions=regions)).items()
        if not _origin_protection(urn)
    }
    added = sorted(urn.split("::")[-1] for urn in cloudfront.keys() - route53.keys())
    # CloudFront takes only us-east-1 certificates: one more certificate (and its validation).
    assert added == ["tls-us-east-1", "tls-us-east-1"]
    assert route53.keys() <= cloudfront.keys()
    assert all(cloudfront[urn] == inputs for urn, inputs in route53.items())


AB_WEIGHTS = {"globalaccelerator": 30, "cloudfront": 70}


@pytest.fixture(scope="module")
def ab_run():
    return program(REGIONS, backend="alb", front_door=AB_WEIGHTS)


def test_ab_builds_every_strategy_on_its_own_hostname(ab_run):
    doors = {r.name: r for r in ab_run.resources if r.type in DOOR_TYPES.values()}
    assert set(doors) == set(AB_WEIGHTS)
    assert ab_run.outputs["frontDoorUrls"] == {s: f"https://{s}.api.example.com" for s in AB_WEIGHTS}
    assert ab_run.outputs["url"] == "https://api.example.com"
    (distribution,) = ab_run.of_type("aws:cloudfront/distribution:Distribution")
    # CloudFront answers on its own name and on the main name the split sends to it.
    assert distribution.inputs["aliases"] == ["cloudfront.api.example.com", "api.example.com"]


def test_ab_weighted_records_alias_each_strategys_record_in_the_same_zone(ab_run):
    (split,) = ab_run.of_type(SPLIT_TYPE)
    records = {r.inputs["setIdentifier"]: r for r in ab_run.resources if r.parent == split.urn}
    assert set(records) == set(AB_WEIGHTS)
    strategy_records = {
        r.inputs["name"]: r
        for r in ab_run.of_type(RECORD)
        if r.inputs["name"].count(".") == 3 and r.inputs["name"].split(".")[0] in AB_WEIGHTS
    }
    for strategy, record in records.items():
        props = record.inputs
        assert record.type == RECORD and record.region == REGIONS[0]
        assert props["name"] == "api.example.com" and props["type"] == "A" and props["zoneId"] == MOCK_ZONE_ID
        assert props["weightedRoutingPolicies"] == [{"weight": AB_WEIGHTS[strategy]}]
        (alias,) = props["aliases"]
        assert alias == {"name": f"{strategy}.api.example.com", "zoneId": MOCK_ZONE_ID, "evaluateTargetHealth": True}
        # The alias waits for the record it targets (Route 53 refuses an alias to a missing name).
        assert strategy_records[f"{strategy}.api.example.com"].urn in record.property_dependencies["aliases"]


def test_ab_route53_latency_records_sit_on_the_strategy_name():
    run = program(REGIONS, backend="apigateway", front_door={"route53": 1, "cloudfront": 3})
    latency = [r for r in run.of_type(RECORD) if r.inputs.get("latencyRoutingPolicies")]
    assert sorted(r.inputs["setIdentifier"] for r in latency) == sorted(REGIONS)
    assert {r.inputs["name"] for r in latency} == {"route53.api.example.com"}
    for record in latency:
        region = record.inputs["setIdentifier"]
        (domain,) = [
            d
            for d in run.of_type("aws:apigatewayv2/domainName:DomainName")
            if d.region == region and d.inputs["domainName"] == "route53.api.example.com"
        ]
        assert record.inputs["aliases"][0]["name"] == domain.state["domainNameConfiguration"]["targetDomainName"]
    weights = {
        r.inputs["setIdentifier"]: r.inputs["weightedRoutingPolicies"][0]["weight"]
        for r in run.of_type(RECORD)
        if r.inputs.get("weightedRoutingPolicies")
    }
    assert weights == {"route53": 1, "cloudfront": 3}
