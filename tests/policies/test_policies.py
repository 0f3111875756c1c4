"""Every policy against hand-made fixtures: the compliant stacks pass, one mutation per rule fails.

Table-driven: (policy, fixture, mutation, fragment of the expected message). Each mutation changes one
thing a pull request could plausibly change; the rule about it must fire with a message that names the
resource, the bad value and the fix.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from policies.catalog import ALL_POLICIES
from tests.policies.fixtures import ACCOUNT, DOMAIN, ORIGIN_SECRET, compliant, listener_arn, scheduler_trust, topic_arn

COMBINATIONS = [
    ("globalaccelerator", "alb"),
    ("route53", "alb"),
    ("route53", "apigateway"),
    ("cloudfront", "alb"),
    ("cloudfront", "apigateway"),
    ({"globalaccelerator": 50, "cloudfront": 50}, "alb"),
    ({"route53": 1, "cloudfront": 3}, "apigateway"),
]


@dataclass(frozen=True)
class Case:
    policy: str
    mutate: Callable[[Any], Any]
    expected: str
    front_door: Any = "globalaccelerator"
    backend: str = "alb"
    regions: tuple = ("us-east-1", "eu-west-1", "ap-southeast-1")
    facts: dict = None

    def run(self):
        fixture = compliant(self.front_door, self.backend, regions=self.regions)
        self.mutate(fixture)
        facts = None if self.facts is None else {**fixture.facts(), **self.facts}
        return fixture.violations(self.policy, facts=facts)


def policy_json(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW = {"Effect": "Allow", "Resource": "*"}
GROUP_ARN = f"arn:aws:scheduler:eu-west-1:{ACCOUNT}:schedule-group/default"


def bare_trust(service: str) -> dict:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return {"Version": "2012-10-17", "Statement": [statement]}


def scheduler_trust_with(condition: dict) -> dict:
    """The Scheduler role's trust (components/observability/probes.py) with another Condition block."""
    document = scheduler_trust("eu-west-1")
    document["Statement"][0]["Condition"] = condition
    return document


GA, R53, CF = "globalaccelerator", "route53", "cloudfront"
EDGE_FN, EDGE_ROLE = "cloudfront-router", "cloudfront-router-role"
ACCEPT = "api-eu-west-1-alb-from-cloudfront-v1"  # the accept rule for origin secret version 1
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def scope_down(constraint: str = "EXACTLY", value: str = ORIGIN_SECRET) -> dict:
    """components/security/web_acl.py's scope-down: requests NOT carrying CloudFront's origin secret."""
    match = {
        "fieldToMatch": {"singleHeader": {"name": "x-origin-verify"}},
        "positionalConstraint": constraint,
        "searchString": value,
        "textTransformations": [{"priority": 0.0, "type": "NONE"}],
    }
    return {"notStatement": {"statement": {"byteMatchStatement": match}}}


def rate_rule(scope: dict) -> dict:
    statement = {"aggregateKeyType": "IP", "limit": 2000.0, "evaluationWindowSec": 300.0, "scopeDownStatement": scope}
    return {"name": "rate-per-client-ip", "priority": 0.0, "statement": {"rateBasedStatement": statement}}


