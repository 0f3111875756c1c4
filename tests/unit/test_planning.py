"""Pure planning: names, hostnames, per-region backend settings."""

import importlib.metadata

import pytest

from components.config import DomainSettings, HealthCheckSettings, parse_settings
from components.doors.dns import certificate_regions
from components.regional import function_settings
from components.stack import naming
from components.stack.global_table import regional_table_arn
from components.stack.hostnames import SINGLE_DOOR_WEIGHT
from functions.api import contract

DOMAIN = DomainSettings(zone="example.com", name="api")


def stack(**raw):
    return parse_settings({"regions": '["eu-west-1", "ap-southeast-1"]', **raw}, "eu-west-1", stack="prod")


def test_names_derive_from_region_codes_not_positions():
    assert naming.regional("api", "eu-west-1") == "api-eu-west-1"
    assert naming.table_name(stack()) == "global-serverless-prod-items"
    assert naming.chaos_parameter_name(stack()) == "/global-serverless/prod/chaos"


def test_hostname_plan_single_door_is_a_weighted_set_of_one():
    plan = stack(frontDoor="route53", domain={"zone": "example.com", "name": "api"}).hostnames
    assert plan.main == "api.example.com"
    assert plan.doors == {"route53": "route53.api.example.com"}
    assert plan.weights == {"route53": SINGLE_DOOR_WEIGHT}
    assert plan.regional == {
        "eu-west-1": "eu-west-1.api.example.com",
        "ap-southeast-1": "ap-southeast-1.api.example.com",
    }
    assert plan.main_record_types == ("A",)
    # Clients send the main name and the door's own name straight to the regional entry.
    assert plan.served_by_region("eu-west-1") == (
        "api.example.com",
        "eu-west-1.api.example.com",
        "route53.api.example.com",
    )


def test_hostname_plan_ab_serves_the_names_that_reach_entries_unchanged():
    plan = stack(
        backend="alb",
        frontDoor='{"route53": 1, "cloudfront": 2, "globalaccelerator": 3}',
        domain={"zone": "example.com", "name": "api"},
    ).hostnames
    assert plan.weights == {"route53": 1, "cloudfront": 2, "globalaccelerator": 3}
    # CloudFront rewrites Host to the regional name, so no entry serves cloudfront.api.example.com.
    assert plan.served_by_region("eu-west-1") == (
        "api.example.com",
        "eu-west-1.api.example.com",
        "route53.api.example.com",
        "globalaccelerator.api.example.com",
    )
    assert plan.main_record_types == ("A",)  # an AAAA set of CloudFront alone would pull IPv6 clients off the split
    assert [plan.label(h) for h in plan.served_by_region("eu-west-1")] == [
        "main",
        "eu-west-1",
        "route53",
        "globalaccelerator",
    ]


def test_cloudfront_alone_answers_ipv6_on_the_main_name():
    plan = stack(frontDoor="cloudfront", domain={"zone": "example.com", "name": "api"}).hostnames
    assert plan.main_record_types == ("A", "AAAA")
    assert stack(frontDoor="cloudfront").hostnames is None


def test_one_certificate_name_and_wildcard_cover_every_hostname():
    name, alternatives = naming.certificate_names(DOMAIN)
    assert (name, alternatives) == ("api.example.com", ("*.api.example.com",))


def test_certificate_regions_add_us_east_1_only_for_cloudfront():
    domain = '{"zone": "example.com", "name": "api"}'

    def regions(s):
        return certificate_regions(s.home_region, s.regions, s.strategies)

    assert regions(stack(domain=domain, frontDoor="route53")) == ("eu-west-1", "ap-southeast-1")
    assert regions(stack(domain=domain, frontDoor="cloudfront")) == ("eu-west-1", "ap-southeast-1", "us-east-1")


def test_regional_table_arn_swaps_only_the_region():
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/global-serverless-dev-items"
    assert regional_table_arn(arn, "us-east-1", "eu-west-1") == (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/global-serverless-dev-items"
    )
    with pytest.raises(ValueError):
        regional_table_arn(arn, "eu-west-1", "us-east-1")


def test_function_environment_uses_the_contract_names():
    env = function_settings.function_environment(stack(healthCheck='{"path": "/healthz"}'), "t", "/p")
    assert env[contract.ENV_TABLE_NAME] == "t"
    assert env[contract.ENV_CHAOS_PARAMETER] == "/p"
    assert env[contract.ENV_HEALTH_PATH] == "/healthz"


def test_powertools_layer_parameter_pins_the_tested_version():
    # The layer the program attaches is the Powertools the tests run against.
    installed = importlib.metadata.version("aws-lambda-powertools")
    assert function_settings.powertools_version() == installed
    assert (
        function_settings.powertools_layer_parameter() == f"/aws/service/powertools/python/arm64/python3.12/{installed}"
    )


@pytest.mark.parametrize(
    "interval, threshold, expected",
    [
        (30, 3, (30, 5, 3)),
        (10, 3, (10, 5, 3)),
        (10, 1, (10, 5, 2)),  # ALB thresholds start at 2
        (30, 10, (30, 5, 10)),
    ],
)
def test_alb_health_check_follows_health_settings(interval, threshold, expected):
    check = function_settings.alb_target_group_health(
        HealthCheckSettings(interval_seconds=interval, failure_threshold=threshold)
    )
    assert (check.interval, check.timeout, check.unhealthy_threshold) == expected
    # A Lambda target group check must run less often than the function can take.
    assert check.interval > function_settings.FUNCTION_TIMEOUT_SECONDS
    assert check.timeout < check.interval


def test_table_actions_have_no_wildcards():
    assert all("*" not in action for action in function_settings.table_access_actions())


def test_load_balancer_names_fit_the_elb_limit_in_every_region():
    from components.stack.regions import catalogue

    for region in catalogue():
        for kind in ("alb", "tg-pub", "tg-int"):
            assert len(naming.elb_logical_name(region, kind)) + naming.AUTONAME_SUFFIX <= 32
    with pytest.raises(ValueError, match="32-character ELB limit"):
        naming.elb_logical_name("ap-southeast-1", "a-much-too-long-kind")
