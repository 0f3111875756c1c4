"""The whole program under Pulumi mocks: regional backends, the global table, names, config errors."""

import pytest

from components.config import ConfigError
from offline.engine.run import run_program
from tests.components.helpers import ALL_REGIONS, backend_types_by_region, in_backend, policy_document, program

LAMBDA = "aws:lambda/function:Function"
TABLE = "aws:dynamodb/table:Table"
ENTRY = {"alb": "aws:lb/loadBalancer:LoadBalancer", "apigateway": "aws:apigatewayv2/api:Api"}


@pytest.mark.parametrize("backend", ["alb", "apigateway"])
def test_every_region_gets_the_same_backend_in_its_own_region(backend):
    regions = ["us-east-1", "eu-west-1", "ap-southeast-1"]
    run = program(regions, backend=backend)
    by_region = backend_types_by_region(run)
    assert set(by_region) == set(regions)
    first = by_region[regions[0]]
    for region in regions:
        assert by_region[region] == first, f"{region} differs from {regions[0]}"
        assert by_region[region][LAMBDA] == 1 and by_region[region][ENTRY[backend]] == 1
    functions = run.of_type(LAMBDA)
    assert sorted(f.region for f in functions if in_backend(run, f)) == sorted(regions)


@pytest.mark.parametrize("count", [1, 2, 4, 16])
@pytest.mark.parametrize("backend", ["alb", "apigateway"])
def test_one_to_sixteen_regions(count, backend):
    regions = ALL_REGIONS[:count]
    run = program(regions, backend=backend)
    for region in regions:
        kinds = {r.type for r in run.in_region(region) if in_backend(run, r)}
        assert {LAMBDA, ENTRY[backend]} <= kinds, region
    tables = run.of_type(TABLE)
    assert len(tables) == 1
    assert tables[0].region == regions[0]
    assert sorted(r["regionName"] for r in tables[0].inputs.get("replicas", [])) == sorted(regions[1:])


