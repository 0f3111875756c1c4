"""Issue 20, review fixes: each test failed on the code before its fix.

- a retained access-log bucket keeps its lifecycle, public-access block, encryption and policy;
- subnets only in the region's standard Availability Zones (never a Local or Wavelength Zone the account
  opted in to), without replacing the subnets of a live stack;
- `http://` on Global Accelerator's name is answered with a redirect to HTTPS.
"""

from pathlib import Path

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