CASES = [
    # -- table ----------------------------------------------------------------------------------
    Case(
        "global-table-version-2019",
        lambda f: f.new(
            "aws:dynamodb/globalTable:GlobalTable",
            "legacy",
            "us-east-1",
            {"name": "t", "replicas": [{"regionName": "us-east-1"}, {"regionName": "eu-west-1"}]},
        ),
        "aws:dynamodb/globalTable:GlobalTable 'legacy' in us-east-1: the legacy global tables version 2017.11.29",
    ),
    Case(
        "global-table-no-replica-mix",
        lambda f: f.new(
            "aws:dynamodb/tableReplica:TableReplica",
            "extra",
            "us-west-2",
            {"globalTableArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/global-serverless-test-items"},
            deps={"globalTableArn": ["items"]},
        ),
        "adds a replica to table 'items', which already declares inline replicas",
    ),
    Case(
        "table-streams-new-and-old-images",
        lambda f: f.set("items", "streamViewType", "KEYS_ONLY"),
        "streamViewType is KEYS_ONLY; global table replication needs NEW_AND_OLD_IMAGES",
    ),
    Case(
        "table-streams-new-and-old-images",
        lambda f: f.set("items", "streamEnabled", False),
        "streams are off (streamEnabled false)",
    ),
    Case("table-pay-per-request", lambda f: f.set("items", "billingMode", "PROVISIONED"), "billingMode is PROVISIONED"),
    Case("table-pay-per-request", lambda f: f.drop("items", "billingMode"), "billingMode is PROVISIONED"),
    Case(
        "table-point-in-time-recovery",
        lambda f: f.set("items", "pointInTimeRecovery.enabled", False),
        "point-in-time recovery is off on the table (pointInTimeRecovery.enabled false)",
    ),
    Case(
        "table-point-in-time-recovery",
        lambda f: f.drop("items", "replicas[0].pointInTimeRecovery"),
        "point-in-time recovery is off on its replica in eu-west-1 (pointInTimeRecovery (not set)",
    ),
    # A strong (MRSC) table mixing modes; the full rule set is in test_strong_consistency.py.
    Case(
        "table-strong-consistency",
        lambda f: f.set("items", "replicas[0].consistencyMode", "STRONG"),
        "cannot mix modes",
    ),
    Case(
        "table-deletion-protection",
        lambda f: f.set("items", "deletionProtectionEnabled", False),
        "aws:dynamodb/table:Table 'items' in us-east-1: deletion protection is off on the table",
    ),
    Case(
        "table-deletion-protection",
        lambda f: f.set("items", "replicas[1].deletionProtectionEnabled", False),
        "deletion protection is off on its replica in ap-southeast-1",
    ),
    Case(
        "table-replica-regions",
        lambda f: f.drop("items", "replicas[1]"),
        "no replica in ap-southeast-1. Fix: derive replicas from global-serverless:regions",
    ),
    Case(
        "table-replica-regions",
        lambda f: f.set("items", "replicas[1].regionName", "us-west-2"),
        "a replica in us-west-2 where no backend is configured",
    ),
    Case(
        "table-replica-regions",
        lambda f: f.set("items", "replicas[1].regionName", "us-east-1"),
        "replica region us-east-1 is listed twice or is the home region itself",
    ),
    Case(
        "table-replica-regions",
        lambda f: f.move("items", "eu-west-1"),
        "the table's home region is eu-west-1, but the stack's home region (aws:region) is us-east-1",
    ),
    # -- regions --------------------------------------------------------------------------------
    Case(
        "min-regions",
        lambda f: None,
        '1 region(s) with a backend (["us-east-1"]); active-active needs at least 2',
        regions=("us-east-1",),
    ),
    Case("min-regions", lambda f: f.remove("api-eu-west-1-fn", "api-ap-southeast-1-fn"), "1 region(s) with a backend"),
    Case(
        "backend-in-every-region",
        lambda f: f.remove("eu-west-1-alb"),
        "region eu-west-1 is configured but has no backend",
    ),
    Case(
        "backend-in-every-region",
        lambda f: None,
        "a backend serves in ap-southeast-1, which is not a configured region",
        facts={"expectedRegions": ["us-east-1", "eu-west-1"]},
    ),
    Case(
        "region-parity",
        lambda f: f.set("api-eu-west-1-fn", "memorySize", 1024.0),
        "aws:lambda/function:Function 'api-eu-west-1-fn' in eu-west-1: memorySize 1024 differs from 512 on "
        "'api-us-east-1-fn' in us-east-1",
    ),
    Case(
        "region-parity",
        lambda f: f.set("api-ap-southeast-1-fn", "runtime", "python3.11"),
        "runtime python3.11 differs from python3.12",
    ),
    Case(
        "region-parity",
        lambda f: f.set("api-eu-west-1-fn", "architectures", ["x86_64"]),
        'architectures ["x86_64"] differs from ["arm64"]',
    ),
    Case("region-parity", lambda f: f.set("api-eu-west-1-fn", "timeout", 30.0), "timeout 30 differs from 6"),
    Case(
        "region-parity",
        lambda f: f.set("api-eu-west-1-fn", "handler", "api.other.handler"),
        "handler api.other.handler differs",
    ),
    Case(
        "region-parity",
        lambda f: f.remove("api-eu-west-1-logs"),
        "RegionalBackend 'api-eu-west-1': (region eu-west-1) built from different resources than "
        "'api-us-east-1' in us-east-1: aws:cloudwatch/logGroup:LogGroup x0 (vs x1)",
    ),
    # -- IAM ------------------------------------------------------------------------------------
    Case(
        "lambda-role-no-wildcard-actions",
        lambda f: f.set("api-eu-west-1-access", "policy", policy_json({**ALLOW, "Action": ["dynamodb:*"]})),
        "aws:iam/rolePolicy:RolePolicy 'api-eu-west-1-access' in eu-west-1: its role policy of Lambda role "
        "'api-eu-west-1-role' allows dynamodb:*",
    ),
    Case(
        "lambda-role-no-wildcard-actions",
        lambda f: f.set("api-eu-west-1-access", "policy", policy_json({**ALLOW, "Action": "*"})),
        "allows *",
    ),
    Case(
        "lambda-role-no-wildcard-actions",
        lambda f: f.set("api-eu-west-1-access", "policy", {"Statement": {**ALLOW, "NotAction": "iam:*"}}),
        "allows NotAction ['iam:*']",
    ),
    Case(
        "lambda-role-no-wildcard-actions",
        lambda f: f.set(
            "api-us-east-1-role",
            "inlinePolicies",
            [{"name": "extra", "policy": policy_json({**ALLOW, "Action": ["s3:*"]})}],
        ),
        "inline policy 'extra' of Lambda role 'api-us-east-1-role' allows s3:*",
    ),
    Case(
        "lambda-role-no-wildcard-actions",
        lambda f: f.set("api-us-east-1-role", "managedPolicyArns", ["arn:aws:iam::aws:policy/AdministratorAccess"]),
        "managed policy arn:aws:iam::aws:policy/AdministratorAccess of Lambda role 'api-us-east-1-role' allows *",
    ),
    Case(
        "lambda-role-no-wildcard-actions",
        lambda f: f.new(
            "aws:iam/policy:Policy",
            "broad",
            "us-east-1",
            {"policy": policy_json({**ALLOW, "Action": "ssm:*"})},
            outputs={"arn": f"arn:aws:iam::{ACCOUNT}:policy/broad"},
        ).new(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "attach",
            "us-east-1",
            {"role": "api-us-east-1-role", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/broad"},
        ),
        "aws:iam/policy:Policy 'broad' in us-east-1: managed policy 'broad' of Lambda role 'api-us-east-1-role' "
        "allows ssm:*",
    ),
    Case(
        "lambda-role-no-wildcard-actions",
        lambda f: f.set(f"{EDGE_FN}-logs", "policy", policy_json({**ALLOW, "Action": "logs:*"})),
        "of Lambda role 'cloudfront-router-role' allows logs:*",
        front_door=CF,
    ),
    # -- API Gateway, certificates, ALB -----------------------------------------------------------
    Case(
        "apigateway-regional-custom-domain",
        lambda f: f.set("api-eu-west-1-apigateway-domain-main", "domainNameConfiguration.endpointType", "EDGE"),
        "aws:apigatewayv2/domainName:DomainName 'api-eu-west-1-apigateway-domain-main' in eu-west-1: "
        "domainNameConfiguration.endpointType is EDGE",
        front_door=R53,
        backend="apigateway",
    ),
    Case(
        "apigateway-regional-custom-domain",
        lambda f: f.set("api-eu-west-1-apigateway-domain-main", "domainNameConfiguration.securityPolicy", "TLS_1_0"),
        "securityPolicy is TLS_1_0",
        front_door=R53,
        backend="apigateway",
    ),
    Case(
        "apigateway-regional-custom-domain",
        lambda f: f.new(
            "aws:apigateway/domainName:DomainName",
            "rest-domain",
            "eu-west-1",
            {"domainName": DOMAIN, "certificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/x"},
        ),
        "endpointConfiguration.types is (not set: EDGE)",
        front_door=R53,
        backend="apigateway",
    ),
    Case(
        "regional-certificate-same-region",
        lambda f: f.set(
            "api-eu-west-1-apigateway-domain-main",
            "domainNameConfiguration.certificateArn",
            f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/us-east-1-cert",
        ),
        "domainNameConfiguration.certificateArn is a certificate in us-east-1",
        front_door=R53,
        backend="apigateway",
    ),
    Case(
        "regional-certificate-same-region",
        lambda f: f.set(
            "api-ap-southeast-1-alb-https",
            "certificateArn",
            f"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/eu-west-1-cert",
        ),
        "aws:lb/listener:Listener 'api-ap-southeast-1-alb-https' in ap-southeast-1: certificateArn is a certificate "
        "in eu-west-1",
    ),
    Case(
        "lambda-target-group-health-check",
        lambda f: f.drop("eu-west-1-tg", "healthCheck.enabled"),
        "aws:lb/targetGroup:TargetGroup 'eu-west-1-tg' in eu-west-1: the Lambda target group's "
        "healthCheck.enabled is (not set)",
    ),
    Case(
        "lambda-target-group-health-check",
        lambda f: f.set("eu-west-1-tg", "healthCheck.enabled", False),
        "healthCheck.enabled is false",
    ),
    Case(
        "lambda-target-group-health-check",
        lambda f: f.drop("eu-west-1-tg", "healthCheck.path"),
        "health check has no path",
    ),
    # -- front door choice ----------------------------------------------------------------------
    Case(
        "front-door-matches-config",
        lambda f: None,
        "front door(s) cloudfront are configured but not deployed",
        facts={"expectedFrontDoors": ["cloudfront"]},
    ),
    Case(
        "front-door-matches-config",
        lambda f: None,
        "aws:globalaccelerator/accelerator:Accelerator 'globalaccelerator': it is a globalaccelerator front door, "
        'but the configured front door(s) are ["route53"]',
        facts={"expectedFrontDoors": ["route53"]},
    ),
    Case(
        "front-door-matches-config",
        lambda f: f.remove("ab-cloudfront"),
        'the main name\'s weighted records are for ["globalaccelerator"] but the configured front doors are '
        '["cloudfront", "globalaccelerator"]',
        front_door={GA: 50, CF: 50},
    ),
    # -- Route 53 -------------------------------------------------------------------------------
    Case(
        "latency-record-health-checked",
        lambda f: f.drop("route53-eu-west-1-record", "healthCheckId").set(
            "route53-eu-west-1-record", "aliases[0].evaluateTargetHealth", False
        ),
        "aws:route53/record:Record 'route53-eu-west-1-record' in us-east-1: latency record api.example.com "
        "(set eu-west-1) has no healthCheckId and its alias has evaluateTargetHealth false",
        front_door=R53,
    ),
    Case(
        "latency-record-unique-set-identifier",
        lambda f: f.set("route53-eu-west-1-record", "setIdentifier", "us-east-1"),
        "2 latency records for api.example.com A share setIdentifier us-east-1",
        front_door=R53,
    ),
    Case(
        "latency-record-unique-set-identifier",
        lambda f: f.drop("route53-eu-west-1-record", "setIdentifier"),
        "latency record api.example.com has no setIdentifier",
        front_door=R53,
    ),
    Case(
        "dns-record-max-ttl",
        lambda f: (
            f.drop("route53-eu-west-1-record", "aliases")
            .set("route53-eu-west-1-record", "records", ["192.0.2.1"])
            .set("route53-eu-west-1-record", "ttl", 300.0)
        ),
        "routed record api.example.com has ttl 300",
        front_door=R53,
    ),
    Case(
        "dns-record-max-ttl",
        lambda f: f.drop("ab-cloudfront", "aliases").set("ab-cloudfront", "records", ["d111.cloudfront.net"]),
        "routed record api.example.com has ttl (not set)",
        front_door={GA: 50, CF: 50},
    ),
    Case(
        "health-check-checker-regions",
        lambda f: f.set("route53-eu-west-1", "regions", ["us-east-1"]),
        "aws:route53/healthCheck:HealthCheck 'route53-eu-west-1' in us-east-1: checks from 1 checker region(s)",
        front_door=R53,
    ),
    Case(
        "health-check-request-interval",
        lambda f: f.set("route53-eu-west-1", "requestInterval", 60.0),
        "requestInterval is 60; Route 53 checks every 10 (fast) or 30 seconds",
        front_door=R53,
    ),
    Case(
        "health-check-request-interval",
        lambda f: f.set("route53-eu-west-1", "failureThreshold", 11.0),
        "failureThreshold is 11; Route 53 accepts 1-10",
        front_door=R53,
    ),
    # -- Global Accelerator ---------------------------------------------------------------------
    Case(
        "ga-endpoint-group-per-region",
        lambda f: f.remove("globalaccelerator-eu-west-1"),
        "aws:globalaccelerator/listener:Listener 'globalaccelerator-tcp' in us-east-1: no endpoint group in eu-west-1",
    ),
    Case(
        "ga-endpoint-group-per-region",
        lambda f: f.set("globalaccelerator-ap-southeast-1", "endpointGroupRegion", "eu-west-1"),
        "listener 'globalaccelerator-tcp' has 2 endpoint groups in eu-west-1",
    ),
    Case(
        "ga-alb-endpoints-only",
        lambda f: f.set(
            "globalaccelerator-eu-west-1",
            "endpointConfigurations[0].endpointId",
            f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/net/nlb/0123",
        ),
        "aws:globalaccelerator/endpointGroup:EndpointGroup 'globalaccelerator-eu-west-1' in us-east-1: endpoint "
        f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/net/nlb/0123 is not an Application Load "
        "Balancer ARN",
    ),
    Case(
        "ga-alb-endpoints-only",
        lambda f: f.set("globalaccelerator-eu-west-1", "endpointConfigurations[0].endpointId", "eipalloc-0123"),
        "endpoint eipalloc-0123 is not an Application Load Balancer ARN",
    ),
    Case(
        "ga-alb-endpoints-only",
        lambda f: f.set(
            "globalaccelerator-eu-west-1",
            "endpointConfigurations[0].endpointId",
            f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/api/0123",
        ),
        "is an ALB in us-east-1, but the endpoint group is in eu-west-1",
    ),
    Case(
        "ga-alb-endpoints-only",
        lambda f: f.set("globalaccelerator-eu-west-1", "endpointConfigurations", []),
        "the endpoint group has no endpoints",
    ),
    Case(
        "ga-client-ip-preservation",
        lambda f: f.drop("globalaccelerator-eu-west-1", "endpointConfigurations[0].clientIpPreservationEnabled"),
        "has clientIpPreservationEnabled (not set), which the provider treats as false",
    ),
    # -- CloudFront and Lambda@Edge -------------------------------------------------------------
    Case(
        "cloudfront-certificate-us-east-1",
        lambda f: f.set(
            "cloudfront",
            "viewerCertificate.acmCertificateArn",
            f"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/eu-west-1-cert",
        ),
        "aws:cloudfront/distribution:Distribution 'cloudfront' in us-east-1: viewerCertificate.acmCertificateArn is "
        "a certificate in eu-west-1",
        front_door=CF,
    ),
    Case(
        "cloudfront-minimum-tls",
        lambda f: f.set("cloudfront", "viewerCertificate.minimumProtocolVersion", "TLSv1.1_2016"),
        "viewerCertificate.minimumProtocolVersion is TLSv1.1_2016",
        front_door=CF,
    ),
    Case(
        "cloudfront-minimum-tls",
        lambda f: f.drop("cloudfront", "viewerCertificate.minimumProtocolVersion"),
        "minimumProtocolVersion is (not set)",
        front_door=CF,
    ),
    Case(
        "cloudfront-viewer-https",
        lambda f: f.set("cloudfront", "defaultCacheBehavior.viewerProtocolPolicy", "allow-all"),
        "defaultCacheBehavior.viewerProtocolPolicy is allow-all",
        front_door=CF,
    ),
    Case(
        "edge-function-us-east-1",
        lambda f: f.move(EDGE_FN, "eu-west-1"),
        "aws:lambda/function:Function 'cloudfront-router' in eu-west-1: Lambda@Edge functions must be created in "
        "us-east-1 (found eu-west-1). Fix: build it with the us-east-1 provider (providers.edge).",
        front_door=CF,
    ),
    Case(
        "edge-function-us-east-1",
        lambda f: f.set(EDGE_FN, "region", "eu-west-1"),
        "must be created in us-east-1 (found eu-west-1)",
        front_door=CF,
    ),
    Case(
        "edge-function-published",
        lambda f: f.set(EDGE_FN, "publish", False),
        "publish is false; CloudFront can only associate a numbered version",
        front_door=CF,
    ),
    Case(
        "edge-function-published",
        lambda f: f.set(
            "cloudfront",
            "defaultCacheBehavior.lambdaFunctionAssociations[0].lambdaArn",
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:cloudfront-router:$LATEST",
        ),
        "cloudfront-router:$LATEST, which is not a numbered version",
        front_door=CF,
    ),
    Case(
        "edge-function-supported-config",
        lambda f: f.set(EDGE_FN, "environment", {"variables": {"HOME": "x"}}),
        "has environment variables (HOME); Lambda@Edge has none",
        front_door=CF,
    ),
    Case(
        "edge-function-supported-config",
        lambda f: f.set(EDGE_FN, "layers", ["arn:aws:lambda:us-east-1:017000801446:layer:x:1"]),
        "uses layers",
        front_door=CF,
    ),
    Case(
        "edge-function-supported-config",
        lambda f: f.set(EDGE_FN, "vpcConfig", {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]}),
        "is attached to a VPC",
        front_door=CF,
    ),
    Case(
        "edge-function-supported-config",
        lambda f: f.set(EDGE_FN, "architectures", ["arm64"]),
        "runs on arm64; Lambda@Edge supports x86_64 only",
        front_door=CF,
    ),
    Case(
        "edge-function-supported-config",
        lambda f: f.set(EDGE_FN, "runtime", "java21"),
        "runtime java21 is not supported at the edge",
        front_door=CF,
    ),
    Case(
        "edge-function-limits",
        lambda f: f.set(EDGE_FN, "timeout", 31.0),
        "timeout 31 s exceeds the 30 s limit of origin events (serves origin-request)",
        front_door=CF,
    ),
    Case(
        "edge-function-limits",
        lambda f: f.set(
            "cloudfront", "defaultCacheBehavior.lambdaFunctionAssociations[0].eventType", "viewer-request"
        ).set(EDGE_FN, "memorySize", 256.0),
        "memorySize 256 MB exceeds the 128 MB limit of viewer events (serves viewer-request)",
        front_door=CF,
    ),
    Case(
        "edge-function-limits",
        lambda f: f.set(
            "cloudfront", "defaultCacheBehavior.lambdaFunctionAssociations[0].eventType", "viewer-request"
        ).set(EDGE_FN, "timeout", 6.0),
        "timeout 6 s exceeds the 5 s limit of viewer events",
        front_door=CF,
    ),
    Case(
        "edge-function-role-trust",
        lambda f: f.set(
            EDGE_ROLE,
            "assumeRolePolicy",
            json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                        }
                    ]
                }
            ),
        ),
        "aws:iam/role:Role 'cloudfront-router-role' in us-east-1: is the role of edge function 'cloudfront-router' "
        "but its trust policy does not trust edgelambda.amazonaws.com",
        front_door=CF,
    ),
    # -- security: the front door cannot be bypassed, no plaintext hop ---------------------------------
    Case(
        "front-door-not-bypassable",
        lambda f: f.set("cloudfront", "origins[1].customHeaders", []),
        "aws:cloudfront/distribution:Distribution 'cloudfront' in us-east-1: origin eu-west-1 sends no "
        "x-origin-verify header",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set("cloudfront", "origins[0].vpcOriginConfig", {"vpcOriginId": "vo_123"}),
        "aws:cloudfront/distribution:Distribution 'cloudfront' in us-east-1: origin us-east-1 is a VPC origin, but "
        "VPC origins do not support Lambda@Edge origin-request triggers",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set(ACCEPT, "conditions", [{"pathPattern": {"values": ["*"]}}]),
        f"aws:lb/listenerRule:ListenerRule '{ACCEPT}' in eu-west-1: forwards requests without the x-origin-verify "
        "header (priority 11, ahead of the 403 rule)",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set(ACCEPT, "conditions[0].httpHeader.values", ["0rigin*"]),
        f"aws:lb/listenerRule:ListenerRule '{ACCEPT}' in eu-west-1: its x-origin-verify condition has a value with "
        "* or ?, which ALB treats as wildcards",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set(ACCEPT, "conditions[0].httpHeader.values", ["old-secret"]),
        f"aws:lb/listenerRule:ListenerRule '{ACCEPT}' in eu-west-1: forwards requests whose x-origin-verify is a "
        "value CloudFront does not send",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.remove(ACCEPT),
        "aws:lb/listener:Listener 'api-eu-west-1-alb-https' in eu-west-1: no rule ahead of the 403 "
        "('lockdown-eu-west-1-last' (priority 50000)) forwards requests carrying the x-origin-verify header",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set("lockdown-eu-west-1-last", "actions", [{"type": "forward", "targetGroupArn": "arn:aws:tg"}]),
        "aws:lb/listener:Listener 'api-eu-west-1-alb-https' in eu-west-1: requests without the x-origin-verify "
        'header still reach the API (default actions ["forward"], and no rule for every path answers 403)',
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set("lockdown-eu-west-1-last", "priority", 5.0),
        "no rule ahead of the 403 ('lockdown-eu-west-1-last' (priority 5)) forwards requests carrying the "
        "x-origin-verify header",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.new(
            "aws:lb/listenerRule:ListenerRule",
            "api-eu-west-1-alb-open",
            "eu-west-1",
            {
                "listenerArn": listener_arn("eu-west-1"),
                "priority": 49999.0,
                "conditions": [{"pathPattern": {"values": ["*"]}}],
                "actions": [{"type": "forward", "targetGroupArn": "arn:aws:tg"}],
            },
            deps={"listenerArn": ["api-eu-west-1-alb-https"]},
        ),
        "aws:lb/listenerRule:ListenerRule 'api-eu-west-1-alb-open' in eu-west-1: forwards requests without the "
        "x-origin-verify header (priority 49999, ahead of the 403 rule)",
        front_door={GA: 1, CF: 1},
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.new(
            INGRESS,
            "api-eu-west-1-alb-in-clients-443-v4",
            "eu-west-1",
            {"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrIpv4": "0.0.0.0/0"},
            deps={"securityGroupId": ["api-eu-west-1-alb-entry-sg"]},
        ),
        f"{INGRESS} 'api-eu-west-1-alb-in-clients-443-v4' in eu-west-1: admits 0.0.0.0/0 on port 443 of load "
        "balancer 'eu-west-1-alb', though no door sends clients to it directly",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set("api-eu-west-1-alb-in-ga-8443-v6", "toPort", 8444.0).set(
            "api-eu-west-1-alb-in-ga-8443-v6", "fromPort", 0.0
        ),
        f"{INGRESS} 'api-eu-west-1-alb-in-ga-8443-v6' in eu-west-1: admits ::/0 on port 443 of load balancer "
        "'eu-west-1-alb'",
        front_door={GA: 1, CF: 1},
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set(
            "api-eu-west-1-alb-entry-sg",
            "ingress",
            [{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["0.0.0.0/0"]}],
        ),
        "aws:ec2/securityGroup:SecurityGroup 'api-eu-west-1-alb-entry-sg' in eu-west-1: inline ingress on load "
        "balancer 'eu-west-1-alb' (ports 443-443 from 0.0.0.0/0), which opens served port 443",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.remove("api-eu-west-1-alb-in-cloudfront-443"),
        "aws:lb/loadBalancer:LoadBalancer 'eu-west-1-alb' in eu-west-1: no security group rule admits CloudFront's "
        "origin-facing prefix list on port 443",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set("eu-west-1-alb", "internal", True),
        "aws:lb/loadBalancer:LoadBalancer 'eu-west-1-alb' in eu-west-1: internal is true, but the doors are "
        "cloudfront alone",
        front_door=CF,
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.drop("api-eu-west-1-fn", "environment.variables.ORIGIN_SECRET_PATH"),
        "aws:lambda/function:Function 'api-eu-west-1-fn' in eu-west-1: the HTTP API's function serves every "
        "request (ORIGIN_SECRET_PATH is (not set))",
        front_door=CF,
        backend="apigateway",
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set("origin-v1-eu-west-1", "value", "old-secret"),
        "aws:lambda/function:Function 'api-eu-west-1-fn' in eu-west-1: no SSM parameter under ORIGIN_SECRET_PATH "
        "/global-serverless/test/origin-secret in eu-west-1 holds the origin secret CloudFront sends",
        front_door=CF,
        backend="apigateway",
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set("api-eu-west-1-fn", "environment.variables.ORIGIN_OPEN_HOSTS", f"{DOMAIN},eu-west-1.{DOMAIN}"),
        "aws:lambda/function:Function 'api-eu-west-1-fn' in eu-west-1: ORIGIN_OPEN_HOSTS lists "
        f"eu-west-1.{DOMAIN}, a name CloudFront fetches from",
        front_door=CF,
        backend="apigateway",
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.new(
            "aws:wafv2/webAcl:WebAcl",
            "waf-eu-west-1",
            "eu-west-1",
            {"scope": "REGIONAL", "rules": [rate_rule(scope_down(constraint="STARTS_WITH"))]},
        ),
        "aws:wafv2/webAcl:WebAcl 'waf-eu-west-1' in eu-west-1: rate rule rate-per-client-ip beside CloudFront must "
        "skip exactly the requests that carry the origin secret, but its positional constraint is STARTS_WITH",
        front_door={GA: 1, CF: 1},
    ),
    Case(
        "front-door-not-bypassable",
        lambda f: f.set("eu-west-1-alb", "internal", False),
        "aws:lb/loadBalancer:LoadBalancer 'eu-west-1-alb' in eu-west-1: internal is false though Global "
        "Accelerator is the only door",
    ),
    Case(
        "apigateway-default-endpoint-disabled",
        lambda f: f.set("api-eu-west-1-apigateway-api", "disableExecuteApiEndpoint", False),
        "aws:apigatewayv2/api:Api 'api-eu-west-1-apigateway-api' in eu-west-1: disableExecuteApiEndpoint is false "
        "although the API has a custom domain",
        backend="apigateway",
        front_door=R53,
    ),
    Case(
        "jwt-authorizer-on-write-routes",
        lambda f: f,  # the fixture's functions check no tokens: a stack with auth set would
        "aws:lambda/function:Function 'api-eu-west-1-fn' in eu-west-1: global-serverless:auth is set but the "
        "function checks no tokens (AUTH_ISSUER is (not set))",
        facts={"authIssuer": "https://issuer.example"},
    ),
    Case(
        "alarms-notify",
        lambda f: f.set("api-eu-west-1-5xx", "alarmActions", []),
        "aws:cloudwatch/metricAlarm:MetricAlarm 'api-eu-west-1-5xx' in eu-west-1: the alarm notifies nobody when it "
        "fires (no alarmActions). Fix: alarm_actions=[the region's alarm topic]",
    ),
    Case(
        "alarms-notify",
        lambda f: f.drop("api-eu-west-1-5xx", "okActions"),
        "aws:cloudwatch/metricAlarm:MetricAlarm 'api-eu-west-1-5xx' in eu-west-1: the alarm notifies nobody when it "
        "recovers (no okActions). Fix: ok_actions=[the region's alarm topic]",
    ),
    Case(
        "alarms-notify",
        lambda f: f.set("monitoring-replication-eu-west-1-latency", "okActions", []),
        "aws:cloudwatch/metricAlarm:MetricAlarm 'monitoring-replication-eu-west-1-latency' in eu-west-1: the alarm "
        "notifies nobody when it recovers (no okActions)",
    ),
    Case(
        "alarms-notify",
        lambda f: f.set("api-eu-west-1-5xx", "okActions", ["arn:aws:sns:us-east-1:123456789012:alarms-us-east-1"]),
        "okActions arn:aws:sns:us-east-1:123456789012:alarms-us-east-1 is a topic in us-east-1; CloudWatch only "
        "notifies topics in the alarm's own region",
    ),
    Case(
        "alarms-notify",
        lambda f: f.new(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "cloudfront-5xx-rate",
            "us-east-1",
            {"namespace": "AWS/CloudFront", "metricName": "5xxErrorRate", "alarmActions": [topic_arn("us-east-1")]},
        ),
        "aws:cloudwatch/metricAlarm:MetricAlarm 'cloudfront-5xx-rate' in us-east-1: the alarm notifies nobody when "
        "it recovers (no okActions)",
    ),
    Case(
        "service-trust-confused-deputy",
        lambda f: f.set(
            "probes-eu-west-1-scheduler", "assumeRolePolicy", json.dumps(bare_trust("scheduler.amazonaws.com"))
        ),
        "aws:iam/role:Role 'probes-eu-west-1-scheduler' in eu-west-1: the trust policy lets scheduler.amazonaws.com "
        "assume the role with no StringEquals aws:SourceAccount. Fix: add",
    ),
    Case(
        "service-trust-confused-deputy",
        lambda f: f.set(
            "probes-eu-west-1-scheduler",
            "assumeRolePolicy",
            json.dumps(
                scheduler_trust_with(
                    {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": GROUP_ARN}}
                )
            ),
        ),
        "no StringEquals aws:SourceAccount (only under StringEqualsIfExists, which holds when the key is absent)",
    ),
    Case(
        "service-trust-confused-deputy",
        lambda f: f.set(
            "probes-eu-west-1-scheduler",
            "assumeRolePolicy",
            json.dumps(scheduler_trust_with({"StringEquals": {"aws:SourceAccount": ACCOUNT}})),
        ),
        "aws:iam/role:Role 'probes-eu-west-1-scheduler' in eu-west-1: the trust policy lets scheduler.amazonaws.com "
        "assume the role with no aws:SourceArn condition",
    ),
    Case(
        "service-trust-confused-deputy",
        lambda f: f.set(
            "probes-eu-west-1-scheduler",
            "assumeRolePolicy",
            json.dumps(
                scheduler_trust_with(
                    {
                        "StringEquals": {"aws:SourceAccount": ACCOUNT},
                        "ArnLike": {"aws:SourceArn": f"arn:aws:scheduler:eu-west-1:{ACCOUNT}:schedule/default/probe"},
                    }
                )
            ),
        ),
        f"aws:SourceArn for scheduler.amazonaws.com is arn:aws:scheduler:eu-west-1:{ACCOUNT}:schedule/default/probe, "
        "not a schedule-group ARN",
    ),
    Case(
        "service-trust-confused-deputy",
        lambda f: f.set(
            "probes-eu-west-1-scheduler",
            "assumeRolePolicy",
            json.dumps(
                scheduler_trust_with(
                    {"StringEquals": {"aws:SourceAccount": "*"}, "ArnLike": {"aws:SourceArn": GROUP_ARN}}
                )
            ),
        ),
        "aws:SourceAccount for scheduler.amazonaws.com is *, not one 12-digit account id",
    ),
    Case(
        "service-trust-confused-deputy",
        lambda f: f.set(
            "probes-eu-west-1-scheduler",
            "assumeRolePolicy",
            json.dumps(
                scheduler_trust_with(
                    {
                        "StringEquals": {"aws:SourceAccount": ACCOUNT},
                        "ArnLike": {"aws:SourceArn": "arn:aws:scheduler:*:999999999999:schedule-group/*"},
                    }
                )
            ),
        ),
        "aws:SourceArn arn:aws:scheduler:*:999999999999:schedule-group/* is in account 999999999999 but "
        'aws:SourceAccount is ["123456789012"]',
    ),
    Case(
        "service-trust-confused-deputy",
        lambda f: f.new(
            "aws:iam/role:Role",
            "api-eu-west-1-gateway-logs",
            "eu-west-1",
            {"assumeRolePolicy": json.dumps(bare_trust("apigateway.amazonaws.com"))},
        ),
        "aws:iam/role:Role 'api-eu-west-1-gateway-logs' in eu-west-1: the trust policy lets apigateway.amazonaws.com "
        "assume the role and the pack does not know whether AWS documents",
    ),
    Case(
        "waf-attached-when-configured",
        lambda f: f,  # the fixture has no web ACLs: a stack with waf set would have them
        "aws:lb/loadBalancer:LoadBalancer 'eu-west-1-alb' in eu-west-1: global-serverless:waf is set and clients "
        "reach this load balancer directly, but no web ACL is associated with it",
        facts={"wafRateLimit": 2000},
    ),
    Case(
        "alb-access-logs-on",
        lambda f: f.set("eu-west-1-alb", "accessLogs", {"enabled": False, "bucket": ""}),
        "aws:lb/loadBalancer:LoadBalancer 'eu-west-1-alb' in eu-west-1: access logs are off (accessLogs.enabled false",
    ),
    Case(
        "alb-access-logs-on",
        lambda f: f.drop("eu-west-1-alb", "accessLogs"),
        "access logs are off (accessLogs.enabled (not set), bucket (not set))",
    ),
    Case(
        "no-plaintext-hop",
        lambda f: f.set("api-eu-west-1-alb-https", "protocol", "HTTP"),
        "aws:lb/listener:Listener 'api-eu-west-1-alb-https' in eu-west-1: the listener serves the API over plain HTTP",
    ),
    Case(
        "no-plaintext-hop",
        lambda f: f.set("cloudfront", "origins[2].customOriginConfig.originProtocolPolicy", "http-only"),
        "aws:cloudfront/distribution:Distribution 'cloudfront' in us-east-1: origin ap-southeast-1 is fetched with "
        "originProtocolPolicy http-only",
        front_door=CF,
    ),
    # More cases of the release policies: tests/policies/test_release_policies.py.
    Case(
        "entries-invoke-alias",
        lambda f: f.set(
            "api-eu-west-1-apigateway-lambda",
            "integrationUri",
            f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:api-eu-west-1-fn",
        ),
        "integrationUri is arn:aws:lambda:eu-west-1:123456789012:function:api-eu-west-1-fn: it invokes the "
        "unqualified function 'api-eu-west-1-fn' ($LATEST)",
        front_door="route53",
        backend="apigateway",
    ),
    Case(
        "cold-starts-on-versions",
        lambda f: f.set("api-eu-west-1-fn", "snapStart", {"applyOn": "PublishedVersions"}).set(
            "api-eu-west-1-fn", "publish", False
        ),
        "SnapStart applies on PublishedVersions but publish is false",
    ),
]


