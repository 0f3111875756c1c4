"""Pulumi mocks that answer like AWS would: plausible ARNs, DNS names and invoke results.

Every value here is a mock, shaped like the real one (account 123456789012), so components and
policies can be exercised without AWS. Keys are camelCase, as the engine sends them.
"""

import hashlib
from typing import Any

import pulumi

ACCOUNT = "123456789012"
# AWS's published alias zone ids for these global services.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
GLOBAL_ACCELERATOR_ZONE_ID = "Z2BJ6XQ5FK7U4H"
MOCK_ZONE_ID = "Z0MOCKHOSTEDZONE"
# Where a resource without an explicit provider (or a provider without `region`) lands under the mocks.
DEFAULT_REGION = "us-east-1"


def _hex(seed: str, length: int = 8) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


class AwsMocks(pulumi.runtime.Mocks):
    def __init__(self, deployed_tables: dict[str, dict[str, str]] | None = None) -> None:
        self.provider_regions: dict[str, str] = {}
        # Region -> tags of the stack's table as AWS's tagging API lists it there (a stack deployed
        # before); the key "__name" carries the table name.
        self.deployed_tables = dict(deployed_tables or {})

    # Region of a resource = the `region` input of the provider it was registered with.
    # A provider reference is "<provider URN>::<provider id>", and the URN ends with "::<name>".
    def region_of(self, provider_ref: str | None) -> str:
        if not provider_ref:
            return DEFAULT_REGION
        return self.provider_regions.get(provider_ref.split("::")[-2], DEFAULT_REGION)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        inputs = dict(args.inputs)
        if args.typ == "pulumi:providers:aws":
            region = inputs.get("region", DEFAULT_REGION)
            self.provider_regions[args.name] = region
            return f"{args.name}-id", inputs
        return mock_outputs(args.typ, args.name, self.region_of(args.provider), inputs)

    # The engine takes a bare dict of outputs as well as (outputs, failures): pulumi/runtime/mocks.py.
    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:  # pyright: ignore[reportIncompatibleMethodOverride]
        region = self.region_of(args.provider)
        token = args.token
        if token == "aws:route53/getZone:getZone":
            name = args.args.get("name", "example.com")
            return {
                "zoneId": MOCK_ZONE_ID,
                "id": MOCK_ZONE_ID,
                "name": name,
                "arn": f"arn:aws:route53:::hostedzone/{MOCK_ZONE_ID}",
            }
        if token == "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            # The real list's id differs per region; the mock's says which region it came from.
            return {
                "id": f"pl-{_hex(region, 8)}",
                "name": args.args.get("name"),
                "addressFamily": "IPv4",
                "maxEntries": 55,
            }
        if token == "aws:ssm/getParameter:getParameter":
            name = args.args["name"]
            value = f"mock-ssm-value:{name}"
            if name.startswith("/aws/service/powertools/python/"):
                _, arch, runtime, _version = name.rsplit("/", 3)
                value = (
                    f"arn:aws:lambda:{region}:017000801446:layer:"
                    f"AWSLambdaPowertoolsPythonV3-{runtime.replace('.', '')}-{arch}:1"
                )
            return {
                "name": name,
                "value": value,
                "type": "String",
                "arn": f"arn:aws:ssm:{region}:{ACCOUNT}:parameter{name}",
            }
        if token == "aws:resourcegroupstaggingapi/getResources:getResources":
            region = args.args.get("region") or region
            tags = self.deployed_tables.get(region)
            filters = args.args.get("tagFilters") or []
            wanted = "dynamodb:table" in (args.args.get("resourceTypeFilters") or ["dynamodb:table"])
            if tags is None:  # no table in that region
                return {"id": region, "resourceTagMappingLists": []}
            matches = wanted and all(
                f["key"] in tags and (not f.get("values") or tags[f["key"]] in f["values"]) for f in filters
            )
            name = tags.get("__name", "") if matches else ""
            mappings = (
                [
                    {
                        "resourceArn": f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}",
                        "tags": {k: v for k, v in tags.items() if not k.startswith("__")},
                        "complianceDetails": [],
                    }
                ]
                if matches
                else []
            )
            return {"id": region, "resourceTagMappingLists": mappings}
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {
                "names": [f"{region}{s}" for s in "abc"],
                "zoneIds": [f"{region[:3]}-az{i}" for i in (1, 2, 3)],
                "id": region,
            }
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/mock", "userId": "MOCK", "id": ACCOUNT}
        if token == "aws:index/getRegion:getRegion":
            return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com"}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        raise LookupError(f"the offline mocks do not answer invoke {token}: add it to offline/engine/mocks.py")


