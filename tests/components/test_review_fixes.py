"""Issue 20, review fixes: each test failed on the code before its fix.

- a retained access-log bucket keeps its lifecycle, public-access block, encryption and policy;
- subnets only in the region's standard Availability Zones (never a Local or Wavelength Zone the account
  opted in to), without replacing the subnets of a live stack;
- `http://` on Global Accelerator's name is answered with a redirect to HTTPS.
"""

import json
from pathlib import Path

import pytest

from offline.engine.lifecycle import deployed_tables, plan_update, run_from_snapshot
from offline.engine.mocks import AwsMocks
from offline.engine.run import run_program
from tests.components.helpers import program

REGIONS = ["us-east-1", "eu-west-1"]
SNAPSHOTS = Path(__file__).parents[1] / "lifecycle" / "snapshots"
SUBNET = "aws:ec2/subnet:Subnet"
ZONES = "aws:index/getAvailabilityZones:getAvailabilityZones"
LOG_BUCKET_CHILDREN = (
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
)


# -- Retained log buckets --------------------------------------------------------------------------


def log_bucket_resources(run):
    return [r for r in run.resources if r.custom and run.ancestor(r, ":AccessLogBucket")]


def test_a_retained_log_bucket_keeps_its_expiry_access_block_encryption_and_policy():
    """With deletion protection the bucket outlives the stack: so does everything that keeps it private,
    TLS-only and expiring (deleting them would leave logs that never expire in a bucket open to a policy)."""
    protected = program(REGIONS, backend="alb", front_door="route53", deletionProtection=True)
    resources = log_bucket_resources(protected)
    assert {r.type for r in resources} >= set(LOG_BUCKET_CHILDREN)
    assert all(r.retain_on_delete for r in resources), [r.name for r in resources if not r.retain_on_delete]
    unprotected = program(REGIONS, backend="alb", front_door="route53")
    assert not [r.name for r in log_bucket_resources(unprotected) if r.retain_on_delete]


# -- Availability Zones ----------------------------------------------------------------------------

LOCAL_ZONES = ["{region}-bos-1a", "{region}-wl1-bos-wlz-1"]


@pytest.fixture
def opted_in_local_zones(monkeypatch):
    """An account opted in to a Local Zone and a Wavelength Zone: DescribeAvailabilityZones lists them
    first unless the call filters on opt-in-status = opt-in-not-required (the EC2 API reference,
    DescribeAvailabilityZones, filter opt-in-status). Records each lookup's arguments."""
    calls = []
    answer = AwsMocks.call

    def call(self, args):
        result = answer(self, args)
        if args.token != ZONES:
            return result
        calls.append(dict(args.args))
        filters = {f["name"]: list(f["values"]) for f in args.args.get("filters") or []}
        if filters.get("opt-in-status") != ["opt-in-not-required"]:
            region = self.region_of(args.provider)
            local = [name.format(region=region) for name in LOCAL_ZONES]
            result = {**result, "names": local + result["names"]}
        return result

    monkeypatch.setattr(AwsMocks, "call", call)
    return calls


def test_subnets_land_only_in_standard_availability_zones(opted_in_local_zones):
    run = program(REGIONS, backend="alb", front_door="route53")
    subnets = run.of_type(SUBNET)
    assert len(subnets) == 2 * len(REGIONS)
    for subnet in subnets:
        assert subnet.inputs["availabilityZone"] in {f"{subnet.region}{s}" for s in "abc"}, subnet.name
    assert opted_in_local_zones
    for lookup in opted_in_local_zones:
        assert lookup.get("state") == "available"
        assert {"name": "opt-in-status", "values": ["opt-in-not-required"]} in lookup["filters"]


@pytest.mark.parametrize("snapshot", ["v1-prod.json", "v3-prod.json"])
def test_a_live_stacks_subnets_stay_as_they_are(opted_in_local_zones, snapshot):
    """The lookup changed; the subnets did not: every input but the (ignored) AZ is what the last release
    deployed, so the update leaves them alone even where the account's zone list now differs."""
    old = run_from_snapshot(json.loads((SNAPSHOTS / snapshot).read_text()))
    new = run_program("prod", deployed_tables=deployed_tables(old))
    plan = plan_update(old, new)
    steps = [s for s in plan.steps if s.type == SUBNET]
    assert len(steps) == 2 * 3 and all(s.op == "same" for s in steps), [s.describe() for s in steps]
    for step in steps:
        assert step.new.ignore_changes == ["availabilityZone"]
        drop = lambda inputs: {k: v for k, v in inputs.items() if k != "availabilityZone"}  # noqa: E731
        assert drop(step.new.inputs) == drop(step.old.inputs)


# -- http:// on Global Accelerator's name ------------------------------------------------------------

LISTENER = "aws:lb/listener:Listener"
GA_LISTENER = "aws:globalaccelerator/listener:Listener"
GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


@pytest.mark.parametrize("doors", ["globalaccelerator", {"globalaccelerator": 50, "cloudfront": 50}])
def test_plain_http_on_the_accelerator_is_redirected_to_https(doors):
    """GA listens on 80 as well, sent (a port override) to a listener of GA's own on the ALB that answers
    301 to https://<same host>:443; the ALB's group admits it there, before the endpoint groups."""
    run = program(REGIONS, backend="alb", front_door=doors)
    (listener,) = run.of_type(GA_LISTENER)
    assert listener.inputs["portRanges"] == [{"fromPort": 80, "toPort": 80}, {"fromPort": 443, "toPort": 443}]
    listeners = {(r.region, r.inputs["port"]): r for r in run.of_type(LISTENER)}
    rules = run.of_type(INGRESS)
    for group in run.of_type(GROUP):
        region = group.inputs["endpointGroupRegion"]
        assert group.inputs["portOverrides"] == [
            {"listenerPort": 80, "endpointPort": 8081},
            {"listenerPort": 443, "endpointPort": 8443},
        ]
        redirect = listeners[(region, 8081)]
        assert redirect.inputs["protocol"] == "HTTP"
        (action,) = redirect.inputs["defaultActions"]
        assert action["type"] == "redirect"
        assert action["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}
        opened = [r for r in rules if r.region == region and r.inputs["fromPort"] == 8081]
        assert sorted(r.name for r in opened) == [f"api-{region}-alb-in-ga-8081-v4", f"api-{region}-alb-in-ga-8081-v6"]
        assert all(r.inputs["toPort"] == 8081 and r.inputs["ipProtocol"] == "tcp" for r in opened)
        assert {redirect.urn, *(r.urn for r in opened)} <= set(group.dependencies)


def test_without_a_domain_port_80_is_served_as_before():
    run = program(REGIONS, backend="alb", front_door="globalaccelerator", domain=None)
    (listener,) = run.of_type(GA_LISTENER)
    assert listener.inputs["portRanges"] == [{"fromPort": 80, "toPort": 80}]
    for group in run.of_type(GROUP):
        assert group.inputs["portOverrides"] == [{"listenerPort": 80, "endpointPort": 8080}]
    ga = [r for r in run.of_type(LISTENER) if r.inputs["port"] == 8080]
    assert len(ga) == len(REGIONS) and all(r.inputs["defaultActions"][0]["type"] == "forward" for r in ga)
