"""Hand-made resource sets shaped like the program's (providers, components, property dependencies).

`compliant(front_door, backend)` builds a stack every policy accepts; tests mutate one property or
resource at a time and expect exactly the rule about it to fire. Props are camelCase and numbers are
floats, as the engine sends them. Independent of the program on purpose: the policies are specified
here, the whole-program tests (test_checker.py) show the program meets them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from offline.engine.policy_engine import Violation, evaluate, resolve_pack_config
from offline.engine.run import CapturedResource
from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, POLICIES_BY_NAME

STACK, PROJECT = "test", "global-serverless"
ACCOUNT = "123456789012"
ZONE_ID = "Z0MOCKHOSTEDZONE"
DOMAIN = "api.example.com"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")
CHECKER_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
BACKEND_COMPONENT = "global-serverless:components:RegionalBackend"

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
EDGE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}

SCHEDULE_GROUP = "default"


def scheduler_trust(region: str, account: str = ACCOUNT, group: str = SCHEDULE_GROUP) -> dict:
    """components/observability/probes.py scheduler_trust: only this account's schedules in this region's group."""
    source = f"arn:aws:scheduler:{region}:{account}:schedule-group/{group}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}, "ArnLike": {"aws:SourceArn": source}},
            }
        ],
    }


ORIGIN_SECRET = "0riginSecretFromRandomPassword0000000000"
ORIGIN_SECRET_VERSION = 1
ORIGIN_SECRET_PATH = f"/{PROJECT}/{STACK}/origin-secret"
SECRET_SIG_KEY, SECRET_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_}::{name}"


@dataclass
class Fixture:
    builder: _Builder
    home_region: str = "us-east-1"
    regions: tuple[str, ...] = REGIONS
    strategies: tuple[str, ...] = ("globalaccelerator",)
    extra_facts: dict = field(default_factory=dict)

    @property
    def resources(self) -> list[CapturedResource]:
        return self.builder.resources

    # -- lookup and mutation (inputs and outputs together, as a changed program would produce) --

    def get(self, name: str) -> CapturedResource:
        """The custom resource named `name` (components may share their child's name, like the program's)."""
        matches = [r for r in self.resources if r.name == name and r.custom]
        assert len(matches) == 1, f"{len(matches)} resources named {name!r}"
        return matches[0]

    def set(self, name: str, path: str, value: Any) -> Fixture:
        resource = self.get(name)
        for props in (resource.inputs, resource.state):
            _assign(props, path, value)
        return self

    def drop(self, name: str, path: str) -> Fixture:
        resource = self.get(name)
        for props in (resource.inputs, resource.state):
            _assign(props, path, _DELETE)
        return self

    def remove(self, *names: str) -> Fixture:
        missing = set(names) - {r.name for r in self.resources if r.custom}
        assert not missing, f"no resources named {sorted(missing)}"
        self.resources[:] = [r for r in self.resources if not (r.custom and r.name in names)]
        return self

    def new(
        self,
        type_: str,
        name: str,
        region: str,
        props: dict,
        outputs: Optional[dict] = None,
        deps: Optional[dict[str, Iterable[str]]] = None,
    ) -> Fixture:
        """Add a resource; `deps` maps a property to the names of the resources feeding it."""
        self.builder.resource(
            type_,
            name,
            region,
            props,
            outputs=outputs,
            deps={k: [self.get(n) for n in v] for k, v in (deps or {}).items()},
        )
        return self

    def move(self, name: str, region: str) -> Fixture:
        """Register a resource with another region's provider."""
        provider = self.builder.provider(region)
        resource = self.get(name)
        resource.provider = f"{provider.urn}::{provider.id}"
        resource.region = region
        return self

    def copy(self) -> Fixture:
        return copy.deepcopy(self)

    # -- running policies ------------------------------------------------------------------------

    def facts(self) -> dict:
        return {
            "expectedRegions": list(self.regions),
            "homeRegion": self.home_region,
            "expectedFrontDoors": sorted(self.strategies),
            **self.extra_facts,
        }

    def violations(
        self, *policy_names: str, file_config: Optional[dict] = None, facts: Optional[dict] = None
    ) -> list[Violation]:
        policies = [POLICIES_BY_NAME[n] for n in policy_names] if policy_names else ALL_POLICIES
        config = resolve_pack_config(
            ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, file_config, self.facts() if facts is None else facts
        )
        return evaluate(policies, self.resources, config, home_region=self.home_region)


