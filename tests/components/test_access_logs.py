"""ALB access logs: a private, encrypted, expiring bucket per region that the region's log delivery may write."""

import json

import pytest

from components.registry import ELB_LOG_ACCOUNTS, ELB_LOG_DELIVERY_PRINCIPAL
from tests.components.helpers import program

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
BUCKET = "aws:s3/bucket:Bucket"


def by_region(run, type_token):
    return {r.region: r for r in run.of_type(type_token)}


@pytest.fixture(scope="module")
def run():
    return program(REGIONS, backend="alb", front_door="route53", accessLogDays=30)


def test_each_alb_logs_to_a_bucket_in_its_own_region(run):
    buckets = by_region(run, BUCKET)
    assert set(buckets) == set(REGIONS)
    for region, balancer in by_region(run, "aws:lb/loadBalancer:LoadBalancer").items():
        assert balancer.inputs["accessLogs"] == {"enabled": True, "bucket": buckets[region].state["bucket"]}
        # Switching logging on checks the ALB may write: the bucket policy comes first.
        assert any(urn.endswith(f"::api-{region}-alb-logs-delivery") for urn in balancer.dependencies)


def test_the_buckets_are_private_encrypted_and_expire_as_configured(run):
    for region in REGIONS:
        (block,) = [
            r for r in run.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock") if r.region == region
        ]
        assert all(
            block.inputs[k] is True
            for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        )
        (sse,) = [
            r
            for r in run.of_type(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
            )
            if r.region == region
        ]
        assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
        (expiry,) = [
            r
            for r in run.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
            if r.region == region
        ]
        assert expiry.inputs["rules"][0]["expiration"]["days"] == 30


@pytest.mark.parametrize("region", ["us-east-1", "ap-southeast-3", "mx-central-1"])
def test_the_bucket_policy_names_that_regions_log_delivery(region):
    """Both principals where the region has an ELB account (the ELB user guide names the account for
    regions opened before August 2022 and the service principal for later ones, and AWS may move a region
    to the principal): the log delivery service principal alone elsewhere."""
    regions = [region, "us-east-1"] if region != "us-east-1" else ["us-east-1", "eu-west-1"]
    run = program(regions, backend="alb", front_door="route53")
    (policy,) = [r for r in run.of_type("aws:s3/bucketPolicy:BucketPolicy") if r.region == region]
    allow, deny = json.loads(policy.inputs["policy"])["Statement"]
    expected = (
        {"AWS": f"arn:aws:iam::{ELB_LOG_ACCOUNTS[region]}:root", "Service": ELB_LOG_DELIVERY_PRINCIPAL}
        if region in ELB_LOG_ACCOUNTS
        else {"Service": ELB_LOG_DELIVERY_PRINCIPAL}
    )
    assert allow["Principal"] == expected and allow["Action"] == "s3:PutObject"
    assert allow["Resource"].endswith("/AWSLogs/123456789012/*")
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_with_deletion_protection_the_logs_outlive_the_stack():
    protected = program(REGIONS, backend="alb", front_door="route53", deletionProtection=True)
    for bucket in protected.of_type(BUCKET):
        assert bucket.retain_on_delete and bucket.inputs["forceDestroy"] is False
    unprotected = program(REGIONS, backend="alb", front_door="route53")
    for bucket in unprotected.of_type(BUCKET):
        assert not bucket.retain_on_delete and bucket.inputs["forceDestroy"] is True


def test_http_apis_keep_their_own_access_log_groups_and_get_no_bucket():
    run = program(REGIONS, backend="apigateway", front_door="route53")
    assert run.of_type(BUCKET) == []
    for stage in run.of_type("aws:apigatewayv2/stage:Stage"):
        assert stage.inputs["accessLogSettings"]["destinationArn"].startswith("arn:aws:logs:")