def test_table_is_a_2019_global_table_with_streams_pitr_and_protection_everywhere():
    run = program(["eu-west-1", "us-east-1", "ap-southeast-1"], home="us-east-1", deletionProtection=True)
    assert not run.of_type("aws:dynamodb/globalTable:GlobalTable")
    assert not run.of_type("aws:dynamodb/tableReplica:TableReplica")
    (table,) = run.of_type(TABLE)
    props = table.inputs
    assert table.region == "us-east-1"
    assert props["billingMode"] == "PAY_PER_REQUEST"
    assert props["streamEnabled"] is True and props["streamViewType"] == "NEW_AND_OLD_IMAGES"
    assert props["pointInTimeRecovery"]["enabled"] is True
    assert props["deletionProtectionEnabled"] is True
    assert props["serverSideEncryption"]["enabled"] is True
    assert props["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    assert props["hashKey"] == "id" and props["attributes"] == [{"name": "id", "type": "S"}]
    replicas = {r["regionName"]: r for r in props["replicas"]}
    assert set(replicas) == {"eu-west-1", "ap-southeast-1"}
    for replica in replicas.values():
        assert replica["pointInTimeRecovery"] is True and replica["deletionProtectionEnabled"] is True


def test_each_function_may_touch_only_its_own_regions_table():
    regions = ["us-east-1", "eu-west-1"]
    run = program(regions)
    for region in regions:
        (policy,) = [
            r for r in run.of_type("aws:iam/rolePolicy:RolePolicy") if r.region == region and in_backend(run, r)
        ]
        statements = policy_document(policy)["Statement"]
        actions = [a for s in statements for a in s["Action"]]
        assert not any("*" in action for action in actions)
        (table_statement,) = [s for s in statements if s["Sid"] == "Table"]
        assert (
            table_statement["Resource"] == f"arn:aws:dynamodb:{region}:123456789012:table/global-serverless-test-items"
        )
        (function,) = [f for f in run.of_type(LAMBDA) if f.region == region and in_backend(run, f)]
        env = function.inputs["environment"]["variables"]
        assert env["TABLE_NAME"] == "global-serverless-test-items"
        assert env["CHAOS_PARAMETER_NAME"] == "/global-serverless/test/chaos"
        assert env["REQUEST_LOG_SAMPLE_RATE"] == "0.1" and env["POWERTOOLS_LOG_LEVEL"] == "INFO"
        assert env["STRICT_TRANSPORT_SECURITY"] == "max-age=31536000; includeSubDomains"  # the stack has a domain
        assert function.inputs["layers"][0].startswith(
            f"arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3"
        )
        assert function.inputs["handler"] == "api.handler.handler"


def test_alb_entry_with_domain_terminates_tls_in_region_and_redirects_http():
    run = program(["us-east-1", "eu-west-1"], backend="alb")
    certificates = {r.urn: r for r in run.of_type("aws:acm/certificateValidation:CertificateValidation")}
    for region in ("us-east-1", "eu-west-1"):
        listeners = {r.inputs["port"]: r for r in run.of_type("aws:lb/listener:Listener") if r.region == region}
        https, http = listeners[443].inputs, listeners[80].inputs
        assert https["protocol"] == "HTTPS" and f":{region}:" in https["certificateArn"]
        assert http["defaultActions"][0]["type"] == "redirect"
        assert http["defaultActions"][0]["redirect"]["protocol"] == "HTTPS"
        (group,) = [r for r in run.of_type("aws:lb/targetGroup:TargetGroup") if r.region == region]
        assert group.inputs["targetType"] == "lambda"
        assert group.inputs["healthCheck"]["enabled"] is True and group.inputs["healthCheck"]["path"] == "/health"
    assert len(certificates) == 2


def test_alb_without_domain_serves_plain_http_forward():
    run = program(["us-east-1", "eu-west-1"], backend="alb", front_door="globalaccelerator", domain=None)
    listeners = run.of_type("aws:lb/listener:Listener")
    assert sorted((x.region, x.inputs["port"], x.inputs["defaultActions"][0]["type"]) for x in listeners) == [
        ("eu-west-1", 80, "forward"),
        ("eu-west-1", 8080, "forward"),  # Global Accelerator's own port (functions/api/attribution.py)
        ("us-east-1", 80, "forward"),
        ("us-east-1", 8080, "forward"),
    ]
    assert not run.of_type("aws:acm/certificate:Certificate")
    assert run.outputs["regionalEndpoints"]["eu-west-1"].startswith("http://")


def test_http_api_entry_has_regional_domains_with_same_region_certificates():
    run = program(["us-east-1", "eu-west-1"], backend="apigateway", front_door="route53")
    for region in ("us-east-1", "eu-west-1"):
        domains = {
            d.inputs["domainName"]: d
            for d in run.of_type("aws:apigatewayv2/domainName:DomainName")
            if d.region == region
        }
        # The main name, the region's own name, and route53's door name (DNS doors pass the client's Host).
        assert set(domains) == {"api.example.com", f"{region}.api.example.com", "route53.api.example.com"}
        for domain in domains.values():
            configuration = domain.inputs["domainNameConfiguration"]
            assert configuration["endpointType"] == "REGIONAL" and configuration["securityPolicy"] == "TLS_1_2"
            assert f":acm:{region}:" in configuration["certificateArn"]
        (stage,) = [s for s in run.of_type("aws:apigatewayv2/stage:Stage") if s.region == region]
        assert stage.inputs["accessLogSettings"]["destinationArn"].startswith(f"arn:aws:logs:{region}:")
        assert stage.inputs["defaultRouteSettings"]["throttlingRateLimit"] > 0
        (integration,) = [i for i in run.of_type("aws:apigatewayv2/integration:Integration") if i.region == region]
        assert (
            integration.inputs["integrationType"] == "AWS_PROXY" and integration.inputs["payloadFormatVersion"] == "2.0"
        )


def test_alarms_cover_5xx_latency_and_throttles_per_region():
    for backend in ("alb", "apigateway"):
        run = program(["us-east-1", "eu-west-1"], backend=backend)
        for region in ("us-east-1", "eu-west-1"):
            metrics = sorted(
                a.inputs.get("metricName")
                for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
                if a.region == region and in_backend(run, a)
            )
            # The ALB's own 5xx too: no healthy target, a timeout (test_monitoring.py has the rest).
            five_xx = ["HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"] if backend == "alb" else ["5xx"]
            # And the live alias's errors, on which a release rolls back (components/regional/release.py).
            assert metrics == sorted([*five_xx, "Duration", "Throttles", "Errors"])


def test_reordering_regions_renames_nothing():
    first = program(["us-east-1", "eu-west-1", "ap-southeast-1"])
    second = program(["ap-southeast-1", "us-east-1", "eu-west-1"], home="us-east-1")
    assert {r.urn for r in first.resources} == {r.urn for r in second.resources}


def test_stack_outputs():
    run = program(["us-east-1", "eu-west-1"], backend="apigateway", front_door="route53")
    assert run.outputs["url"] == "https://api.example.com"
    assert run.outputs["frontDoor"] == "route53"
    assert run.outputs["tableName"] == "global-serverless-test-items"
    assert run.outputs["regionalEndpoints"] == {
        "us-east-1": "https://us-east-1.api.example.com",
        "eu-west-1": "https://eu-west-1.api.example.com",
    }


@pytest.mark.parametrize(
    "values, key",
    [
        ({"regions": ["us-east-1", "atlantis-1"]}, "global-serverless:regions"),
        ({"regions": ["us-east-1", "us-east-1"]}, "global-serverless:regions"),
        ({"regions": []}, "global-serverless:regions"),
        ({"regions": ["eu-west-1"]}, "aws:region"),
        ({"regions": ["us-east-1"], "backend": "ec2"}, "global-serverless:backend"),
        ({"regions": ["us-east-1"], "frontDoor": "akamai"}, "global-serverless:frontDoor"),
        (
            {"regions": ["us-east-1"], "backend": "apigateway", "frontDoor": "globalaccelerator"},
            "global-serverless:frontDoor",
        ),
        ({"regions": ["us-east-1"], "frontDoor": "route53"}, "global-serverless:domain"),
        ({"regions": ["us-east-1"], "frontDoor": {"route53": 50, "cloudfront": 50}}, "global-serverless:domain"),
        (
            {
                "regions": ["us-east-1"],
                "domain": {"zone": "example.com", "name": "api"},
                "frontDoor": {"route53": 0, "cloudfront": 50},
            },
            "global-serverless:frontDoor",
        ),
        ({"regions": ["us-east-1"], "colour": "blue"}, "global-serverless:colour"),
    ],
)
def test_bad_config_stops_before_any_resource_is_registered(values, key):
    run = run_program("test", values={"aws:region": "us-east-1", **values}, raise_errors=False)
    assert isinstance(run.error, ConfigError)
    assert run.error.key == key
    assert "Allowed:" in str(run.error) and "Fix:" in str(run.error)
    assert run.resources == []


def test_shipped_stacks_match_the_issue():
    dev = run_program("dev")
    prod = run_program("prod")
    dev_functions = sorted(f.region for f in dev.of_type(LAMBDA) if in_backend(dev, f))
    prod_functions = sorted(f.region for f in prod.of_type(LAMBDA) if in_backend(prod, f))
    assert dev_functions == ["eu-west-1", "us-east-1"] and dev.of_type(ENTRY["apigateway"])
    assert prod_functions == ["ap-southeast-1", "eu-west-1", "us-east-1"] and prod.of_type(ENTRY["alb"])
    (table,) = prod.of_type(TABLE)
    assert table.inputs["deletionProtectionEnabled"] is True
    assert all(lb.inputs["enableDeletionProtection"] is True for lb in prod.of_type(ENTRY["alb"]))
    assert dev.outputs["url"].endswith(".example.com") and prod.outputs["url"].endswith(".example.com")


def test_autonamed_load_balancers_and_target_groups_fit_32_characters():
    run = program(["ap-southeast-1", "ap-northeast-1", "eu-central-2"], backend="alb")
    for resource in run.of_type(ENTRY["alb"]) + run.of_type("aws:lb/targetGroup:TargetGroup"):
        # Pulumi names them `<logical name>-<7 random characters>`.
        assert len(resource.name) + 8 <= 32, resource.name


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_shipped_stack_exports_what_operators_look_up(stack):
    """Issue 22: the static IPs, the distribution, the dashboard, each region's alarm topic, who reaches
    each entry."""
    from offline.engine.run import run_program

    outputs = run_program(stack).outputs
    regions = set(outputs["regionalEndpoints"])
    assert set(outputs["alarmTopics"]) == regions and all(
        a.startswith("arn:aws:sns:") for a in outputs["alarmTopics"].values()
    )
    assert set(outputs["entryAccess"]) == regions
    assert outputs["dashboardUrl"].startswith(
        "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name="
    )
    details = outputs.get("frontDoorDetails", {})
    if stack == "prod":  # Global Accelerator alone
        assert len(details["globalaccelerator"]["staticIps"]) == 2


def test_a_cloudfront_stack_exports_its_distribution():
    from offline.engine.run import run_program

    details = run_program("dev", overrides=["frontDoor=cloudfront"]).outputs["frontDoorDetails"]
    assert set(details["cloudfront"]) == {"distributionId", "domainName"}