_DELETE = object()


def _assign(props: dict, path: str, value: Any) -> None:
    """Set `a.b[0].c` in a nested dict/list structure (creating dicts on the way)."""
    keys = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        if name:
            keys.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            keys.append(int(index))
            rest = rest.lstrip("[")
    target = props
    for key in keys[:-1]:
        if isinstance(key, str) and key not in target:
            target[key] = {}
        target = target[key]
    last = keys[-1]
    if value is _DELETE:
        if isinstance(target, dict):
            target.pop(last, None)
        else:
            del target[last]
    else:
        target[last] = value


# ---------------------------------------------------------------------------------------------
# Building blocks.


class _Builder:
    def __init__(self, home_region: str):
        self.home_region = home_region
        self.resources: list[CapturedResource] = []
        self.providers: dict[str, CapturedResource] = {}

    def get(self, name: str) -> CapturedResource:
        (resource,) = [r for r in self.resources if r.name == name and r.custom]
        return resource

    def provider(self, region: str) -> CapturedResource:
        if region not in self.providers:
            name = f"aws-{region}"
            provider = CapturedResource(
                urn=urn("pulumi:providers:aws", name),
                type="pulumi:providers:aws",
                name=name,
                id=f"{name}-id",
                inputs={"region": region},
                state={"region": region},
                region=region,
                custom=True,
                parent=None,
                provider=None,
            )
            self.resources.append(provider)
            self.providers[region] = provider
        return self.providers[region]

    def component(self, type_: str, name: str, parent: Optional[CapturedResource] = None) -> CapturedResource:
        resource = CapturedResource(
            urn=urn(type_, name),
            type=type_,
            name=name,
            id=None,
            inputs={},
            state={},
            region=self.home_region,
            custom=False,
            parent=parent.urn if parent else None,
            provider=None,
        )
        self.resources.append(resource)
        return resource

    def resource(
        self,
        type_: str,
        name: str,
        region: str,
        props: dict,
        parent: Optional[CapturedResource] = None,
        outputs: Optional[dict] = None,
        deps: Optional[dict[str, Iterable[CapturedResource]]] = None,
    ) -> CapturedResource:
        provider = self.provider(region)
        property_dependencies = {key: [d.urn for d in values] for key, values in (deps or {}).items()}
        resource = CapturedResource(
            urn=urn(type_, name),
            type=type_,
            name=name,
            id=f"{name}-id",
            inputs=copy.deepcopy(props),
            state={**copy.deepcopy(props), **(outputs or {})},
            region=region,
            custom=True,
            parent=parent.urn if parent else None,
            provider=f"{provider.urn}::{provider.id}",
            dependencies=sorted({u for urns in property_dependencies.values() for u in urns}),
            property_dependencies=property_dependencies,
        )
        self.resources.append(resource)
        return resource