def _case_id(case: Case) -> str:
    return f"{case.policy}:{case.expected[:40]}"


@pytest.mark.parametrize("front_door, backend", COMBINATIONS, ids=[f"{f}-{b}" for f, b in COMBINATIONS])
def test_compliant_stacks_pass_every_policy(front_door, backend):
    assert compliant(front_door, backend).violations() == []


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_each_mutation_breaks_its_rule(case):
    violations = case.run()
    messages = [v.message for v in violations]
    assert any(case.expected in m for m in messages), f"expected {case.expected!r} in {messages}"
    for violation in violations:
        assert violation.policy == case.policy and violation.mandatory
        assert "Fix: " in violation.message
        # The message starts with the resource at fault (or "stack" for the stack as a whole).
        assert violation.message.startswith(violation.resource) or violation.message.startswith("stack:")


def test_a_direct_door_keeps_the_entries_public_by_design():
    """With route53 beside CloudFront the open rule and the world-open ingress are the design, not a bypass."""
    fixture = compliant({R53: 1, CF: 1}, "alb")
    assert fixture.get("api-eu-west-1-alb-open") and fixture.get("api-eu-west-1-alb-in-clients-443-v4")
    assert fixture.violations("front-door-not-bypassable") == []


def test_global_accelerators_port_may_be_open_to_everyone_beside_cloudfront():
    fixture = compliant({GA: 1, CF: 1}, "alb")
    assert fixture.get("api-eu-west-1-alb-in-ga-8443-v4").inputs["cidrIpv4"] == "0.0.0.0/0"
    assert fixture.get("lockdown-eu-west-1-last")
    assert fixture.violations("front-door-not-bypassable") == []