def generation_seed(name: str, generation: int = 0) -> str:
    """What a resource's mock identity is derived from: its name, and which incarnation it is."""
    return name if not generation else f"{name}~g{generation}"


def mock_outputs(typ: str, name: str, region: str, inputs: dict, generation: int = 0) -> tuple[str, dict]:
    """(id, state) the mocks give a resource; `generation` > 0 stands for a later incarnation of it.

    A resource the engine replaces (or deletes and creates again under another URN) gets a new
    physical id, ARN and DNS name from AWS, except where the program names it explicitly (a name,
    a domain): the lifecycle replay asks for generation 1, 2, ... of it to see that.
    """
    seed = generation_seed(name, generation)
    rid = f"{name}-{_hex(typ + seed)}"
    state = {**inputs, **_computed(typ, name, rid, region, inputs, seed)}
    return state.pop("__id", rid), state


def _computed(typ: str, name: str, rid: str, region: str, inputs: dict, seed: str | None = None) -> dict[str, Any]:
    """Outputs AWS computes, per resource type (identity parts derived from `seed`, the name by default)."""
    name_, name = name, seed or name  # the logical name starts autonamed names; the seed makes them unique
    service = typ.split(":")[1].split("/")[0]
    physical = inputs.get("name") or f"{name_}-{_hex(name, 7)}"
    arn = f"arn:aws:{service}:{region}:{ACCOUNT}:{physical}"
    out: dict[str, Any] = {"arn": arn, "name": physical}

    if typ == "aws:wafv2/webAcl:WebAcl":
        scope = "global" if inputs.get("scope") == "CLOUDFRONT" else "regional"
        return {"arn": f"arn:aws:wafv2:{region}:{ACCOUNT}:{scope}/webacl/{physical}/{_hex(name, 8)}", "name": physical}
    if typ == "aws:s3/bucket:Bucket":
        bucket = inputs.get("bucket") or f"{name_}-{_hex(name, 7)}"  # autonamed: lowercase, like AWS requires
        return {"__id": bucket, "bucket": bucket, "arn": f"arn:aws:s3:::{bucket}", "region": region}
    if typ in ("random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString"):
        # Deterministic per name, letters and digits as the program asks: enough to tell versions apart.
        return {"result": (_hex(name, 40) * 2)[: int(inputs.get("length", 16))]}
    if typ == "aws:dynamodb/table:Table":
        out["arn"] = f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{physical}"
        out["streamArn"] = f"{out['arn']}/stream/2026-01-01T00:00:00.000"
        out["replicas"] = [
            {**r, "arn": f"arn:aws:dynamodb:{r['regionName']}:{ACCOUNT}:table/{physical}"}
            for r in inputs.get("replicas", [])
        ]
    elif typ == "aws:iam/role:Role":
        out["arn"] = f"arn:aws:iam::{ACCOUNT}:role/{physical}"
        out["__id"] = physical
    elif typ == "aws:lambda/function:Function":
        out["arn"] = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{physical}"
        version = "1" if inputs.get("publish") else "$LATEST"
        out["version"] = version
        out["qualifiedArn"] = f"{out['arn']}:{version}"
        out["invokeArn"] = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{out['arn']}/invocations"
        out["qualifiedInvokeArn"] = out["invokeArn"]
    elif typ == "aws:lambda/alias:Alias":
        # The function's ARN qualified with the alias's name (functionName may be a name or an ARN).
        function = str(inputs.get("functionName", ""))
        function_arn = (
            function if function.startswith("arn:") else f"arn:aws:lambda:{region}:{ACCOUNT}:function:{function}"
        )
        out["arn"] = f"{function_arn}:{physical}"
        out["invokeArn"] = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{out['arn']}/invocations"
    elif typ == "aws:cloudwatch/logGroup:LogGroup":
        out["arn"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{physical}"
    elif typ == "aws:ssm/parameter:Parameter":
        out["arn"] = f"arn:aws:ssm:{region}:{ACCOUNT}:parameter{physical}"
    elif typ == "aws:lb/loadBalancer:LoadBalancer":
        suffix = f"app/{physical[:32]}/{_hex(name, 16)}"
        out.update(
            arn=f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/{suffix}",
            arnSuffix=suffix,
            dnsName=f"{physical[:32]}-{_hex(name, 9)}.{region}.elb.amazonaws.com",
            zoneId=f"ZELB{_hex(region, 10).upper()}",
        )
    elif typ == "aws:lb/targetGroup:TargetGroup":
        suffix = f"targetgroup/{physical[:32]}/{_hex(name, 16)}"
        out.update(arn=f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:{suffix}", arnSuffix=suffix)
    elif typ == "aws:apigatewayv2/api:Api":
        api_id = _hex(name, 10)
        out.update(
            __id=api_id,
            apiEndpoint=f"https://{api_id}.execute-api.{region}.amazonaws.com",
            executionArn=f"arn:aws:execute-api:{region}:{ACCOUNT}:{api_id}",
            arn=f"arn:aws:apigateway:{region}::/apis/{api_id}",
        )
    elif typ == "aws:apigatewayv2/domainName:DomainName":
        config = dict(inputs.get("domainNameConfiguration") or {})
        config.update(
            targetDomainName=f"d-{_hex(name, 10)}.execute-api.{region}.amazonaws.com",
            hostedZoneId=f"ZAPI{_hex(region, 10).upper()}",
        )
        out.update(__id=inputs.get("domainName", physical), domainNameConfiguration=config)
    elif typ == "aws:acm/certificate:Certificate":
        names = [str(inputs.get("domainName", ""))] + list(inputs.get("subjectAlternativeNames") or [])
        out["arn"] = f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{_hex(name + region, 32)}"
        apex = names[0]
        out["domainValidationOptions"] = [
            {
                "domainName": n,
                "resourceRecordName": f"_{_hex(apex, 32)}.{apex}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_hex(apex + 'v', 32)}.acm-validations.aws.",
            }
            for n in names
        ]
    elif typ == "aws:acm/certificateValidation:CertificateValidation":
        out["certificateArn"] = inputs.get("certificateArn")
    elif typ == "aws:route53/record:Record":
        out["fqdn"] = str(inputs.get("name", "")).rstrip(".")
    elif typ == "aws:route53/healthCheck:HealthCheck":
        out["__id"] = f"{_hex(name, 8)}-{_hex(name + 'h', 4)}-hc"
        out["arn"] = f"arn:aws:route53:::healthcheck/{out['__id']}"
    elif typ == "aws:globalaccelerator/accelerator:Accelerator":
        out.update(
            arn=f"arn:aws:globalaccelerator::{ACCOUNT}:accelerator/{_hex(name, 36)}",
            dnsName=f"a{_hex(name, 16)}.awsglobalaccelerator.com",
            hostedZoneId=GLOBAL_ACCELERATOR_ZONE_ID,
            ipSets=[{"ipAddresses": ["75.2.0.1", "99.83.0.1"], "ipFamily": "IPv4"}],
        )
    elif typ in ("aws:globalaccelerator/listener:Listener", "aws:globalaccelerator/endpointGroup:EndpointGroup"):
        out["arn"] = f"arn:aws:globalaccelerator::{ACCOUNT}:accelerator/{_hex(name, 36)}"
        out["__id"] = out["arn"]
    elif typ == "aws:cloudfront/distribution:Distribution":
        dist_id = "E" + _hex(name, 13).upper()
        out.update(
            __id=dist_id,
            arn=f"arn:aws:cloudfront::{ACCOUNT}:distribution/{dist_id}",
            domainName=f"d{_hex(name, 13)}.cloudfront.net",
            hostedZoneId=CLOUDFRONT_ZONE_ID,
        )
    return out