def _arn(service: str, region: str, rest: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{rest}"


def certificate_arn(region: str) -> str:
    return _arn("acm", region, f"certificate/{region}-cert")


def _target_group_arn(name: str, region: str) -> str:
    return _arn("elasticloadbalancing", region, f"targetgroup/{name}/0a")


def listener_arn(region: str) -> str:
    return _arn("elasticloadbalancing", region, "listener/app/api/0a/443")


def alb_arn(region: str) -> str:
    return _arn("elasticloadbalancing", region, f"loadbalancer/app/api-{region}-lb/0123456789abcdef")


def _table(b: _Builder, regions: tuple[str, ...], home: str) -> None:
    parent = b.component("global-serverless:components:GlobalTable", "items")
    b.resource(
        "aws:dynamodb/table:Table",
        "items",
        home,
        {
            "name": "global-serverless-test-items",
            "billingMode": "PAY_PER_REQUEST",
            "hashKey": "id",
            "attributes": [{"name": "id", "type": "S"}],
            "streamEnabled": True,
            "streamViewType": "NEW_AND_OLD_IMAGES",
            "pointInTimeRecovery": {"enabled": True},
            "deletionProtectionEnabled": True,
            "serverSideEncryption": {"enabled": True},
            "replicas": [
                {"regionName": r, "pointInTimeRecovery": True, "deletionProtectionEnabled": True, "propagateTags": True}
                for r in regions
                if r != home
            ],
        },
        parent=parent,
        outputs={"arn": _arn("dynamodb", home, "table/global-serverless-test-items")},
    )


def _certificates(b: _Builder, regions: Iterable[str]) -> dict[str, CapturedResource]:
    parent = b.component("global-serverless:components:DomainCertificates", "tls")
    return {
        region: b.resource(
            "aws:acm/certificate:Certificate",
            f"tls-{region}",
            region,
            {"domainName": DOMAIN, "subjectAlternativeNames": [f"*.{DOMAIN}"], "validationMethod": "DNS"},
            parent=parent,
            outputs={"arn": certificate_arn(region)},
        )
        for region in regions
    }


def _backend(b: _Builder, region: str, backend: str, certificate: CapturedResource) -> None:
    name = f"api-{region}"
    parent = b.component(BACKEND_COMPONENT, name)
    b.resource(
        "aws:cloudwatch/logGroup:LogGroup",
        f"{name}-logs",
        region,
        {"retentionInDays": 30.0},
        parent=parent,
        outputs={"arn": _arn("logs", region, f"log-group:{name}")},
    )
    role = b.resource(
        "aws:iam/role:Role",
        f"{name}-role",
        region,
        {"assumeRolePolicy": json.dumps(LAMBDA_TRUST)},
        parent=parent,
        outputs={"arn": f"arn:aws:iam::{ACCOUNT}:role/{name}-role", "name": f"{name}-role"},
    )
    b.resource(
        "aws:iam/rolePolicy:RolePolicy",
        f"{name}-access",
        region,
        {
            "role": f"{name}-role",
            "policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
                            "Resource": _arn("dynamodb", region, "table/global-serverless-test-items"),
                        },
                        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
                    ],
                }
            ),
        },
        parent=parent,
        deps={"role": [role]},
    )
    function = b.resource(
        "aws:lambda/function:Function",
        f"{name}-fn",
        region,
        {
            "runtime": "python3.12",
            "architectures": ["arm64"],
            "handler": "api.handler.handler",
            "memorySize": 512.0,
            "timeout": 6.0,
            "role": f"arn:aws:iam::{ACCOUNT}:role/{name}-role",
            "environment": {"variables": {"TABLE_NAME": "global-serverless-test-items"}},
            "layers": [_arn("lambda", region, "layer:powertools:1")],
            "publish": True,
        },
        parent=parent,
        outputs={"arn": _arn("lambda", region, f"function:{name}-fn"), "version": "1"},
        deps={"role": [role]},
    )
    # What the entries invoke (components/regional/release.py): the function's `live` alias.
    alias = b.resource(
        "aws:lambda/alias:Alias",
        f"{name}-live",
        region,
        {"name": "live", "functionName": f"{name}-fn", "functionVersion": "1"},
        parent=parent,
        outputs={"arn": _arn("lambda", region, f"function:{name}-fn:live")},
        deps={"functionName": [function], "functionVersion": [function]},
    )
    if backend == "alb":
        _alb(b, name, region, parent, alias, certificate)
    else:
        _http_api(b, name, region, parent, alias, certificate)


