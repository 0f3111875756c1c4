"""Ordering the engine needs for a first deploy and a teardown to succeed."""

from tests.components.helpers import policy_document, program

REGIONS = ["us-east-1", "eu-west-1"]


def test_alb_waits_for_the_internet_gateway_and_public_routes():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator")
    for region in REGIONS:
        alb = run.by_name(f"{region}-alb")
        needed = {run.by_name(f"api-{region}-alb-igw").urn, run.by_name(f"api-{region}-alb-public").urn}
        needed |= {
            r.urn for r in run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation") if r.region == region
        }
        assert needed <= set(alb.dependencies)


def test_subnets_keep_their_zone_when_the_zone_list_changes():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator")
    subnets = run.of_type("aws:ec2/subnet:Subnet")
    assert subnets and all(s.ignore_changes == ["availabilityZone"] for s in subnets)


def test_edge_router_may_write_its_logs_everywhere_before_cloudfront_uses_it():
    run = program(REGIONS, backend="alb", front_door="cloudfront")
    logs = run.by_name("cloudfront-router-logs")
    (statement,) = policy_document(logs)["Statement"]
    assert sorted(statement["Action"]) == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    function = run.by_name("cloudfront-router")
    assert statement["Resource"] == (
        f"arn:aws:logs:*:123456789012:log-group:/aws/lambda/us-east-1.{function.state['name']}:*"
    )
    (distribution,) = run.of_type("aws:cloudfront/distribution:Distribution")
    assert logs.urn in distribution.dependencies


def test_cloudfront_origins_and_health_checks_wait_for_the_regional_records():
    for door, resource, prop in (
        ("cloudfront", "aws:cloudfront/distribution:Distribution", "origins"),
        ("route53", "aws:route53/healthCheck:HealthCheck", "fqdn"),
    ):
        run = program(REGIONS, backend="alb", front_door=door)
        regional = {run.by_name(f"api-{r}-regional").urn for r in REGIONS}
        for dependent in run.of_type(resource):
            assert set(dependent.property_dependencies[prop]) & regional


def test_the_shared_acm_validation_record_outlives_the_stack():
    run = program(REGIONS, backend="alb", front_door="cloudfront")
    validation = run.by_name("tls-validation")
    assert validation.retain_on_delete and validation.inputs["allowOverwrite"] is True
