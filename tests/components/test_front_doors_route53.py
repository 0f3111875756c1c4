"""Route 53 latency front door under mocks: a health check and a latency record per region, wired to its backend."""

import pytest

from components.doors.route53_latency import CHECKER_REGIONS
from tests.components.helpers import ALL_REGIONS, program

HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
# The regions Route 53 health checkers run in (pulumi-aws HealthCheck.regions docstring).
VALID_CHECKER_REGIONS = {
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
}
REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-1"]
HEALTH = {"path": "/healthz", "intervalSeconds": 10, "failureThreshold": 2}


def door_resources(run, type_token):
    return [r for r in run.of_type(type_token) if run.ancestor(r, ":Route53LatencyFrontDoor")]


def alias_target_in(run, backend, region, hostname):
    """(dns name, zone id) a record for `hostname` must alias in `region`, read from the backend's state."""
    if backend == "alb":
        (alb,) = [r for r in run.of_type("aws:lb/loadBalancer:LoadBalancer") if r.region == region]
        return alb.state["dnsName"], alb.state["zoneId"]
    (domain,) = [
        r
        for r in run.of_type("aws:apigatewayv2/domainName:DomainName")
        if r.region == region and r.inputs["domainName"] == hostname
    ]
    configuration = domain.state["domainNameConfiguration"]
    return configuration["targetDomainName"], configuration["hostedZoneId"]


@pytest.mark.parametrize("backend", ["alb", "apigateway"])
def test_one_https_health_check_per_region_on_its_regional_hostname(backend):
    run = program(REGIONS, backend=backend, front_door="route53", healthCheck=HEALTH)
    checks = {c.inputs["fqdn"]: c for c in door_resources(run, HEALTH_CHECK)}
    assert set(checks) == {f"{region}.api.example.com" for region in REGIONS}
    for check in checks.values():
        props = check.inputs
        assert props["type"] == "HTTPS" and props["port"] == 443 and props["enableSni"] is True
        assert props["resourcePath"] == "/healthz"
        assert props["requestInterval"] == 10 and props["failureThreshold"] == 2
        assert len(props["regions"]) >= 3 and set(props["regions"]) <= VALID_CHECKER_REGIONS
        assert check.region == REGIONS[0]  # global: managed through the home region's provider


@pytest.mark.parametrize("backend", ["alb", "apigateway"])
def test_one_latency_record_per_region_aliasing_that_regions_entry_with_its_health_check(backend):
    run = program(REGIONS, backend=backend, front_door="route53")
    checks = {c.inputs["fqdn"].split(".")[0]: c for c in door_resources(run, HEALTH_CHECK)}
    records = {r.inputs["setIdentifier"]: r for r in door_resources(run, RECORD)}
    assert set(records) == set(REGIONS)
    for region, record in records.items():
        props = record.inputs
        # The latency set lives on the door's own name; the main name's weighted member aliases it.
        assert props["name"] == "route53.api.example.com" and props["type"] == "A"
        assert props["latencyRoutingPolicies"] == [{"region": region}]
        assert props["healthCheckId"] == checks[region].id
        (alias,) = props["aliases"]
        assert (alias["name"], alias["zoneId"]) == alias_target_in(run, backend, region, "route53.api.example.com")
        assert alias["evaluateTargetHealth"] is True
        assert "ttl" not in props  # alias records take the target's TTL
        assert record.region == REGIONS[0]
        # The health check probes <region>.<name>: it waits for that record.
        regional = run.by_name(f"api-{region}-regional")
        assert regional.urn in checks[region].property_dependencies["fqdn"]
    assert run.outputs["url"] == "https://api.example.com"
    assert run.outputs["frontDoorUrls"]["route53"] == "https://route53.api.example.com"


def test_health_checks_cover_three_continents():
    assert len(CHECKER_REGIONS) >= 3
    assert {code.split("-")[0] for code in CHECKER_REGIONS} >= {"us", "eu", "ap"}


@pytest.mark.parametrize("count", [1, 16])
def test_one_and_sixteen_regions(count):
    regions = ALL_REGIONS[:count]
    run = program(regions, backend="apigateway", front_door="route53")
    checks = door_resources(run, HEALTH_CHECK)
    records = door_resources(run, RECORD)
    assert sorted(c.name for c in checks) == sorted(f"route53-{r}" for r in regions)
    assert sorted(r.inputs["setIdentifier"] for r in records) == sorted(regions)
    for record in records:
        region = record.inputs["setIdentifier"]
        assert (
            record.inputs["aliases"][0]["name"]
            == alias_target_in(run, "apigateway", region, "route53.api.example.com")[0]
        )


def test_a_region_dialled_to_zero_has_no_latency_record_but_keeps_its_health_check():
    run = program(["us-east-1", "eu-west-1", "ap-southeast-1"], backend="apigateway", front_door="route53",
                  trafficDials={"eu-west-1": 0})  # fmt: skip
    latency = [r for r in run.of_type("aws:route53/record:Record") if r.inputs.get("latencyRoutingPolicies")]
    assert sorted(r.inputs["setIdentifier"] for r in latency) == ["ap-southeast-1", "us-east-1"]
    checks = run.of_type("aws:route53/healthCheck:HealthCheck")
    assert len(checks) == 3