def _alb(b: _Builder, name: str, region: str, parent, function, certificate) -> None:
    entry = b.component("global-serverless:components:AlbEntry", f"{name}-alb", parent=parent)
    # Two groups without inline ingress: clients and Global Accelerator, and CloudFront's prefix list
    # (rule resources per door: _exposure).
    groups = [
        b.resource(
            "aws:ec2/securityGroup:SecurityGroup",
            f"{name}-alb-{kind}-sg",
            region,
            {"vpcId": f"{name}-alb-vpc-id", "description": f"API load balancer: {kind}"},
            parent=entry,
        )
        for kind in ("entry", "cloudfront")
    ]
    lb = b.resource(
        "aws:lb/loadBalancer:LoadBalancer",
        f"{region}-alb",
        region,
        {
            "loadBalancerType": "application",
            "internal": False,
            "securityGroups": [f"{g.name}-id" for g in groups],
            "accessLogs": {"bucket": f"{name}-alb-logs-0a1b2c3", "enabled": True},
        },
        parent=entry,
        outputs={"arn": alb_arn(region), "dnsName": f"{name}.{region}.elb.amazonaws.com"},
        deps={"securityGroups": groups},
    )
    b.resource(
        "aws:lb/targetGroup:TargetGroup",
        f"{region}-tg",
        region,
        {
            "targetType": "lambda",
            "healthCheck": {
                "enabled": True,
                "path": "/health",
                "interval": 30.0,
                "timeout": 5.0,
                "healthyThreshold": 2.0,
                "unhealthyThreshold": 3.0,
                "matcher": "200",
            },
        },
        parent=entry,
        outputs={"arn": _target_group_arn(name, region)},
    )
    b.resource(
        "aws:lb/listener:Listener",
        f"{name}-alb-https",
        region,
        {
            "loadBalancerArn": alb_arn(region),
            "port": 443.0,
            "protocol": "HTTPS",
            "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificateArn": certificate_arn(region),
            "defaultActions": [{"type": "forward", "targetGroupArn": _target_group_arn(name, region)}],
        },
        parent=entry,
        outputs={"arn": listener_arn(region)},
        deps={"certificateArn": [certificate], "loadBalancerArn": [lb]},
    )


def _http_api(b: _Builder, name: str, region: str, parent, alias, certificate) -> None:
    entry = b.component("global-serverless:components:HttpApiEntry", f"{name}-apigateway", parent=parent)
    b.resource(
        "aws:apigatewayv2/api:Api",
        f"{name}-apigateway-api",
        region,
        {"protocolType": "HTTP", "disableExecuteApiEndpoint": True},
        parent=entry,
        outputs={"apiEndpoint": f"https://{name}.execute-api.{region}.amazonaws.com"},
    )
    b.resource(
        "aws:apigatewayv2/integration:Integration",
        f"{name}-apigateway-lambda",
        region,
        {
            "integrationType": "AWS_PROXY",
            "integrationUri": _arn("lambda", region, f"function:{name}-fn:live"),
            "payloadFormatVersion": "2.0",
        },
        parent=entry,
        deps={"integrationUri": [alias]},
    )
    for label, host in (("main", DOMAIN), (region, f"{region}.{DOMAIN}")):
        b.resource(
            "aws:apigatewayv2/domainName:DomainName",
            f"{name}-apigateway-domain-{label}",
            region,
            {
                "domainName": host,
                "domainNameConfiguration": {
                    "certificateArn": certificate_arn(region),
                    "endpointType": "REGIONAL",
                    "securityPolicy": "TLS_1_2",
                },
            },
            parent=entry,
            deps={"domainNameConfiguration": [certificate]},
        )


# ---------------------------------------------------------------------------------------------
# Front doors.