def test_the_previous_releases_origin_secrets_variable_may_stay_beside_the_path():
    fixture = compliant(CF, "apigateway")
    fixture.set("api-eu-west-1-fn", "environment.variables.ORIGIN_SECRETS", json.dumps([ORIGIN_SECRET]))
    assert fixture.violations("front-door-not-bypassable") == []


def test_a_regional_rate_rule_skipping_exactly_cloudfronts_secret_passes():
    fixture = compliant({GA: 1, CF: 1}, "alb")
    fixture.new(
        "aws:wafv2/webAcl:WebAcl",
        "waf-eu-west-1",
        "eu-west-1",
        {"scope": "REGIONAL", "rules": [rate_rule(scope_down())]},
    )
    assert fixture.violations("front-door-not-bypassable") == []
    fixture.set("waf-eu-west-1", "rules[0].statement.rateBasedStatement.scopeDownStatement", scope_down(value="other"))
    (violation,) = fixture.violations("front-door-not-bypassable")
    assert "its search string is not the secret CloudFront sends" in violation.message
    assert "other" not in violation.message.replace("others", "")  # secret values never appear in messages


def test_every_policy_has_a_failing_case():
    assert {p.name for p in ALL_POLICIES} == {case.policy for case in CASES}


def test_thresholds_come_from_pack_config():
    two_regions = compliant("globalaccelerator", "alb", regions=("us-east-1", "eu-west-1"))
    assert two_regions.violations("min-regions") == []
    [violation] = two_regions.violations("min-regions", file_config={"min-regions": {"minRegions": 3}})
    assert "needs at least 3" in violation.message

    routed = compliant("route53", "alb")
    routed.drop("route53-eu-west-1-record", "aliases").set("route53-eu-west-1-record", "ttl", 120.0)
    assert routed.violations("dns-record-max-ttl", file_config={"dns-record-max-ttl": {"maxTtlSeconds": 300}}) == []
    assert routed.violations("dns-record-max-ttl")  # default 60

    slow_viewer = compliant("cloudfront", "alb")
    slow_viewer.set("cloudfront", "defaultCacheBehavior.lambdaFunctionAssociations[0].eventType", "viewer-request")
    slow_viewer.set("cloudfront-router", "timeout", 5.0)
    assert slow_viewer.violations("edge-function-limits") == []
    assert slow_viewer.violations(
        "edge-function-limits", file_config={"edge-function-limits": {"viewerTimeoutSeconds": 3}}
    )


