"""CloudFront + Lambda@Edge front door under mocks: the router in us-east-1, one origin per region, the table baked in."""

import json

import pytest

from components.doors.cloudfront_edge import (
    CACHING_DISABLED_POLICY_ID,
    EDGE_TIMEOUT_SECONDS,
    ROUTING_TABLE_ARCHIVE_PATH,
    SECURITY_HEADERS_POLICY_ID,
)
from components.stack.packaging import EDGE_SOURCE, package_files
from functions.edge import contract
from functions.edge.health import PROBE_TIMEOUT_SECONDS
from functions.edge.table import RoutingTable
from offline.engine.mocks import CLOUDFRONT_ZONE_ID
from tests.components.helpers import ALL_REGIONS, policy_document, program

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ORIGIN_REQUEST_POLICY = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"
RECORD = "aws:route53/record:Record"
# The home region is not us-east-1 and no backend runs there: edge resources must still land in us-east-1.
REGIONS = ["eu-west-1", "ap-southeast-1", "us-west-2"]


def door_resources(run, type_token):
    return [r for r in run.of_type(type_token) if run.ancestor(r, ":CloudFrontEdgeFrontDoor")]


def one(run, type_token):
    (resource,) = door_resources(run, type_token)
    return resource


def baked_table(function) -> dict:
    return json.loads(function.inputs["code"].assets[ROUTING_TABLE_ARCHIVE_PATH].text)


def regional_hostnames(run, backend, domain) -> dict[str, str]:
    """Region -> the hostname that reaches it directly, from the backends' captured state."""
    if domain:
        return {region: f"{region}.api.example.com" for region in REGIONS}
    if backend == "alb":
        return {lb.region: lb.state["dnsName"] for lb in run.of_type("aws:lb/loadBalancer:LoadBalancer")}
    return {
        api.region: api.state["apiEndpoint"].removeprefix("https://") for api in run.of_type("aws:apigatewayv2/api:Api")
    }


COMBINATIONS = [("alb", True), ("alb", False), ("apigateway", True), ("apigateway", False)]


@pytest.fixture(
    scope="module", params=COMBINATIONS, ids=[f"{b}-{'domain' if d else 'nodomain'}" for b, d in COMBINATIONS]
)
def deployed(request):
    backend, domain = request.param
    run = program(REGIONS, backend=backend, front_door="cloudfront", **({} if domain else {"domain": None}))
    return backend, domain, run


def test_router_is_a_published_plain_lambda_at_edge_in_us_east_1(deployed):
    _, _, run = deployed
    function = one(run, FUNCTION)
    props = function.inputs
    assert function.region == "us-east-1"
    assert props["publish"] is True and function.state["qualifiedArn"].endswith(":1")
    assert props["runtime"] == "python3.12" and props["architectures"] == ["x86_64"]
    assert props["handler"] == contract.HANDLER
    assert "environment" not in props and "layers" not in props and "vpcConfig" not in props
    assert props["timeout"] <= 30 and 128 <= props["memorySize"] <= 256
    assert props["skipDestroy"] is True