def _route53(b: _Builder, regions: tuple[str, ...], hostname: str = DOMAIN, name: str = "route53") -> None:
    parent = b.component("global-serverless:components:Route53LatencyFrontDoor", name)
    for region in regions:
        check = b.resource(
            "aws:route53/healthCheck:HealthCheck",
            f"{name}-{region}",
            b.home_region,
            {
                "type": "HTTPS",
                "fqdn": f"{region}.{DOMAIN}",
                "port": 443.0,
                "resourcePath": "/health",
                "requestInterval": 30.0,
                "failureThreshold": 3.0,
                "regions": list(CHECKER_REGIONS),
                "enableSni": True,
            },
            parent=parent,
        )
        b.resource(
            "aws:route53/record:Record",
            f"{name}-{region}-record",
            b.home_region,
            {
                "zoneId": ZONE_ID,
                "name": hostname,
                "type": "A",
                "setIdentifier": region,
                "latencyRoutingPolicies": [{"region": region}],
                "aliases": [
                    {
                        "name": f"d-{region}.execute-api.{region}.amazonaws.com",
                        "zoneId": "ZAPI",
                        "evaluateTargetHealth": True,
                    }
                ],
                "healthCheckId": f"{name}-{region}-id",
            },
            parent=parent,
            deps={"healthCheckId": [check]},
        )


def _global_accelerator(b: _Builder, regions: tuple[str, ...], name: str = "globalaccelerator") -> None:
    parent = b.component("global-serverless:components:GlobalAcceleratorFrontDoor", name)
    accelerator_arn = f"arn:aws:globalaccelerator::{ACCOUNT}:accelerator/ga"
    accelerator = b.resource(
        "aws:globalaccelerator/accelerator:Accelerator",
        name,
        b.home_region,
        {"ipAddressType": "IPV4", "enabled": True},
        parent=parent,
        outputs={"arn": accelerator_arn},
    )
    listener_arn = f"{accelerator_arn}/listener/tcp"
    listener = b.resource(
        "aws:globalaccelerator/listener:Listener",
        f"{name}-tcp",
        b.home_region,
        {"acceleratorArn": accelerator_arn, "protocol": "TCP", "portRanges": [{"fromPort": 443.0, "toPort": 443.0}]},
        parent=parent,
        outputs={"arn": listener_arn},
        deps={"acceleratorArn": [accelerator]},
    )
    for region in regions:
        b.resource(
            "aws:globalaccelerator/endpointGroup:EndpointGroup",
            f"{name}-{region}",
            b.home_region,
            {
                "listenerArn": listener_arn,
                "endpointGroupRegion": region,
                "trafficDialPercentage": 100.0,
                "endpointConfigurations": [
                    {"endpointId": alb_arn(region), "clientIpPreservationEnabled": True, "weight": 128.0}
                ],
            },
            parent=parent,
            deps={"listenerArn": [listener]},
        )