def test_levels_come_from_pack_config():
    fixture = compliant("globalaccelerator", "alb").set("items", "deletionProtectionEnabled", False)
    [advisory] = fixture.violations("table-deletion-protection", file_config={"table-deletion-protection": "advisory"})
    assert not advisory.mandatory
    assert fixture.violations("table-deletion-protection", file_config={"all": "disabled"}) == []
    [mandatory] = fixture.violations(
        "table-deletion-protection",
        file_config={"all": "advisory", "table-deletion-protection": {"enforcementLevel": "mandatory"}},
    )
    assert mandatory.mandatory


def test_without_expected_config_the_stack_itself_is_the_reference():
    # The pack run without stack facts still compares replicas with the regions that have backends.
    fixture = compliant("globalaccelerator", "alb").drop("items", "replicas[1]")
    [violation] = fixture.violations("table-replica-regions", facts={})
    assert "no replica in ap-southeast-1" in violation.message
    assert compliant("route53", "alb").violations(facts={}) == []


def test_missing_health_check_or_replica_in_a_hand_made_set_fails():
    no_check = compliant("route53", "apigateway")
    no_check.remove("route53-ap-southeast-1").drop("route53-ap-southeast-1-record", "healthCheckId")
    no_check.set("route53-ap-southeast-1-record", "aliases[0].evaluateTargetHealth", False)
    assert [v.policy for v in no_check.violations() if v.mandatory] == ["latency-record-health-checked"]

    no_replica = compliant("globalaccelerator", "alb").drop("items", "replicas[0]")
    assert [v.policy for v in no_replica.violations() if v.mandatory] == ["table-replica-regions"]


def test_lambda_and_edge_execution_roles_need_no_source_keys():
    """AWS documents no aws:SourceAccount/aws:SourceArn for lambda/edgelambda trust: neither required nor refused."""
    fixture = compliant(CF, "alb")
    assert "Condition" not in json.loads(fixture.get(EDGE_ROLE).inputs["assumeRolePolicy"])["Statement"][0]
    assert fixture.violations("service-trust-confused-deputy") == []
    conditioned = bare_trust("lambda.amazonaws.com")
    conditioned["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    fixture.set("api-eu-west-1-role", "assumeRolePolicy", json.dumps(conditioned))
    assert fixture.violations("service-trust-confused-deputy") == []


def test_schedulers_documented_wildcard_group_and_any_key_case_pass():
    """AWS's own example (any region, any group of the account) passes; condition keys are case-insensitive."""
    fixture = compliant()
    trust = scheduler_trust_with(
        {
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:sourcearn": f"arn:aws:scheduler:*:{ACCOUNT}:schedule-group/*"},
        }
    )
    fixture.set("probes-eu-west-1-scheduler", "assumeRolePolicy", json.dumps(trust))
    assert fixture.violations("service-trust-confused-deputy") == []