def test_router_role_trusts_lambda_and_edgelambda_and_may_only_log(deployed):
    _, _, run = deployed
    role = one(run, ROLE)
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert sorted(statement["Principal"]["Service"]) == ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]
    assert role.region == "us-east-1"
    assert one(run, FUNCTION).inputs["role"] == role.state["arn"]
    policy = one(run, ROLE_POLICY)
    function_name = one(run, FUNCTION).state["name"]
    for statement in policy_document(policy)["Statement"]:
        assert all(action.startswith("logs:") and "*" not in action for action in statement["Action"])
        assert f":log-group:/aws/lambda/us-east-1.{function_name}" in statement["Resource"]
    assert not door_resources(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")


def test_package_is_the_edge_sources_plus_a_table_naming_every_region(deployed):
    backend, domain, run = deployed
    archive = one(run, FUNCTION).inputs["code"]
    assert set(archive.assets) == set(package_files(EDGE_SOURCE, contract.PACKAGE_NAME)) | {ROUTING_TABLE_ARCHIVE_PATH}
    table = RoutingTable.from_dict(baked_table(one(run, FUNCTION)))  # the router's own parser accepts it
    assert table.codes == tuple(REGIONS) and table.home_region == REGIONS[0]
    hostnames = regional_hostnames(run, backend, domain)
    expected_protocol = "http" if (backend, domain) == ("alb", False) else "https"
    for region, origin in table.regions.items():
        assert origin.origin_host == hostnames[region]
        assert (origin.protocol, origin.port) == (expected_protocol, 80 if expected_protocol == "http" else 443)


def test_distribution_has_one_origin_per_region_and_the_router_on_origin_request(deployed):
    backend, domain, run = deployed
    distribution = one(run, DISTRIBUTION)
    function = one(run, FUNCTION)
    assert distribution.region == "us-east-1"
    origins = {o["originId"]: o for o in distribution.inputs["origins"]}
    assert set(origins) == set(REGIONS)
    hostnames = regional_hostnames(run, backend, domain)
    for region, origin in origins.items():
        assert origin["domainName"] == hostnames[region]
        custom = origin["customOriginConfig"]
        if (backend, domain) == ("alb", False):
            assert custom["originProtocolPolicy"] == "http-only" and custom["httpPort"] == 80
        else:
            assert custom["originProtocolPolicy"] == "https-only" and custom["httpsPort"] == 443
            assert custom["originSslProtocols"] == ["TLSv1.2"]

    behavior = distribution.inputs["defaultCacheBehavior"]
    assert behavior["targetOriginId"] == REGIONS[0]
    assert set(behavior["allowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
    assert set(behavior["cachedMethods"]) == {"GET", "HEAD"}
    assert behavior["viewerProtocolPolicy"] in ("https-only", "redirect-to-https")
    assert behavior["cachePolicyId"] == CACHING_DISABLED_POLICY_ID
    # AWS's managed SecurityHeadersPolicy: HSTS, nosniff, frame options on every answer through CloudFront.
    assert behavior["responseHeadersPolicyId"] == SECURITY_HEADERS_POLICY_ID == "67f7725c-6f97-4210-82d7-5512b31e9d03"
    assert behavior["originRequestPolicyId"] == one(run, ORIGIN_REQUEST_POLICY).id
    (association,) = behavior["lambdaFunctionAssociations"]
    # The router reads headers only: CloudFront need not buffer request bodies for it.
    assert association == {
        "eventType": "origin-request",
        "lambdaArn": function.state["qualifiedArn"],
        "includeBody": False,
    }
    # What a policy follows from the distribution to its edge function.
    assert function.urn in distribution.property_dependencies["defaultCacheBehavior"]


def test_origin_request_policy_forwards_the_viewer_location_but_not_host(deployed):
    _, _, run = deployed
    policy = one(run, ORIGIN_REQUEST_POLICY).inputs
    headers = policy["headersConfig"]
    assert headers["headerBehavior"] == "allViewerAndWhitelistCloudFront"
    assert sorted(headers["headers"]["items"]) == sorted(contract.VIEWER_HEADERS)
    assert "host" not in [h.lower() for h in headers["headers"]["items"]]
    assert policy["cookiesConfig"]["cookieBehavior"] == "all"
    assert policy["queryStringsConfig"]["queryStringBehavior"] == "all"


def test_viewer_certificate_aliases_and_records(deployed):
    _, domain, run = deployed
    distribution = one(run, DISTRIBUTION)
    certificate = distribution.inputs["viewerCertificate"]
    records = door_resources(run, RECORD)
    if domain:
        assert ":acm:us-east-1:" in certificate["acmCertificateArn"]
        assert certificate["sslSupportMethod"] == "sni-only" and certificate["minimumProtocolVersion"] == "TLSv1.2_2021"
        # Its own name, and the main name whose weighted set points at it.
        assert distribution.inputs["aliases"] == ["cloudfront.api.example.com", "api.example.com"]
        assert sorted(r.inputs["type"] for r in records) == ["A", "AAAA"]
        for record in records:
            (alias,) = record.inputs["aliases"]
            assert record.inputs["name"] == "cloudfront.api.example.com"
            assert alias["name"] == distribution.state["domainName"] and alias["zoneId"] == CLOUDFRONT_ZONE_ID
            assert alias["evaluateTargetHealth"] is False  # Route 53 refuses it for CloudFront targets
        assert run.outputs["url"] == "https://api.example.com"
    else:
        assert certificate == {"cloudfrontDefaultCertificate": True}
        assert not distribution.inputs.get("aliases") and not records
        assert run.outputs["url"] == f"https://{distribution.state['domainName']}"
    assert distribution.inputs["isIpv6Enabled"] is True


def test_router_timeout_leaves_room_for_a_health_probe():
    assert PROBE_TIMEOUT_SECONDS < EDGE_TIMEOUT_SECONDS <= 30


@pytest.mark.parametrize("count", [1, 16])
def test_one_and_sixteen_regions(count):
    regions = ALL_REGIONS[:count]
    run = program(regions, backend="apigateway", front_door="cloudfront")
    distribution = one(run, DISTRIBUTION)
    assert [o["originId"] for o in distribution.inputs["origins"]] == regions
    assert [o["domainName"] for o in distribution.inputs["origins"]] == [f"{r}.api.example.com" for r in regions]
    assert list(baked_table(one(run, FUNCTION))["regions"]) == regions
    assert one(run, FUNCTION).region == "us-east-1"


def test_cloudfront_writes_standard_logs_to_an_expiring_log_group_in_us_east_1():
    run = program(REGIONS, backend="alb", front_door="cloudfront")
    distribution = one(run, DISTRIBUTION)
    (group,) = [g for g in door_resources(run, "aws:cloudwatch/logGroup:LogGroup")]
    (source,) = door_resources(run, "aws:cloudwatch/logDeliverySource:LogDeliverySource")
    (destination,) = door_resources(run, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination")
    (delivery,) = door_resources(run, "aws:cloudwatch/logDelivery:LogDelivery")
    assert {group.region, source.region, destination.region, delivery.region} == {"us-east-1"}
    assert group.inputs["retentionInDays"] == 30
    assert (source.inputs["logType"], source.inputs["resourceArn"]) == ("ACCESS_LOGS", distribution.state["arn"])
    assert destination.inputs["deliveryDestinationConfiguration"]["destinationResourceArn"] == group.state["arn"]
    assert delivery.inputs["deliverySourceName"] == source.state["name"]
    assert delivery.inputs["deliveryDestinationArn"] == destination.state["arn"]


def test_the_routers_table_carries_the_traffic_dials():
    run = program(REGIONS, backend="alb", front_door="cloudfront", trafficDials={"ap-southeast-1": 0, "us-west-2": 40})
    table = baked_table(one(run, FUNCTION))
    assert table["dials"] == {"ap-southeast-1": 0, "us-west-2": 40}
    assert RoutingTable.from_dict(table).dial("eu-west-1") == 100