def _cloudfront(b: _Builder, regions: tuple[str, ...], certificate: CapturedResource, name: str = "cloudfront") -> None:
    parent = b.component("global-serverless:components:CloudFrontEdgeFrontDoor", name)
    role = b.resource(
        "aws:iam/role:Role",
        f"{name}-router-role",
        "us-east-1",
        {"assumeRolePolicy": json.dumps(EDGE_TRUST)},
        parent=parent,
        outputs={"arn": f"arn:aws:iam::{ACCOUNT}:role/{name}-router-role", "name": f"{name}-router-role"},
    )
    function_arn = _arn("lambda", "us-east-1", f"function:{name}-router")
    function = b.resource(
        "aws:lambda/function:Function",
        f"{name}-router",
        "us-east-1",
        {
            "runtime": "python3.12",
            "architectures": ["x86_64"],
            "handler": "edge.handler.handler",
            "memorySize": 128.0,
            "timeout": 5.0,
            "role": f"arn:aws:iam::{ACCOUNT}:role/{name}-router-role",
            "publish": True,
            "skipDestroy": True,
        },
        parent=parent,
        outputs={"arn": function_arn, "qualifiedArn": f"{function_arn}:1", "version": "1"},
        deps={"role": [role]},
    )
    b.resource(
        "aws:iam/rolePolicy:RolePolicy",
        f"{name}-router-logs",
        "us-east-1",
        {
            "role": f"{name}-router-role",
            "policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": f"arn:aws:logs:*:{ACCOUNT}:log-group:/aws/lambda/us-east-1.{name}-router*",
                        }
                    ],
                }
            ),
        },
        parent=parent,
        deps={"role": [role], "policy": [function]},
    )
    b.resource(
        "aws:cloudfront/distribution:Distribution",
        name,
        "us-east-1",
        {
            "enabled": True,
            "aliases": [DOMAIN],
            "origins": [
                {
                    "originId": r,
                    "domainName": f"{r}.{DOMAIN}",
                    "customHeaders": [{"name": "x-origin-verify", "value": ORIGIN_SECRET}],
                    "customOriginConfig": {
                        "originProtocolPolicy": "https-only",
                        "httpPort": 80.0,
                        "httpsPort": 443.0,
                        "originSslProtocols": ["TLSv1.2"],
                    },
                }
                for r in regions
            ],
            "defaultCacheBehavior": {
                "targetOriginId": regions[0],
                "viewerProtocolPolicy": "https-only",
                "allowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                "cachedMethods": ["GET", "HEAD"],
                "lambdaFunctionAssociations": [
                    {"eventType": "origin-request", "lambdaArn": f"{function_arn}:1", "includeBody": True}
                ],
            },
            "viewerCertificate": {
                "acmCertificateArn": certificate_arn("us-east-1"),
                "sslSupportMethod": "sni-only",
                "minimumProtocolVersion": "TLSv1.2_2021",
            },
            "restrictions": {"geoRestriction": {"restrictionType": "none"}},
        },
        parent=parent,
        outputs={"domainName": "d111.cloudfront.net"},
        deps={"defaultCacheBehavior": [function], "viewerCertificate": [certificate]},
    )


def _group_rule(b: _Builder, name: str, region: str, group: CapturedResource, port: float, source: dict) -> None:
    b.resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name,
        region,
        {"securityGroupId": f"{group.name}-id", "ipProtocol": "tcp", "fromPort": port, "toPort": port, **source},
        deps={"securityGroupId": [group]},
    )


