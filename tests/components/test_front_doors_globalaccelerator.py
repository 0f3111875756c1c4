"""Global Accelerator front door under mocks: one endpoint group per region, each naming that region's ALB."""

import pytest

from components.config import ConfigError
from offline.engine.mocks import GLOBAL_ACCELERATOR_ZONE_ID
from offline.engine.run import run_program
from tests.components.helpers import ALL_REGIONS, program

ACCELERATOR = "aws:globalaccelerator/accelerator:Accelerator"
LISTENER = "aws:globalaccelerator/listener:Listener"
GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"
RECORD = "aws:route53/record:Record"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]


def door_resources(run, type_token):
    return [r for r in run.of_type(type_token) if run.ancestor(r, ":GlobalAcceleratorFrontDoor")]


def alb_arns(run) -> dict[str, str]:
    return {lb.region: lb.state["arn"] for lb in run.of_type("aws:lb/loadBalancer:LoadBalancer")}


def test_one_endpoint_group_per_region_naming_that_regions_alb():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator", trafficDials={"eu-west-1": 0})
    (accelerator,) = door_resources(run, ACCELERATOR)
    (listener,) = door_resources(run, LISTENER)
    assert accelerator.inputs["ipAddressType"] == "IPV4" and accelerator.inputs["enabled"] is True
    assert listener.inputs["acceleratorArn"] == accelerator.state["arn"]
    assert listener.inputs["protocol"] == "TCP"
    # 443, and 80 for plain-HTTP clients, whom the ALBs redirect (tests/components/test_review_fixes.py).
    assert listener.inputs["portRanges"] == [{"fromPort": 80, "toPort": 80}, {"fromPort": 443, "toPort": 443}]

    groups = {g.inputs["endpointGroupRegion"]: g for g in door_resources(run, GROUP)}
    assert set(groups) == set(REGIONS)
    arns = alb_arns(run)
    for region, group in groups.items():
        props = group.inputs
        assert group.name == f"globalaccelerator-{region}"
        assert props["listenerArn"] == listener.state["arn"]
        (endpoint,) = props["endpointConfigurations"]
        assert endpoint["endpointId"] == arns[region]
        assert endpoint["clientIpPreservationEnabled"] is True and endpoint["weight"] == 128
        assert props["trafficDialPercentage"] == (0 if region == "eu-west-1" else 100)
        # ALB endpoints take health from the target group check; group-level settings would be ignored.
        assert not [key for key in props if key.startswith("healthCheck") or key == "thresholdCount"]
    for resource in door_resources(run, ACCELERATOR) + door_resources(run, LISTENER) + list(groups.values()):
        assert resource.region == "us-east-1"


def test_target_groups_the_accelerator_relies_on_check_health_explicitly():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator")
    groups = run.of_type("aws:lb/targetGroup:TargetGroup")
    assert len(groups) == len(REGIONS)
    assert all(g.inputs["healthCheck"]["enabled"] is True for g in groups)


def test_domain_gets_an_alias_record_to_the_accelerator():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator")
    (accelerator,) = door_resources(run, ACCELERATOR)
    (record,) = door_resources(run, RECORD)
    assert record.inputs["name"] == "globalaccelerator.api.example.com" and record.inputs["type"] == "A"
    (alias,) = record.inputs["aliases"]
    assert alias["name"] == accelerator.state["dnsName"]
    assert alias["zoneId"] == accelerator.state["hostedZoneId"] == GLOBAL_ACCELERATOR_ZONE_ID
    assert run.outputs["url"] == "https://api.example.com"


def test_without_domain_listens_where_the_albs_listen_and_serves_the_accelerator_name():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator", domain=None)
    (accelerator,) = door_resources(run, ACCELERATOR)
    (listener,) = door_resources(run, LISTENER)
    # Without a certificate each ALB listens on 80 only; GA forwards a port to the same port.
    assert listener.inputs["portRanges"] == [{"fromPort": 80, "toPort": 80}]
    assert not door_resources(run, RECORD)
    assert run.outputs["url"] == f"http://{accelerator.state['dnsName']}"


def test_api_gateway_backend_is_refused_before_anything_is_registered():
    run = run_program(
        "test",
        values={
            "aws:region": "us-east-1",
            "regions": REGIONS,
            "backend": "apigateway",
            "frontDoor": "globalaccelerator",
        },
        raise_errors=False,
    )
    assert isinstance(run.error, ConfigError)
    assert run.error.key == "global-serverless:frontDoor"
    assert "Global Accelerator endpoints are ALB" in str(run.error)
    assert run.resources == []


@pytest.mark.parametrize("count", [1, 16])
def test_one_and_sixteen_regions(count):
    regions = ALL_REGIONS[:count]
    run = program(regions, backend="alb", front_door="globalaccelerator")
    arns = alb_arns(run)
    groups = door_resources(run, GROUP)
    assert sorted(g.inputs["endpointGroupRegion"] for g in groups) == sorted(regions)
    assert all(
        g.inputs["endpointConfigurations"][0]["endpointId"] == arns[g.inputs["endpointGroupRegion"]] for g in groups
    )
    assert len(door_resources(run, ACCELERATOR)) == 1 and len(door_resources(run, LISTENER)) == 1


def test_global_accelerator_reaches_each_alb_on_a_port_of_its_own():
    """So the function can tell its requests apart (X-Forwarded-Port); the endpoint groups wait for it."""
    run = program(["us-east-1", "eu-west-1"], backend="alb", front_door="globalaccelerator")
    listeners = {(r.region, r.inputs["port"]): r for r in run.of_type("aws:lb/listener:Listener")}
    for group in run.of_type("aws:globalaccelerator/endpointGroup:EndpointGroup"):
        region = group.inputs["endpointGroupRegion"]
        assert group.inputs["portOverrides"] == [
            {"listenerPort": 80, "endpointPort": 8081},
            {"listenerPort": 443, "endpointPort": 8443},
        ]
        ga = listeners[(region, 8443)]
        assert ga.inputs["protocol"] == "HTTPS" and ga.urn in group.dependencies
    for function in [f for f in run.of_type("aws:lambda/function:Function") if f.name.startswith("api-")]:
        env = function.inputs["environment"]["variables"]
        assert env["FRONT_DOOR_PORTS"] == "8443=globalaccelerator" and env["FRONT_DOORS"] == "globalaccelerator"
    rules = run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    for region in ("us-east-1", "eu-west-1"):
        assert {r.inputs["fromPort"] for r in rules if r.region == region} == {8081, 8443}