def _exposure(b: _Builder, region: str, strategies: tuple[str, ...]) -> None:
    """What components/regional/entries/alb.py adds per door set (components/security/exposure.py): ingress rule resources,
    the accept rule per secret version, the open rule with a direct door, the 403 rule when locked."""
    entry = f"api-{region}-alb"
    listener = b.get(f"{entry}-https")
    balancer = b.get(f"{region}-alb")
    target_group = listener.inputs["defaultActions"][0]["targetGroupArn"]
    clients, edge = b.get(f"{entry}-entry-sg"), b.get(f"{entry}-cloudfront-sg")
    direct = "route53" in strategies
    locked = "cloudfront" in strategies and not direct
    world = (("v4", {"cidrIpv4": "0.0.0.0/0"}), ("v6", {"cidrIpv6": "::/0"}))
    if direct:
        for port in (80.0, 443.0):
            for family, source in world:
                _group_rule(b, f"{entry}-in-clients-{port:.0f}-{family}", region, clients, port, source)
    if "globalaccelerator" in strategies:
        for family, source in world:
            _group_rule(b, f"{entry}-in-ga-8443-{family}", region, clients, 8443.0, source)
        b.resource(
            "aws:lb/listener:Listener",
            f"{entry}-ga",
            region,
            {
                "loadBalancerArn": alb_arn(region),
                "port": 8443.0,
                "protocol": "HTTPS",
                "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "certificateArn": certificate_arn(region),
                "defaultActions": [{"type": "forward", "targetGroupArn": target_group}],
            },
            parent=balancer,
            outputs={"arn": listener_arn(region).replace("/443", "/8443")},
            deps={"loadBalancerArn": [balancer]},
        )
    if locked:
        _group_rule(b, f"{entry}-in-cloudfront-443", region, edge, 443.0, {"prefixListId": "pl-3b927c52"})
    forward = [{"type": "forward", "targetGroupArn": target_group}]
    if "cloudfront" in strategies:
        b.resource(
            "aws:lb/listenerRule:ListenerRule",
            f"{entry}-from-cloudfront-v{ORIGIN_SECRET_VERSION}",
            region,
            {
                "listenerArn": listener_arn(region),
                "priority": 10.0 + ORIGIN_SECRET_VERSION,
                "conditions": [{"httpHeader": {"httpHeaderName": "x-origin-verify", "values": [ORIGIN_SECRET]}}],
                "actions": forward,
            },
            deps={"listenerArn": [listener]},
        )
    if direct:
        b.resource(
            "aws:lb/listenerRule:ListenerRule",
            f"{entry}-open",
            region,
            {
                "listenerArn": listener_arn(region),
                "priority": 49999.0,
                "conditions": [{"pathPattern": {"values": ["*"]}}],
                "actions": forward,
            },
            deps={"listenerArn": [listener]},
        )
    if locked:
        b.resource(
            "aws:lb/listenerRule:ListenerRule",
            f"lockdown-{region}-last",
            region,
            {
                "listenerArn": listener_arn(region),
                "priority": 50000.0,
                "conditions": [{"pathPattern": {"values": ["*"]}}],
                "actions": [
                    {
                        "type": "fixed-response",
                        "fixedResponse": {"contentType": "application/json", "statusCode": "403"},
                    }
                ],
            },
            deps={"listenerArn": [listener]},
        )


def _origin_guard(b: _Builder, region: str) -> None:
    """Behind CloudFront alone an HTTP API's function reads the accepted secrets under ORIGIN_SECRET_PATH
    (components/security/origin_secret.py): one SecureString parameter per region and version."""
    function = b.get(f"api-{region}-fn")
    for props in (function.inputs, function.state):
        props["environment"]["variables"].update(
            {
                "ORIGIN_SECRET_PATH": ORIGIN_SECRET_PATH,
                "ORIGIN_OPEN_HOSTS": f"{DOMAIN},globalaccelerator.{DOMAIN},route53.{DOMAIN}",
            }
        )
    b.resource(
        "aws:ssm/parameter:Parameter",
        f"origin-v{ORIGIN_SECRET_VERSION}-{region}",
        region,
        {
            "name": f"{ORIGIN_SECRET_PATH}/v{ORIGIN_SECRET_VERSION}",
            "type": "SecureString",
            "tier": "Standard",
            # The engine sends secrets in Pulumi's wire format (policies.common.reveal reads through it).
            "value": {SECRET_SIG_KEY: SECRET_SIG, "value": ORIGIN_SECRET},
        },
    )


def _weighted_split(b: _Builder, weights: dict[str, int]) -> None:
    parent = b.component("global-serverless:components:WeightedSplit", "ab")
    for strategy, weight in weights.items():
        b.resource(
            "aws:route53/record:Record",
            f"ab-{strategy}",
            b.home_region,
            {
                "zoneId": ZONE_ID,
                "name": DOMAIN,
                "type": "A",
                "setIdentifier": strategy,
                "weightedRoutingPolicies": [{"weight": float(weight)}],
                "aliases": [{"name": f"{strategy}.{DOMAIN}", "zoneId": ZONE_ID, "evaluateTargetHealth": True}],
            },
            parent=parent,
        )


def topic_arn(region: str) -> str:
    return _arn("sns", region, f"alarms-{region}")


def _monitoring(b: _Builder, region: str) -> None:
    """Per region, as the program builds them: the probes' Scheduler role and a metric and a query alarm."""
    b.resource(
        "aws:iam/role:Role",
        f"probes-{region}-scheduler",
        region,
        {"assumeRolePolicy": json.dumps(scheduler_trust(region))},
        outputs={"arn": f"arn:aws:iam::{ACCOUNT}:role/probes-{region}-scheduler"},
    )
    actions = {"alarmActions": [topic_arn(region)], "okActions": [topic_arn(region)]}
    b.resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        f"api-{region}-5xx",
        region,
        {"namespace": "AWS/ApplicationELB", "metricName": "HTTPCode_Target_5XX_Count", **actions},
    )
    query = 'SELECT AVG(ReplicationLatency) FROM SCHEMA("AWS/DynamoDB", ReceivingRegion, TableName) GROUP BY ReceivingRegion'
    b.resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        f"monitoring-replication-{region}-latency",
        region,
        {"metricQueries": [{"id": "q1", "expression": query, "period": 300.0, "returnData": True}], **actions},
    )


def compliant(
    front_door: Any = "globalaccelerator",
    backend: str = "alb",
    regions: tuple[str, ...] = REGIONS,
    home: Optional[str] = None,
) -> Fixture:
    """A stack every policy accepts. `front_door` is a strategy or an A/B map {strategy: weight}."""
    home = home or regions[0]
    weights = front_door if isinstance(front_door, dict) else {}
    strategies = tuple(weights) if weights else (front_door,)
    b = _Builder(home)
    for region in regions:
        b.provider(region)
    _table(b, regions, home)
    certificate_regions = list(regions) + (
        ["us-east-1"] if "cloudfront" in strategies and "us-east-1" not in regions else []
    )
    certificates = _certificates(b, certificate_regions)
    for region in regions:
        _backend(b, region, backend, certificates[region])
    for strategy in strategies:
        if strategy == "route53":
            _route53(b, regions, hostname=f"route53.{DOMAIN}" if weights else DOMAIN)
        elif strategy == "globalaccelerator":
            _global_accelerator(b, regions)
        else:
            _cloudfront(b, regions, certificates["us-east-1"])
    if weights:
        _weighted_split(b, weights)
    for region in regions:
        _monitoring(b, region)
    for region in regions:
        if backend == "alb":
            _exposure(b, region, strategies)
        elif strategies == ("cloudfront",):
            _origin_guard(b, region)
    fixture = Fixture(builder=b, home_region=home, regions=tuple(regions), strategies=strategies)
    if backend == "alb" and strategies == ("globalaccelerator",):
        for region in regions:  # behind Global Accelerator alone the ALBs have no public address
            fixture.set(f"{region}-alb", "internal", True)
    return fixture


def unknown_in_preview(fixture: Fixture, keep: Iterable[str] = ()) -> Fixture:
    """The fixture as `pulumi preview` sees a first deployment: every value that comes from another
    resource's outputs is unknown in inputs, and every output is unknown in state (but `keep`)."""
    linked = {
        "role",
        "policy",
        "lambdaArn",
        "certificateArn",
        "acmCertificateArn",
        "endpointId",
        "listenerArn",
        "acceleratorArn",
        "healthCheckId",
        "loadBalancerArn",
        "integrationUri",
        "zoneId",
    } - set(keep)
    outputs = linked | {"arn", "qualifiedArn", "version", "name", "dnsName", "apiEndpoint", "domainName"} - set(keep)
    preview = fixture.copy()
    for resource in preview.resources:
        resource.inputs = _unknown_keys(resource.inputs, linked)
        resource.state = _unknown_keys(resource.state, outputs)
    return preview


def _unknown_keys(value: Any, keys: set[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: (UNKNOWN_STRING_VALUE if k in keys and isinstance(v, str) else _unknown_keys(v, keys))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_unknown_keys(v, keys) for v in value]
    return value
